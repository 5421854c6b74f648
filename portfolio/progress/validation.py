"""The one validation of quarterly progress, annual plans and milestones.

The progress form, the progress template import (and later the API) parse what people typed
into plain values and call these functions; every check lives here once. Each returns
{field name: Chinese message}; an empty result means the values may be written.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_wan
from portfolio.core.limits import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_AMOUNT,
    MAX_AMOUNT_TEXT,
    NOTE_LENGTH,
    PROGRESS_TEXT_LENGTH,
)
from portfolio.core.parsing import date_problem, text_problem
from portfolio.progress.models import MilestoneKind, ProgressReport
from portfolio.registry.models import Project
from portfolio.rules import quarter_end, quarter_label, quarter_period, quarter_start

PROGRESS_LABELS = {
    "year": "年份", "quarter": "季度", "cumulative_investment": "累计完成投资(万元)",
    "quarter_investment": "本季度完成投资(万元)", "physical_progress": "工程进度(%)", "works_status": "形象进度",
    "problems": "存在问题", "next_steps": "下步计划",
}
AMOUNT_FIELDS = ("cumulative_investment", "quarter_investment")
TEXT_FIELDS = ("works_status", "problems", "next_steps")


def year_error(year: int | None) -> str | None:
    if year is None:
        return "请填写年份"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"年份应在{FIRST_YEAR}–{LAST_YEAR}之间"
    return None


def amount_error(amount: Decimal | None) -> str | None:
    if amount is None:
        return "请填写金额"
    if not 0 <= amount <= MAX_AMOUNT:
        return f"应在0–{MAX_AMOUNT_TEXT}万元之间"
    return None


def progress_errors(session: Session, project: Project, values: dict, today: date,
                    report_id: int | None = None, others: list[tuple] | None = None) -> dict[str, str]:
    """Every check of one quarter's progress (DESIGN.md, "Figures people type"): each value on its
    own, then against the project's other reports — the quarter is free and has begun, cumulative
    investment never falls, 本季度 equals the rise in cumulative investment since the previous
    quarter when that quarter was reported (an empty 本季度 is then filled in with it), and a fall
    in 工程进度 is explained under 存在问题. `others` are the project's reports as (id, year,
    quarter, cumulative investment, physical progress) when the caller has read them already."""
    errors = {}
    if message := year_error(values.get("year")):
        errors["year"] = message
    if values.get("quarter") not in (1, 2, 3, 4):
        errors["quarter"] = "季度应为1–4"
    if message := amount_error(values.get("cumulative_investment")):
        errors["cumulative_investment"] = message
    if values.get("quarter_investment") is not None and (message := amount_error(values["quarter_investment"])):
        errors["quarter_investment"] = message
    percent = values.get("physical_progress")
    if percent is None:
        errors["physical_progress"] = "请填写工程进度"
    elif not 0 <= percent <= 100:
        errors["physical_progress"] = "工程进度应在0–100%之间"
    for name in TEXT_FIELDS:
        if problem := text_problem(PROGRESS_LABELS[name], values.get(name), PROGRESS_TEXT_LENGTH):
            errors[name] = problem
    if errors:
        return errors

    year, quarter = values["year"], values["quarter"]
    period = quarter_period(year, quarter)
    if quarter_start(year, quarter) > today:
        errors["quarter"] = f"{year}年第{quarter}季度尚未开始，不能填报"
    elif quarter_end(year, quarter) < date(project.start_year - 2, 1, 1):
        errors["quarter"] = f"{quarter_label(period)}早于项目计划开工（{project.start_year}年）两年以上，不能填报"
    if others is None:
        others = session.execute(
            select(ProgressReport.id, ProgressReport.year, ProgressReport.quarter, ProgressReport.cumulative_investment,
                   ProgressReport.physical_progress).where(ProgressReport.project_id == project.id)
        ).all()
    cumulative = values["cumulative_investment"]
    earlier = []
    for other_id, other_year, other_quarter, other_cumulative, other_percent in others:
        if other_id == report_id:
            continue
        other_period = quarter_period(other_year, other_quarter)
        if other_period == period:
            errors["quarter"] = f"{quarter_label(period)}已有进展，请在历史记录中编辑该季度"
        elif other_period < period:
            earlier.append((other_period, other_cumulative, other_percent))
            if cumulative < other_cumulative:
                errors["cumulative_investment"] = (
                    f"累计完成投资（{format_wan(cumulative)}万元）低于{quarter_label(other_period)}的累计"
                    f"（{format_wan(other_cumulative)}万元），累计投资不能减少")
        elif cumulative > other_cumulative:
            errors["cumulative_investment"] = (
                f"累计完成投资（{format_wan(cumulative)}万元）高于之后{quarter_label(other_period)}的累计"
                f"（{format_wan(other_cumulative)}万元）")
    if errors:
        return errors
    previous = max(earlier, default=None)
    if previous is not None and previous[0] == period - 1:
        rise = cumulative - previous[1]
        if values.get("quarter_investment") is None:
            values["quarter_investment"] = rise
        elif values["quarter_investment"] != rise:
            errors["quarter_investment"] = (
                f"本季度完成投资应为本季度累计（{format_wan(cumulative)}万元）减去{quarter_label(period - 1)}累计"
                f"（{format_wan(previous[1])}万元），即{format_wan(rise)}万元，而不是{format_wan(values['quarter_investment'])}万元")
    elif values.get("quarter_investment") is None:
        errors["quarter_investment"] = "请填写金额（上一季度未填报，无法自动计算）"
    elif values["quarter_investment"] > cumulative:
        errors["quarter_investment"] = "本季度完成投资不能大于累计完成投资"
    if previous is not None and previous[2] is not None and percent < previous[2] and not (values.get("problems") or "").strip():
        errors["problems"] = (f"工程进度由{quarter_label(previous[0])}的{previous[2].normalize():f}%降至"
                              f"{percent.normalize():f}%，请在“存在问题”中说明原因")
    return errors


def progress_notices(project: Project, values: dict) -> list[str]:
    """What is saved but worth saying: cumulative investment above the planned investment."""
    if values["cumulative_investment"] > project.planned_investment:
        return [f"超计划投资：累计完成投资{format_wan(values['cumulative_investment'])}万元超过计划投资"
                f"{format_wan(project.planned_investment)}万元"]
    return []


def annual_plan_notice(planned_investment: Decimal, cumulative_before: Decimal, year: int, amount: Decimal) -> str | None:
    """An annual plan larger than what is left to invest is saved, with this warning."""
    remaining = planned_investment - cumulative_before
    if amount > remaining:
        return (f"{year}年度计划投资{format_wan(amount)}万元超过尚未完成的投资{format_wan(remaining)}万元"
                f"（计划投资{format_wan(planned_investment)}万元－{year - 1}年末累计{format_wan(cumulative_before)}万元）")
    return None


def annual_plan_errors(values: dict) -> dict[str, str]:
    errors = {}
    if message := year_error(values.get("year")):
        errors["year"] = message
    if message := amount_error(values.get("planned_investment")):
        errors["planned_investment"] = message
    return errors


def milestone_errors(rows: dict[MilestoneKind, dict], today: date) -> dict[tuple[MilestoneKind, str], str]:
    """(kind, "planned_date", "actual_date" or "note") → message: actual dates not in the future,
    planned and actual dates each in the standard order of kinds (竣工验收 not before 开工), and notes
    without control characters (PostgreSQL cannot even store a NUL)."""
    errors = {}
    for kind, row in rows.items():
        if problem := text_problem(f"“{kind.label}”的备注", row.get("note"), NOTE_LENGTH):
            errors[kind, "note"] = problem
        for which, label in (("planned_date", "计划日期"), ("actual_date", "实际日期")):
            if row[which] and (problem := date_problem(f"“{kind.label}”的{label}", row[which])):
                errors[kind, which] = problem
        if row["actual_date"] and row["actual_date"] > today:
            errors[kind, "actual_date"] = f"“{kind.label}”的实际日期{row['actual_date'].isoformat()}晚于今天"
    for which, label in (("actual_date", "实际"), ("planned_date", "计划")):
        dated = [(kind, rows[kind][which]) for kind in MilestoneKind if kind in rows and rows[kind][which]]
        for (earlier, earlier_date), (later, later_date) in zip(dated, dated[1:]):
            if later_date < earlier_date:
                errors.setdefault((later, which), (
                    f"“{later.label}”的{label}日期{later_date.isoformat()}早于"
                    f"“{earlier.label}”的{label}日期{earlier_date.isoformat()}"))
    return errors
