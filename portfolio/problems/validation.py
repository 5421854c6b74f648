"""The one validation of problems, their coordination and 督办单. Forms (and later the API) parse
what was typed into plain values and call these functions; each returns {field name: Chinese
message}, empty when the values may be written."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_date
from portfolio.core.limits import LAST_YEAR
from portfolio.core.parsing import text_problem
from portfolio.problems.models import NoticeState, Problem, ProblemKind, ProblemState, SupervisionNotice
from portfolio.registry.models import Project, ProjectStatus, Region

TEXT_LENGTH = 2000
UNITS_LENGTH = 200
NOTICE_UNIT_LENGTH = 100
PROBLEM_LABELS = {"kind": "问题类型", "description": "问题描述", "responsible_units": "责任单位", "deadline": "办结时限"}
FORWARD = {
    ProblemState.PENDING: {ProblemState.PENDING, ProblemState.COORDINATING, ProblemState.SOLVED,
                           ProblemState.UNSOLVABLE},
    ProblemState.COORDINATING: {ProblemState.COORDINATING, ProblemState.SOLVED, ProblemState.UNSOLVABLE},
}
"""The states an open problem may move to (or stay in): only forward."""


def _required_text(errors: dict, name: str, label: str, text: str | None, limit: int) -> None:
    if not (text or "").strip():
        errors[name] = f"请填写{label}"
    elif problem := text_problem(label, text, limit):
        errors[name] = problem


def problem_errors(project: Project, values: dict, today: date) -> dict[str, str]:
    """A new problem of `project`: type, description (at most 2000 characters), responsible units,
    and a deadline that is not in the past; none on a cancelled project."""
    errors = {}
    if project.status is ProjectStatus.CANCELLED:
        errors["project"] = "项目已取消，不能登记问题"
    if not isinstance(values.get("kind"), ProblemKind):
        errors["kind"] = "请选择问题类型"
    _required_text(errors, "description", "问题描述", values.get("description"), TEXT_LENGTH)
    _required_text(errors, "responsible_units", "责任单位", values.get("responsible_units"), UNITS_LENGTH)
    deadline = values.get("deadline")
    if deadline is not None and deadline < today:
        errors["deadline"] = f"办结时限（{format_date(deadline)}）早于今天，请填写今天或以后的日期"
    elif deadline is not None and deadline.year > LAST_YEAR:
        errors["deadline"] = f"办结时限（{format_date(deadline)}）太远，应在{LAST_YEAR}年以前"
    return errors


def closed_refusal(problem: Problem) -> str | None:
    """Why a problem can no longer change: it has been closed."""
    if problem.state.is_open:
        return None
    return f"该问题已于{format_date(problem.closed_on)}办结（{problem.state.label}），不能再更改"


def update_errors(problem: Problem, values: dict) -> dict[str, str]:
    """A coordination step on a problem: a reply (required) and perhaps a new state, only forward
    (待协调 → 协调中 → 已解决 or 无法解决); 无法解决 needs the reason; a closed problem stays as it is."""
    if refusal := closed_refusal(problem):
        return {"body": refusal}
    errors = {}
    _required_text(errors, "body", "协调进展", values.get("body"), TEXT_LENGTH)
    state = values.get("state")
    if not isinstance(state, ProblemState):
        errors["state"] = "请选择状态"
    elif state not in FORWARD[problem.state]:
        errors["state"] = f"状态只能向前推进：{problem.state.label}的问题不能改为{state.label}"
    note = values.get("closing_note")
    if state is ProblemState.UNSOLVABLE and not (note or "").strip():
        errors["closing_note"] = "请填写无法解决的原因"
    elif problem_text := text_problem("说明", note, TEXT_LENGTH):
        errors["closing_note"] = problem_text
    return errors


def notice_errors(session: Session, values: dict, today: date) -> dict[str, str]:
    """A new 督办单: at least one open problem, a county or a unit to send it to (a county only about
    its own problems), a reply deadline from today on, and what is required."""
    errors = {}
    problem_ids = values.get("problem_ids") or []
    problems = list(session.scalars(select(Problem).where(Problem.id.in_(problem_ids)))) if problem_ids else []
    region = session.get(Region, values["region_id"]) if values.get("region_id") else None
    unit = (values.get("unit") or "").strip()
    if not problems:
        errors["problem_ids"] = "请至少选择一个督办的问题"
    elif closed := [p for p in problems if not p.state.is_open]:
        errors["problem_ids"] = f"问题“{closed[0].description[:30]}”已办结，不能督办"
    elif region is not None and (elsewhere := [p for p in problems if p.project.region_id != region.id]):
        errors["problem_ids"] = (f"问题“{elsewhere[0].description[:30]}”属于{elsewhere[0].project.region.name}，"
                                 f"不能督办{region.name}")
    if values.get("region_id") and region is None:
        errors["region_id"] = "所选县(市、区)不存在"
    elif region is None and not unit:
        errors["region_id"] = "请选择督办的县(市、区)或填写督办单位"
    if problem := text_problem("督办单位", unit, NOTICE_UNIT_LENGTH):
        errors["unit"] = problem
    deadline = values.get("reply_deadline")
    if deadline is None:
        errors["reply_deadline"] = "请填写回复期限"
    elif deadline < today:
        errors["reply_deadline"] = f"回复期限（{format_date(deadline)}）早于今天，请填写今天或以后的日期"
    elif deadline.year > LAST_YEAR:
        errors["reply_deadline"] = f"回复期限（{format_date(deadline)}）太远，应在{LAST_YEAR}年以前"
    _required_text(errors, "requirement", "督办事项", values.get("requirement"), TEXT_LENGTH)
    return errors


def notice_reply_errors(notice: SupervisionNotice, values: dict) -> dict[str, str]:
    if notice.state is NoticeState.CLOSED:
        return {"reply": "该督办单已办结，不能再回复"}
    errors = {}
    _required_text(errors, "reply", "回复内容", values.get("reply"), TEXT_LENGTH)
    return errors


def close_refusal(notice: SupervisionNotice) -> str | None:
    return "该督办单已办结" if notice.state is NoticeState.CLOSED else None
