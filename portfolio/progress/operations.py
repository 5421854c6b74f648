"""Writing quarterly progress, annual plans and milestones. Operations flush; the view or
command commits once. Values have passed `portfolio.progress.validation` before they come here."""
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.progress.review import after_edit
from portfolio.registry.models import Project, ProjectStatus
from portfolio.registry.operations import change_status
from portfolio.rules import MILESTONE_ORDER

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


def save_progress(session: Session, project: Project, values: dict, report: ProgressReport | None = None
                  ) -> ProgressReport:
    if report is None:
        report = ProgressReport(project=project)
        session.add(report)
    for name in PROGRESS_FIELDS:
        setattr(report, name, values[name])
    if report.id is not None and session.is_modified(report):
        report.version += 1
    session.flush()
    following = session.scalar(select(ProgressReport).where(
        ProgressReport.project_id == project.id,
        ProgressReport.year * 4 + ProgressReport.quarter == report.year * 4 + report.quarter + 1))
    if following is not None and following.quarter_investment != (
            rise := following.cumulative_investment - report.cumulative_investment):
        following.quarter_investment = rise  # 本季度 of the next quarter follows this quarter's 累计
    session.flush()  # the stored judgement follows (portfolio.judgements)
    after_edit(report)
    return report


def delete_progress(session: Session, report: ProgressReport) -> None:
    session.delete(report)
    session.flush()  # the stored judgement follows (portfolio.judgements)


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
            change_status(session, project, new_status, rows[kind]["actual_date"], kind.value)
            reached_by = kind
    session.flush()  # the stored judgement follows (portfolio.judgements)
    if reached_by is None:
        return None
    return f"已记录“{reached_by.label}”的实际日期，项目状态由“{original.label}”改为“{project.status.label}”"


