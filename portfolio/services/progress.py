"""Quarterly progress, annual plans and milestones: checks, writes, and the facts the rules read."""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portfolio.formatting import format_wan
from portfolio.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport, Project, ProjectStatus, ReviewState
from portfolio.rules import (
    MILESTONE_ORDER, MilestoneDates, ProjectFacts, ReportFigures, quarter_label, quarter_period, quarter_start,
)

PROGRESS_FIELDS = ("year", "quarter", "cumulative_investment", "quarter_investment", "physical_progress",
                   "works_status", "problems", "next_steps")

STATUS_AFTER_MILESTONE = {
    MilestoneKind.COMMENCEMENT: (ProjectStatus.UNDER_WAY, {ProjectStatus.PREPARING}),
    MilestoneKind.ACCEPTANCE: (ProjectStatus.COMPLETED,
                               {ProjectStatus.PREPARING, ProjectStatus.UNDER_WAY, ProjectStatus.SUSPENDED}),
    MilestoneKind.IN_USE: (ProjectStatus.IN_USE, {ProjectStatus.PREPARING, ProjectStatus.UNDER_WAY,
                                                  ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED}),
}
"""Recording a milestone's actual date moves the project on: (new status, statuses it moves from)."""


# --- the facts the rules need ------------------------------------------------------------

def facts_for(session: Session, projects: Iterable[Project], approved_only: bool = False) -> dict[int, ProjectFacts]:
    """ProjectFacts for each project, read in three queries per 500 projects; `approved_only` leaves
    out progress that has not passed review (已审核)."""
    projects = list(projects)
    ids = [project.id for project in projects]
    reports, plans, milestones = defaultdict(list), defaultdict(dict), defaultdict(list)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        report_query = select(ProgressReport.project_id, ProgressReport.year, ProgressReport.quarter,
                              ProgressReport.cumulative_investment, ProgressReport.quarter_investment,
                              ProgressReport.review_state).where(ProgressReport.project_id.in_(chunk))
        if approved_only:
            report_query = report_query.where(ProgressReport.review_state == ReviewState.APPROVED)
        for row in session.execute(report_query):
            reports[row.project_id].append(ReportFigures(row.year, row.quarter, row.cumulative_investment,
                                                         row.quarter_investment, row.review_state))
        for row in session.execute(select(AnnualPlan.project_id, AnnualPlan.year, AnnualPlan.planned_investment)
                                   .where(AnnualPlan.project_id.in_(chunk))):
            plans[row.project_id][row.year] = row.planned_investment
        for row in session.execute(select(Milestone.project_id, Milestone.kind, Milestone.planned_date,
                                          Milestone.actual_date).where(Milestone.project_id.in_(chunk))):
            milestones[row.project_id].append(MilestoneDates(row.kind, row.planned_date, row.actual_date))
    return {
        project.id: ProjectFacts(
            status=project.status, start_year=project.start_year, end_year=project.end_year,
            planned_investment=project.planned_investment, reports=tuple(reports[project.id]),
            annual_plans=plans[project.id], milestones=tuple(milestones[project.id]),
        )
        for project in projects
    }


def refresh_figures(session: Session, project: Project) -> None:
    """Recompute the figures kept on the project from its reports and milestones."""
    session.flush()
    newest = session.execute(
        select(ProgressReport.year, ProgressReport.quarter, ProgressReport.cumulative_investment)
        .where(ProgressReport.project_id == project.id)
        .order_by(ProgressReport.year.desc(), ProgressReport.quarter.desc())
        .limit(1)
    ).first()
    if newest is None:
        project.last_report_period = project.last_cumulative_investment = project.last_year_investment = None
    else:
        project.last_report_period = quarter_period(newest.year, newest.quarter)
        project.last_cumulative_investment = newest.cumulative_investment
        project.last_year_investment = session.scalar(
            select(func.sum(ProgressReport.quarter_investment))
            .where(ProgressReport.project_id == project.id, ProgressReport.year == newest.year)
        )
    project.open_milestone_due = session.scalar(
        select(func.min(Milestone.planned_date))
        .where(Milestone.project_id == project.id, Milestone.actual_date.is_(None))
    )
    session.flush()


