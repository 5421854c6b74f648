"""Forms for progress, annual plans, milestones and the review. They parse what was typed;
the checks themselves are `portfolio.progress.validation`, which the import shares."""
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portfolio.core.forms import AmountField, BaseForm, FormMeta, choice_list
from portfolio.core.limits import NOTE_LENGTH
from portfolio.progress.models import MilestoneKind
from portfolio.progress.validation import PROGRESS_LABELS, annual_plan_errors


class ProgressForm(BaseForm):
    version = HiddenField()
    year = IntegerField(PROGRESS_LABELS["year"], validators=[InputRequired(message="请填写年份")])
    quarter = SelectField("季度", coerce=int, validators=[InputRequired(message="请选择季度")],
                          choices=choice_list((q, f"第{q}季度") for q in range(1, 5)))
    cumulative_investment = AmountField(PROGRESS_LABELS["cumulative_investment"],
                                        validators=[InputRequired(message="请填写金额")])
    quarter_investment = AmountField(PROGRESS_LABELS["quarter_investment"], validators=[Optional()],
                                     description="上一季度已填报时可留空：按本季度累计减上季度累计计算")
    physical_progress = AmountField(PROGRESS_LABELS["physical_progress"],
                                    validators=[InputRequired(message="请填写工程进度")])
    works_status = TextAreaField(PROGRESS_LABELS["works_status"])
    problems = TextAreaField(PROGRESS_LABELS["problems"])
    next_steps = TextAreaField(PROGRESS_LABELS["next_steps"])

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}


class AnnualPlanForm(BaseForm):
    seen = HiddenField()
    """The annual plans the page showed (`queries.annual_plans_seen`)."""
    year = IntegerField("年份", validators=[InputRequired(message="请填写年份")])
    planned_investment = AmountField("年度计划投资(万元)", validators=[InputRequired(message="请填写金额")])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        values = {"year": self.year.data, "planned_investment": self.planned_investment.data}
        for name, message in annual_plan_errors(values).items():
            self[name].errors.append(message)
        return not self.errors


class MilestoneRowForm(Form):
    Meta = FormMeta

    planned_date = DateField("计划日期", validators=[Optional()])
    actual_date = DateField("实际日期", validators=[Optional()])
    note = StringField("备注", validators=[Optional(), Length(max=NOTE_LENGTH, message=f"备注不能超过{NOTE_LENGTH}个字")])


class MilestonesForm(BaseForm):
    """One row per standard milestone kind, in order (fields named after the kinds' codes)."""

    seen = HiddenField()
    """The milestones the page showed (`queries.milestones_seen`)."""

    def rows(self) -> dict[MilestoneKind, dict]:
        return {kind: {"planned_date": self[kind.value].planned_date.data,
                       "actual_date": self[kind.value].actual_date.data,
                       "note": (self[kind.value].note.data or "").strip() or None}
                for kind in MilestoneKind}


for _kind in MilestoneKind:
    setattr(MilestonesForm, _kind.value, FormField(MilestoneRowForm, label=_kind.label))


class ReviewActionForm(BaseForm):
    """审核通过, 退回 or 重新打开 of the chosen reports; `confirmed` marks the second post."""

    action = HiddenField()
    confirmed = BooleanField()
    comment = TextAreaField("意见", validators=[Optional(), Length(max=NOTE_LENGTH,
                                                                   message=f"意见不能超过{NOTE_LENGTH}个字")])


class PhotoForm(BaseForm):
    """A photo's caption and the date it was taken (read from the photo, correctable)."""

    caption = StringField("说明", validators=[Optional(), Length(max=200, message="说明不能超过200个字")])
    taken_on = DateField("拍摄日期", validators=[Optional()])
