"""Forms of the programme page: a task's progress entry and a project to link (one of each per task,
told apart by a prefix)."""
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import Optional

from portfolio.core.forms import AmountField, BaseForm, optional_int, years_in_range
from portfolio.indicators.validation import parse_number


class QuantityField(AmountField):
    """A count or amount of a task: up to four decimals ("48.33" 万人次), full-width digits."""

    parse = staticmethod(parse_number)


class ProgressForm(BaseForm):
    recorded_on = DateField("截至日期", validators=[Optional(), years_in_range])
    quantity = QuantityField("累计完成", validators=[Optional()])
    note = TextAreaField("说明", description="如：某校新校区已投用；数量下调时写明原因")


class LinkForm(BaseForm):
    project_id = SelectField("关联项目", coerce=optional_int, validators=[Optional()])

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id.choices = [("", "请选择项目")] + [(p.id, f"{p.region.name}｜{p.name}") for p in projects]
