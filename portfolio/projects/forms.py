"""Forms of the project registry."""
from datetime import date

from wtforms import DateField, HiddenField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portfolio.extensions import db
from portfolio.forms import AmountField, BaseForm, choice_list
from portfolio.models import Plan, Programme, ProjectStatus, Region, Sector
from portfolio.models.project import FIRST_YEAR, LAST_YEAR
from portfolio.rules import Light, Thresholds, WarningKind
from portfolio.services import projects as project_service

MAX_INVESTMENT = 100_000_000
"""万元; anything larger (one trillion yuan) is a typing mistake, not a project."""


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _optional_enum(enum_cls):
    def coerce(value):
        return enum_cls(value) if value not in (None, "") else None

    return coerce


def region_choices(regions: list[Region], blank: str | None = None) -> list[SelectChoice]:
    """Regions grouped by city, so 焦作 and 新乡 districts are not mixed up."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(r.id, r.display_name, optgroup=r.city) for r in regions]


def _year_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message="请填写年份"),
            NumberRange(FIRST_YEAR, LAST_YEAR, message=f"年份应在{FIRST_YEAR}–{LAST_YEAR}之间"),
        ],
    )


class ProjectFilterForm(BaseForm):
    """The list's filters, read from the query string so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    plan = SelectField("规划", coerce=_optional_int, validators=[Optional()])
    region = SelectField("县(市、区)", coerce=_optional_int, validators=[Optional()])
    sector = SelectField("领域", coerce=_optional_enum(Sector), validators=[Optional()])
    status = SelectField("项目状态", coerce=_optional_enum(ProjectStatus), validators=[Optional()])
    q = StringField("关键词", validators=[Optional(), Length(max=100)])
    as_of = DateField("截至日期", validators=[Optional()])
    light = SelectField("预警", coerce=_optional_enum(Light), validators=[Optional()],
                        choices=choice_list(((light.value, light.label) for light in Light), blank="全部"))
    warning = SelectMultipleField(
        "问题", coerce=WarningKind, validators=[Optional()],
        choices=choice_list((kind.value, kind.label) for kind in WarningKind),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    sort = SelectField(
        "排序", validators=[Optional()],
        choices=choice_list([("name", "项目名称"), ("region", "县(市、区)"), ("investment", "计划投资"),
                             ("start", "开工年份"), ("end", "完工年份")], blank="默认(序号)"),
    )
    order = SelectField("顺序", choices=choice_list([("asc", "升序"), ("desc", "降序")]), validators=[Optional()])

    def __init__(self, formdata, plans: list[Plan], regions: list[Region]):
        super().__init__(formdata)
        self.plan.choices = choice_list(((plan.id, plan.title) for plan in plans), blank="全部规划")
        self.region.choices = region_choices(regions, blank="全部县(市、区)")
        self.sector.choices = choice_list(Sector.choices(), blank="全部领域")
        self.status.choices = choice_list(ProjectStatus.choices(), blank="全部状态")

    def to_filters(self, today: date, thresholds: Thresholds) -> project_service.ProjectFilters:
        """Valid fields only: a stale bookmark with an unknown value still shows a list."""
        self.validate()

        def valid(field):
            return None if field.errors else field.data

        return project_service.ProjectFilters(
            plan_id=valid(self.plan),
            region_id=valid(self.region),
            sector=valid(self.sector),
            status=valid(self.status),
            keyword=valid(self.q) or "",
            light=valid(self.light),
            warnings=frozenset(valid(self.warning) or ()),
            as_of=valid(self.as_of) or today,
            thresholds=thresholds,
            sort=valid(self.sort),
            descending=self.order.data == "desc",
        )


class ProjectForm(BaseForm):
    version = HiddenField()
    plan_id = SelectField("规划", coerce=int, validators=[InputRequired(message="请选择规划")])
    name = StringField(
        "项目名称",
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(message="请填写项目名称"), Length(max=200, message="项目名称不能超过200个字")],
    )
    region_id = SelectField("县(市、区)", coerce=int, validators=[InputRequired(message="请选择县(市、区)")])
    site = StringField(
        "建设地点", description="按规划原文填写;留空则取所选县(市、区)的名称",
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Length(max=100, message="建设地点不能超过100个字")],
    )
    sector = SelectField("领域", coerce=Sector, choices=choice_list(Sector.choices()), validators=[InputRequired(message="请选择领域")])
    status = SelectField(
        "项目状态", coerce=ProjectStatus, choices=choice_list(ProjectStatus.choices()),
        default=ProjectStatus.PREPARING, validators=[InputRequired(message="请选择项目状态")],
    )
    programme_id = SelectField("所属专栏", coerce=_optional_int, validators=[Optional()])
    content = TextAreaField("建设内容", validators=[Optional(), Length(max=5000, message="建设内容不能超过5000个字")])
    planned_investment = AmountField(
        "计划投资(万元)",
        validators=[
            InputRequired(message="请填写金额"),
            NumberRange(0, MAX_INVESTMENT, message=f"应在0–{MAX_INVESTMENT:,}万元之间"),
        ],
    )
    start_year = _year_field("建设起始年")
    end_year = _year_field("建设结束年")
    responsible_unit = StringField(
        "责任单位", validators=[Optional(), Length(max=200, message="责任单位不能超过200个字")]
    )

    def __init__(self, *args, plans: list[Plan], regions: list[Region], programmes: list[Programme],
                 project_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id = project_id
        self.plan_id.choices = choice_list((plan.id, plan.title) for plan in plans)
        self.region_id.choices = region_choices(regions)
        self.programme_id.choices = [SelectChoice("", "(无)")] + [
            SelectChoice(p.id, p.display_name, optgroup=p.plan.title) for p in programmes
        ]
        self._plans = {plan.id: plan for plan in plans}
        self._regions = {region.id: region for region in regions}
        self._programmes = {programme.id: programme for programme in programmes}

    def validate_end_year(self, field):
        if self.start_year.data is not None and field.data is not None and field.data < self.start_year.data:
            raise ValidationError(f"{field.data}年早于建设起始年({self.start_year.data}年)")

    def validate_region_id(self, field):
        plan, region = self._plans.get(self.plan_id.data), self._regions.get(field.data)
        if plan and region and region.city != plan.city:
            raise ValidationError(f"{region.name}不属于{plan.city},请选择{plan.city}的县(市、区)")

    def validate_programme_id(self, field):
        programme = self._programmes.get(field.data)
        if programme and programme.plan_id != self.plan_id.data:
            raise ValidationError("所选专栏不属于该规划")

    def validate_name(self, field):
        if self.plan_id.data in self._plans and field.data and project_service.name_taken(
            db.session, self.plan_id.data, field.data, exclude_project_id=self.project_id
        ):
            raise ValidationError(f"该规划中已有名为“{field.data}”的项目")

    def values(self) -> dict:
        """The validated input, as the service expects it."""
        values = {name: self[name].data for name in project_service.PROJECT_FIELDS}
        values["site"] = values["site"] or self._regions[values["region_id"]].name
        values["content"] = values["content"] or ""
        values["responsible_unit"] = (values["responsible_unit"] or "").strip() or None
        return values
