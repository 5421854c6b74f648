"""Forms for progress, annual plans and milestones."""
from wtforms import DateField, Form, FormField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portfolio.forms import AmountField, BaseForm, choice_list
from portfolio.models import MilestoneKind
from portfolio.models.project import FIRST_YEAR, LAST_YEAR

TEXT_LIMIT = 2000


def _year_field() -> IntegerField:
    return IntegerField("年份", validators=[
        InputRequired(message="请填写年份"),
        NumberRange(FIRST_YEAR, LAST_YEAR, message=f"年份应在{FIRST_YEAR}–{LAST_YEAR}之间"),
    ])


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[
        Optional(), Length(max=TEXT_LIMIT, message=f"{label}不能超过{TEXT_LIMIT}个字")])


class ProgressForm(BaseForm):
    version = HiddenField()
    year = _year_field()
    quarter = SelectField("季度", coerce=int, validators=[InputRequired(message="请选择季度")],
                          choices=choice_list((q, f"第{q}季度") for q in range(1, 5)))
    cumulative_investment = AmountField("累计完成投资(万元)", validators=[InputRequired(message="请填写金额")])
    quarter_investment = AmountField("本季度完成投资(万元)", validators=[InputRequired(message="请填写金额")])
    physical_progress = AmountField("工程进度(%)", validators=[
        InputRequired(message="请填写工程进度"), NumberRange(0, 100, message="工程进度应在0–100%%之间")])
    works_status = _text("形象进度")
    problems = _text("存在问题")
    next_steps = _text("下步计划")

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}


class AnnualPlanForm(BaseForm):
    year = _year_field()
    planned_investment = AmountField("年度计划投资(万元)", validators=[
        InputRequired(message="请填写金额"), NumberRange(0, 100_000_000, message="应在0–100,000,000万元之间")])


class MilestoneRowForm(Form):
    class Meta:
        locales = ("zh",)

    planned_date = DateField("计划日期", validators=[Optional()])
    actual_date = DateField("实际日期", validators=[Optional()])
    note = StringField("备注", validators=[Optional(), Length(max=500, message="备注不能超过500个字")])


class MilestonesForm(BaseForm):
    """One row per standard milestone kind, in order (fields named after the kinds' codes)."""

    def rows(self) -> dict[MilestoneKind, dict]:
        return {kind: {"planned_date": self[kind.value].planned_date.data,
                       "actual_date": self[kind.value].actual_date.data,
                       "note": (self[kind.value].note.data or "").strip() or None}
                for kind in MilestoneKind}


for _kind in MilestoneKind:
    setattr(MilestonesForm, _kind.value, FormField(MilestoneRowForm, label=_kind.label))
