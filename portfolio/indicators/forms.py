"""Forms of 规划实施监测: the filters (from the query string) and a yearly value."""
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portfolio.core.forms import BaseForm, choice_list, optional_int
from portfolio.indicators.models import IndicatorNature
from portfolio.indicators.queries import IndicatorFilters
from portfolio.registry.models import Plan


class MonitoringFilterForm(BaseForm):
    class Meta:
        csrf = False

    plan = SelectField("规划", coerce=optional_int, validators=[Optional()])
    area = SelectField("领域", validators=[Optional()])
    nature = SelectField("指标性质", validators=[Optional()],
                         choices=choice_list(IndicatorNature.choices(), blank="全部"))
    year = IntegerField("监测年度", validators=[Optional()])

    def __init__(self, formdata, plans: list[Plan], areas: list[str]):
        super().__init__(formdata)
        self.plan.choices = choice_list(((plan.id, plan.title) for plan in plans), blank="全部规划")
        self.area.choices = choice_list(((area, area) for area in areas), blank="全部领域")

    def to_filters(self) -> IndicatorFilters:
        """Valid fields only: a stale bookmark still shows a page."""
        self.validate()

        def valid(field):
            return None if field.errors else field.data

        return IndicatorFilters(plan_id=valid(self.plan), area=valid(self.area) or "",
                                nature=IndicatorNature(self.nature.data) if valid(self.nature) else None)


class ValueForm(BaseForm):
    """Typed text is checked by `indicators.validation`, so the field keeps what was typed."""

    year = IntegerField("年份", validators=[Optional()])
    value = StringField("实际值", description="填数字；可带该指标的单位，如79.6岁、96.5%")
    source = TextAreaField("数据来源", description="如：2024年焦作市国民经济和社会发展统计公报")
