"""The report's scope, read from the query string (a GET form: nothing is changed)."""
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from portfolio.forms import BaseForm, choice_list
from portfolio.models import Plan, Region, Sector
from portfolio.models.project import FIRST_YEAR, LAST_YEAR
from portfolio.projects.forms import region_choices
from portfolio.reports.data import QUARTER_NAMES


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class ReportForm(BaseForm):
    class Meta:
        csrf = False

    year = IntegerField("年份", validators=[InputRequired(message="请填写年份"),
                                          NumberRange(FIRST_YEAR, LAST_YEAR, message="年份不在有效范围内")])
    quarter = SelectField("季度", coerce=int, choices=choice_list(QUARTER_NAMES.items()),
                          validators=[InputRequired(message="请选择季度")])
    plan = SelectField("规划", coerce=_optional_int, validators=[Optional()])
    region = SelectField("县(市、区)", coerce=_optional_int, validators=[Optional()])
    sector = SelectField("领域", coerce=lambda v: Sector(v) if v else None, validators=[Optional()],
                         choices=choice_list(Sector.choices(), blank="全部领域"))
    approved_only = BooleanField("只统计已审核的进展")

    def __init__(self, formdata, plans: list[Plan], regions: list[Region], **kwargs):
        super().__init__(formdata, **kwargs)
        self.plan.choices = choice_list(((p.id, p.title) for p in plans), blank="全部规划")
        self.region.choices = region_choices(regions, blank="全部县(市、区)")
