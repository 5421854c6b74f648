"""Forms of the problem ledger and 督办单: they parse what was typed; `validate` then applies the one
validation (`portfolio.problems.validation`) and puts each message on its field."""
from datetime import date

from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portfolio.core.db import db
from portfolio.core.forms import (
    BaseForm,
    choice_list,
    optional_int,
    quarter_field,
    record_id,
    region_choices,
    year_field,
)
from portfolio.problems import validation
from portfolio.problems.models import Problem, ProblemKind, ProblemState, SupervisionNotice
from portfolio.problems.queries import LedgerFilters
from portfolio.registry.models import Project, Region
from portfolio.rules import round_quarter


def _optional_enum(enum_cls):
    def coerce(value):
        return enum_cls(value) if value not in (None, "") else None

    return coerce


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Validated(BaseForm):
    """A form whose values pass one function of `validation` after the fields' own checks."""

    def errors_of(self, values: dict) -> dict[str, str]:
        raise NotImplementedError

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        for name, message in self.errors_of(self.values()).items():
            if name in self:
                self[name].errors.append(message)
            else:
                self.form_errors.append(message)
        return not self.errors

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}


class LedgerFilterForm(BaseForm):
    """The ledger's filters, read from the query string so a filtered ledger can be bookmarked; year
    and quarter choose the quarter the summary counts."""

    class Meta:
        csrf = False

    region = SelectField("县(市、区)", coerce=optional_int, validators=[Optional()])
    kind = SelectField("问题类型", coerce=_optional_enum(ProblemKind), validators=[Optional()],
                       choices=choice_list(ProblemKind.choices(), blank="全部类型"))
    state = SelectField("状态", coerce=_optional_enum(ProblemState), validators=[Optional()],
                        choices=choice_list(ProblemState.choices(), blank="全部状态"))
    overdue = BooleanField("仅看超过办结时限的")
    project = HiddenField()
    year = year_field("统计年份")
    quarter = quarter_field()

    def __init__(self, formdata, regions: list[Region] | None):
        super().__init__(formdata)
        if regions is None:  # a county sees its own region only
            del self.region
        else:
            self.region.choices = region_choices(regions, blank="全部县(市、区)")

    def to_filters(self, today: date, region_scope: int | None) -> LedgerFilters:
        """Valid fields only: a stale bookmark with an unknown value still shows a ledger."""
        self.validate()

        def valid(field):
            return None if field.errors else field.data

        project = str(self.project.data or "")
        return LedgerFilters(
            today=today,
            region_id=region_scope if region_scope is not None else valid(self.region),
            kind=valid(self.kind), state=valid(self.state), overdue=bool(self.overdue.data),
            project_id=int(project) if project.isdigit() and len(project) < 10 else None,
        )

    def quarter_asked(self, today: date) -> tuple[int, int]:
        """The quarter the summary counts: the one chosen, else the quarter whose round runs (then shown as chosen)."""
        if self.year.errors or self.quarter.errors or not self.year.data or not self.quarter.data:
            self.year.data, self.quarter.data = round_quarter(today)
        return self.year.data, self.quarter.data


class ProblemForm(_Validated):
    kind = SelectField("问题类型", coerce=_optional_enum(ProblemKind),
                       choices=choice_list(ProblemKind.choices(), blank="请选择"))
    description = TextAreaField("问题描述", filters=[_strip], render_kw={"rows": 5})
    responsible_units = StringField("责任单位", filters=[_strip], description="多个单位以“、”分隔")
    deadline = DateField("办结时限", validators=[Optional()], description="可不填")

    def __init__(self, *args, project: Project, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.today = project, today

    def errors_of(self, values: dict) -> dict[str, str]:
        return validation.problem_errors(self.project, values, self.today)


class ProblemUpdateForm(_Validated):
    """A coordination step: what was done (a dated reply) and, perhaps, the new state."""

    version = HiddenField()
    body = TextAreaField("协调进展", filters=[_strip], render_kw={"rows": 4})
    state = SelectField("状态", coerce=_optional_enum(ProblemState), validators=[InputRequired(message="请选择状态")])
    closing_note = TextAreaField("说明", filters=[_strip], render_kw={"rows": 2},
                                 description="已解决时写明如何解决；无法解决时必须写明原因")

    def __init__(self, *args, problem: Problem, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem = problem
        forward = validation.FORWARD.get(problem.state, {problem.state})
        self.state.choices = choice_list((s.value, s.label) for s in ProblemState if s in forward)
        if self.state.data is None:
            self.state.data = problem.state
        if not self.version.data:
            self.version.data = str(problem.version)

    def errors_of(self, values: dict) -> dict[str, str]:
        return validation.update_errors(self.problem, values)


class _ProblemChoices(SelectMultipleField):
    """Problems closed or gone since the page was shown are named by the validation, not refused as
    an unknown choice."""

    def pre_validate(self, form):
        pass


class NoticeForm(_Validated):
    problem_ids = _ProblemChoices("督办的问题", coerce=record_id, widget=ListWidget(prefix_label=False),
                                      option_widget=CheckboxInput())
    region_id = SelectField("督办县(市、区)", coerce=optional_int, validators=[Optional()])
    unit = StringField("督办单位", filters=[_strip], description="发给县(市、区)以外的单位时填写，由市级代为登记回复")
    reply_deadline = DateField("回复期限", validators=[Optional()])
    requirement = TextAreaField("督办事项", filters=[_strip], render_kw={"rows": 4})

    def __init__(self, *args, problems: list[Problem], regions: list[Region], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.problem_ids.choices = [
            (p.id, f"{p.project.region.name}｜{p.project.name}｜{p.kind.label}：{p.description[:60]}") for p in problems]
        self.region_id.choices = region_choices(regions, blank="（不发给县(市、区)）")

    def errors_of(self, values: dict) -> dict[str, str]:
        return validation.notice_errors(db.session, values, self.today)


class NoticeReplyForm(_Validated):
    reply = TextAreaField("回复内容", filters=[_strip], render_kw={"rows": 4})

    def __init__(self, *args, notice: SupervisionNotice, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice

    def errors_of(self, values: dict) -> dict[str, str]:
        return validation.notice_reply_errors(self.notice, values)