# --- quarterly progress ------------------------------------------------------------------

def progress_errors(session: Session, project: Project, values: dict, today: date,
                    report_id: int | None = None) -> dict[str, str]:
    """Checks that need the project's other reports; field name → Chinese message."""
    errors = {}
    year, quarter = values["year"], values["quarter"]
    if quarter_start(year, quarter) > today:
        errors["quarter"] = f"{year}年第{quarter}季度尚未开始,不能填报"
    period = quarter_period(year, quarter)
    others = session.execute(
        select(ProgressReport.id, ProgressReport.year, ProgressReport.quarter, ProgressReport.cumulative_investment)
        .where(ProgressReport.project_id == project.id)
    ).all()
    cumulative = values["cumulative_investment"]
    for other in others:
        if other.id == report_id:
            continue
        other_period = quarter_period(other.year, other.quarter)
        if other_period == period:
            errors["quarter"] = f"{quarter_label(period)}已有进展,请在历史记录中编辑该季度"
        elif other_period < period and cumulative < other.cumulative_investment:
            errors["cumulative_investment"] = (
                f"累计完成投资({format_wan(cumulative)}万元)低于{quarter_label(other_period)}的累计"
                f"({format_wan(other.cumulative_investment)}万元),累计投资不能减少"
            )
        elif other_period > period and cumulative > other.cumulative_investment:
            errors["cumulative_investment"] = (
                f"累计完成投资({format_wan(cumulative)}万元)高于之后{quarter_label(other_period)}的累计"
                f"({format_wan(other.cumulative_investment)}万元)"
            )
    if values["quarter_investment"] > cumulative:
        errors["quarter_investment"] = "本季度完成投资不能大于累计完成投资"
    return errors


def save_progress(session: Session, project: Project, values: dict, report: ProgressReport | None = None
                  ) -> ProgressReport:
    if report is None:
        report = ProgressReport(project=project)
        session.add(report)
    for name in PROGRESS_FIELDS:
        setattr(report, name, values[name])
    if report.id is not None and session.is_modified(report):
        report.version += 1
    refresh_figures(session, project)
    return report


def delete_progress(session: Session, report: ProgressReport) -> None:
    project = report.project
    session.delete(report)
    refresh_figures(session, project)


def progress_history(session: Session, project: Project) -> list[ProgressReport]:
    return list(session.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project.id)
        .order_by(ProgressReport.year.desc(), ProgressReport.quarter.desc())
    ))


# --- annual plans --------------------------------------------------------------------------

@dataclass(frozen=True)
class AnnualPlanRow:
    year: int
    planned: Decimal | None
    completed: Decimal

    @property
    def rate(self) -> Decimal | None:
        return self.completed / self.planned if self.planned else None


def annual_plan_rows(session: Session, project: Project) -> list[AnnualPlanRow]:
    """Each year with a plan or reported investment: the plan beside what was completed that year."""
    planned = {plan.year: plan.planned_investment for plan in project.annual_plans}
    completed = {year: total for year, total in session.execute(
        select(ProgressReport.year, func.sum(ProgressReport.quarter_investment))
        .where(ProgressReport.project_id == project.id).group_by(ProgressReport.year)
    )}
    return [AnnualPlanRow(year, planned.get(year), completed.get(year) or Decimal(0))
            for year in sorted(set(planned) | set(completed))]


def save_annual_plan(session: Session, project: Project, year: int, amount: Decimal) -> AnnualPlan:
    plan = session.scalar(select(AnnualPlan).where(AnnualPlan.project_id == project.id, AnnualPlan.year == year))
    if plan is None:
        plan = AnnualPlan(project=project, year=year, planned_investment=amount)
        session.add(plan)
    plan.planned_investment = amount
    session.flush()
    return plan


