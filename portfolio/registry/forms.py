"""Forms of the project registry."""
from datetime import date

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portfolio.core.db import db
from portfolio.core.forms import (
    AmountField,
    BaseForm,
    DegreesField,
    NormalizedField,
    choice_list,
    optional_int,
    region_choices,
    years_in_range,
)
from portfolio.core.parsing import text_problem
from portfolio.registry.models import FundingSource, Plan, Programme, ProjectNature, ProjectStatus, Region, Sector
from portfolio.registry.operations import PROJECT_FIELDS
from portfolio.registry.queries import ArchiveScope, ProjectFilters
from portfolio.registry.validation import funding_field, normalized_phone, normalized_project_code, project_errors
from portfolio.rules import Light, Thresholds, WarningKind


def _optional_enum(enum_cls):
    def coerce(value):
        return enum_cls(value) if value not in (None, "") else None

    return coerce


class ProjectFilterForm(BaseForm):
    """The list's filters, read from the query string so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    plan = SelectField("规划", coerce=optional_int, validators=[Optional()])
    region = SelectField("县(市、区)", coerce=optional_int, validators=[Optional()])
    sector = SelectField("领域", coerce=_optional_enum(Sector), validators=[Optional()])
    status = SelectField("项目状态", coerce=_optional_enum(ProjectStatus), validators=[Optional()])
    q = StringField("关键词", validators=[Optional(), Length(max=100)])
    as_of = DateField("截至日期", validators=[Optional(), years_in_range])
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
                             ("start", "开工年份"), ("end", "完工年份")], blank="默认（序号）"),
    )
    order = SelectField("顺序", choices=choice_list([("asc", "升序"), ("desc", "降序")]), validators=[Optional()])
    funding = SelectField("资金来源", coerce=_optional_enum(FundingSource), validators=[Optional()],
                          choices=choice_list(FundingSource.choices(), blank="全部来源"))
    archive = SelectField("归档", coerce=_optional_enum(ArchiveScope), validators=[Optional()],
                          choices=choice_list(ArchiveScope.choices()))

    def __init__(self, formdata, plans: list[Plan], regions: list[Region]):
        super().__init__(formdata)
        self.plan.choices = choice_list(((plan.id, plan.title) for plan in plans), blank="全部规划")
        self.region.choices = region_choices(regions, blank="全部县(市、区)")
        self.sector.choices = choice_list(Sector.choices(), blank="全部领域")
        self.status.choices = choice_list(ProjectStatus.choices(), blank="全部状态")

    def to_filters(self, today: date, thresholds: Thresholds) -> ProjectFilters:
        """Valid fields only: a stale bookmark with an unknown value still shows a list."""
        self.validate()

        def valid(field):
            return None if field.errors else field.data

        return ProjectFilters(
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
            funding_source=valid(self.funding),
            archive=valid(self.archive) or ArchiveScope.CURRENT,
        )


class ProjectForm(BaseForm):
    """Parses what was typed; `validate` then applies the one project validation
    (`portfolio.registry.validation`) and puts each message on its field."""

    version = HiddenField()
    plan_id = SelectField("规划", coerce=int, validators=[InputRequired(message="请选择规划")])
    name = StringField("项目名称", filters=[lambda value: value.strip() if value else value])
    region_id = SelectField("县(市、区)", coerce=int, validators=[InputRequired(message="请选择县(市、区)")])
    site = StringField("建设地点", description="按规划原文填写；留空则取所选县(市、区)的名称",
                       filters=[lambda value: value.strip() if value else value])
    sector = SelectField("领域", coerce=Sector, choices=choice_list(Sector.choices()),
                         validators=[InputRequired(message="请选择领域")])
    status = SelectField(
        "项目状态", coerce=ProjectStatus, choices=choice_list(ProjectStatus.choices()),
        default=ProjectStatus.PREPARING, validators=[InputRequired(message="请选择项目状态")],
    )
    status_date = DateField("状态变更日期", validators=[Optional(), years_in_range],
                            description="改变项目状态时填写新状态自哪天起（如暂停、取消实际生效的日期）；默认今天，不能晚于今天")
    programme_id = SelectField("所属专栏", coerce=optional_int, validators=[Optional()])
    content = TextAreaField("建设内容")
    planned_investment = AmountField("计划投资(万元)", validators=[InputRequired(message="请填写金额")])
    start_year = IntegerField("建设起始年", validators=[InputRequired(message="请填写年份")])
    end_year = IntegerField("建设结束年", validators=[InputRequired(message="请填写年份")])
    responsible_unit = StringField("责任单位")
    project_code = NormalizedField("项目代码", description="投资项目在线审批监管平台赋予的代码，如2101-410800-04-01-123456",
                                   filters=[normalized_project_code])
    nature = SelectField("建设性质", coerce=_optional_enum(ProjectNature), validators=[Optional()],
                         choices=choice_list(ProjectNature.choices(), blank="（未填）"))
    owner_unit = StringField("项目单位")
    responsible_leader = StringField("包联领导")
    contact_person = StringField("联系人")
    contact_phone = NormalizedField("联系电话", description="手机或带区号的固定电话，如13912345678、0391-3568888",
                                    filters=[normalized_phone])
    longitude = DegreesField("经度", description="WGS-84（GPS）坐标，度，如113.241876", validators=[Optional()])
    latitude = DegreesField("纬度", description="WGS-84（GPS）坐标，度，如35.215893", validators=[Optional()])

    def __init__(self, *args, plans: list[Plan], regions: list[Region], programmes: list[Programme],
                 project_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id = project_id
        self.plan_id.choices = choice_list((plan.id, plan.title) for plan in plans)
        self.region_id.choices = region_choices(regions)
        self.programme_id.choices = [SelectChoice("", "（无）")] + [
            SelectChoice(p.id, p.display_name, optgroup=p.plan.title) for p in programmes
        ]
        self._regions = {region.id: region for region in regions}

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        for name, message in project_errors(db.session, self.values(), self.project_id).items():
            self[name].errors.append(message)
        return not self.errors

    def values(self) -> dict:
        """The parsed input, as validation and the operations expect it."""
        values = {name: self[name].data for name in PROJECT_FIELDS}
        region = self._regions.get(values["region_id"])
        values["site"] = values["site"] or (region.name if region else "")
        values["content"] = values["content"] or ""
        for name in ("responsible_unit", "owner_unit", "responsible_leader", "contact_person"):
            values[name] = (values[name] or "").strip() or None
        values["funding"] = {source: amount for source in FundingSource
                             if (amount := self[funding_field(source)].data) is not None}
        values["status_date"] = self.status_date.data
        return values


REASON_LENGTH = 500


class ArchiveForm(BaseForm):
    version = HiddenField()
    reason = TextAreaField("归档原因", validators=[DataRequired(message="请填写归档原因")],
                           description="如：项目已并入其他项目、规划调整不再实施等",
                           filters=[lambda value: value.strip() if value else value])

    def validate_reason(self, field):
        if problem := text_problem("归档原因", field.data, REASON_LENGTH):
            raise ValidationError(problem)


for _source in FundingSource:
    setattr(ProjectForm, funding_field(_source), AmountField(f"{_source.label}(万元)", validators=[Optional()]))
