"""The report's scope, read from the query string (a GET form: nothing is changed)."""
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from portfolio.core.forms import BaseForm, choice_list, optional_int, quarter_field, region_choices, year_field
from portfolio.registry.models import Plan, Region, Sector


class ReportForm(BaseForm):
    class Meta:
        csrf = False

    year = year_field()
    quarter = quarter_field()
    plan = SelectField("规划", coerce=optional_int, validators=[Optional()])
    region = SelectField("县(市、区)", coerce=optional_int, validators=[Optional()])
    sector = SelectField("领域", coerce=lambda v: Sector(v) if v else None, validators=[Optional()],
                         choices=choice_list(Sector.choices(), blank="全部领域"))
    approved_only = BooleanField("只统计已审核的进展")
    photos = BooleanField("附项目现场照片")

    def __init__(self, formdata, plans: list[Plan], regions: list[Region], **kwargs):
        super().__init__(formdata, **kwargs)
        self.plan.choices = choice_list(((p.id, p.title) for p in plans), blank="全部规划")
        self.region.choices = region_choices(regions, blank="全部县(市、区)")