def delete_annual_plan(session: Session, plan: AnnualPlan) -> None:
    session.delete(plan)
    session.flush()


# --- milestones ----------------------------------------------------------------------------

def milestone_errors(rows: dict[MilestoneKind, dict], today: date) -> dict[tuple[MilestoneKind, str], str]:
    """(kind, "planned_date" or "actual_date") → message: actual dates not in the future, and
    planned and actual dates each in the standard order of kinds (竣工验收 not before 开工)."""
    errors = {}
    for kind, row in rows.items():
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


def save_milestones(session: Session, project: Project, rows: dict[MilestoneKind, dict]) -> str | None:
    """Write the milestones; returns the status change it caused, in words, if any."""
    existing = {milestone.kind: milestone for milestone in project.milestones}
    newly_reached = []
    for kind, row in rows.items():
        milestone = existing.get(kind)
        if not any(row.values()):
            if milestone is not None:
                session.delete(milestone)
            continue
        if milestone is None:
            milestone = Milestone(project=project, kind=kind)
            session.add(milestone)
        if row["actual_date"] and not milestone.actual_date:
            newly_reached.append(kind)
        milestone.planned_date, milestone.actual_date, milestone.note = row["planned_date"], row["actual_date"], row["note"]
    original, reached_by = project.status, None
    for kind in sorted(newly_reached, key=MILESTONE_ORDER.get):
        new_status, moves_from = STATUS_AFTER_MILESTONE.get(kind, (None, ()))
        if project.status in moves_from:
            project.status, reached_by = new_status, kind
    refresh_figures(session, project)
    if reached_by is None:
        return None
    return f"已记录“{reached_by.label}”的实际日期,项目状态由“{original.label}”改为“{project.status.label}”"


@dataclass(frozen=True)
class TimelineEntry:
    kind: MilestoneKind
    planned_date: date | None
    actual_date: date | None
    note: str | None
    state: str
    """reached, late, upcoming or unplanned."""

    @property
    def state_label(self) -> str:
        return {"reached": "已完成", "late": "滞后", "upcoming": "未到期", "unplanned": "未计划"}[self.state]


def milestone_timeline(project: Project, as_of: date) -> list[TimelineEntry]:
    """The eight standard milestones in order, each reached, late, upcoming or not planned."""
    recorded = {milestone.kind: milestone for milestone in project.milestones}
    entries = []
    for kind in MilestoneKind:
        milestone = recorded.get(kind)
        planned = milestone.planned_date if milestone else None
        actual = milestone.actual_date if milestone else None
        if actual:
            state = "reached"
        elif planned is None:
            state = "unplanned"
        else:
            state = "late" if planned < as_of else "upcoming"
        entries.append(TimelineEntry(kind, planned, actual, milestone.note if milestone else None, state))
    return entries


def refresh_all_figures(session: Session) -> None:
    """`refresh_figures` for every project in two set-based statements (bulk loads, benchmarks)."""
    report = ProgressReport.__table__
    of_project = report.c.project_id == Project.id
    session.execute(update(Project).values(
        last_report_period=select(func.max(report.c.year * 4 + report.c.quarter - 1)).where(of_project).scalar_subquery(),
        last_cumulative_investment=select(report.c.cumulative_investment).where(of_project)
        .order_by(report.c.year.desc(), report.c.quarter.desc()).limit(1).scalar_subquery(),
        open_milestone_due=select(func.min(Milestone.planned_date))
        .where(Milestone.project_id == Project.id, Milestone.actual_date.is_(None)).scalar_subquery(),
    ).execution_options(synchronize_session=False))
    # A second statement, because SET expressions see the row as it was before the first.
    session.execute(update(Project).values(
        last_year_investment=select(func.sum(report.c.quarter_investment))
        .where(of_project, report.c.year == Project.last_report_period // 4).scalar_subquery(),
    ).execution_options(synchronize_session=False))
