"""Demo progress for trying the app: generated, marked on every row it makes, removable.

A project's recorded status (已取消, 暂停, 已竣工 …, or any with history), figures and history are
never changed: only a project whose status nobody recorded (`UNSTATED`, no history) has its status
drawn, in history rows marked `demo` that start from the status it had; 已取消 and 暂停 projects
get nothing, and `remove_demo_progress` puts back exactly what was there.
The generated data obeys the rules a real project would: a project whose 竣工验收 is recorded
is 已竣工，one 在建 has its 开工，reports start from the 开工 quarter and their 本季度 is the
rise in 累计；some projects finish, some are on plan, some lag, some start late, so the
dashboard shows a mix of lights. Everything goes through the ORM, so the audit trail records
it, and `remove_demo_progress` deletes only rows marked `generated`, never what a person entered.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.registry.models import Project, ProjectStatus, StatusChange, in_registry
from portfolio.registry.operations import change_status
from portfolio.rules import period_quarter, quarter_end, quarter_of, quarter_period, round_quarter

KINDS = list(MilestoneKind)
REACHED_BY_STATUS = {ProjectStatus.PREPARING: 3, ProjectStatus.UNDER_WAY: 5, ProjectStatus.COMPLETED: 7,
                     ProjectStatus.IN_USE: 8}
"""How many milestones (in order) a project of each status has reached."""
PLANNED_AT = (-240, -180, -120, -60, 0, 0.7, 0.97, 1.0)
"""Planned dates: the approvals days before the planned start, the rest as shares of the build period."""
CENT = Decimal("0.01")
DEMO = "demo"


def add_demo_progress(session: Session, today: date, seed: int = 1) -> int:
    """Generate progress for every project (not archived) that has no progress, milestone or annual
    plan yet; returns how many projects got some."""
    rng = random.Random(seed)
    projects = session.scalars(
        select(Project)
        .where(in_registry(), *(Project.id.not_in(select(model.project_id))
                                for model in (ProgressReport, Milestone, AnnualPlan)))
        .order_by(Project.id)
    ).all()
    made = 0
    for project in projects:
        unstated = _status_unstated(session, project)
        if not unstated and project.status not in REACHED_BY_STATUS:
            continue  # 已取消 and 暂停 projects are left alone
        drawn = _status_for(rng, project, today) if unstated else None
        if drawn is ProjectStatus.PREPARING and project.status is ProjectStatus.UNDER_WAY:
            drawn = ProjectStatus.UNDER_WAY  # a history that starts 在建 cannot go back to 前期
        _generate(session, rng, project, today, drawn)
        project.demo_data = True
        session.flush()  # the stored judgement follows (portfolio.judgements)
        made += 1
    return made


UNSTATED = (ProjectStatus.PREPARING, ProjectStatus.UNDER_WAY)
"""The statuses a project has when nobody recorded one: a plan table's projects are 在建 until
someone records otherwise (`registry.seed.DEFAULT_STATUS`), a new one is 前期."""


def _status_unstated(session: Session, project: Project) -> bool:
    """No status history and an `UNSTATED` status: only such a project's status is drawn by the
    demo; any other (已取消, 暂停, 已竣工, or one with history) is never changed."""
    return project.status in UNSTATED and session.scalar(
        select(StatusChange.id).where(StatusChange.project_id == project.id).limit(1)) is None


def _status_for(rng: random.Random, project: Project, today: date) -> ProjectStatus:
    if project.planned_start > today:
        return ProjectStatus.PREPARING
    if project.planned_end < today:
        return rng.choice([ProjectStatus.IN_USE, ProjectStatus.IN_USE, ProjectStatus.COMPLETED,
                           ProjectStatus.UNDER_WAY])
    return rng.choice([ProjectStatus.UNDER_WAY] * 5 + [ProjectStatus.PREPARING])


def _generate(session: Session, rng: random.Random, project: Project, today: date,
              drawn: ProjectStatus | None) -> None:
    """Milestones, reports and an annual plan fitting the project's status — the `drawn` one (then
    its history is generated too, in rows marked `DEMO`), or, when None, the status it has."""
    status = drawn or project.status
    start, span = project.planned_start, (project.planned_end - project.planned_start).days
    reached = REACHED_BY_STATUS[status]
    delay = rng.choice([0, 0, 15, 45, 120])
    actual_dates: dict[MilestoneKind, date] = {}
    previous = start - timedelta(days=400)
    for index, kind in enumerate(KINDS):
        planned = start + timedelta(days=PLANNED_AT[index] if index < 4 else int(span * PLANNED_AT[index]))
        actual = None
        if index < reached:
            actual = min(max(planned + timedelta(days=delay + rng.randint(0, 20)), previous), today)
            previous = actual
        actual_dates[kind] = actual
        session.add(Milestone(project=project, kind=kind, planned_date=planned, actual_date=actual,
                              note="演示数据", generated=True))
    if drawn is not None:  # the history starts with the status it had (restored by `remove_demo_progress`)
        session.add(StatusChange(project=project, status=project.status, since=None, source=DEMO))
        session.flush()  # the history exists: `change_status` adds no "initial" row of its own
        for kind, moved_to in ((MilestoneKind.COMMENCEMENT, ProjectStatus.UNDER_WAY),
                               (MilestoneKind.ACCEPTANCE, ProjectStatus.COMPLETED),
                               (MilestoneKind.IN_USE, ProjectStatus.IN_USE)):
            if actual_dates[kind] is not None and project.status is not moved_to:
                change_status(session, project, moved_to, actual_dates[kind], DEMO)
    if (commenced := actual_dates[MilestoneKind.COMMENCEMENT]) is not None:
        _reports(session, rng, project, commenced, actual_dates[MilestoneKind.ACCEPTANCE], today)
    if project.start_year <= today.year <= project.end_year and status is not ProjectStatus.IN_USE:
        share = Decimal(1) / (project.end_year - max(project.start_year, today.year) + 1)
        amount = (project.planned_investment * share * Decimal(rng.choice([80, 100, 120])) / 100).quantize(CENT)
        session.add(AnnualPlan(project=project, year=today.year, planned_investment=amount, generated=True))


def _reports(session: Session, rng: random.Random, project: Project, commenced: date, accepted: date | None,
             today: date) -> None:
    """Quarterly reports from the 开工 quarter on, at a pace on plan or behind it, 本季度 = Δ累计."""
    pace = Decimal(rng.choice([100, 100, 95, 80, 60, 40])) / 100
    first = quarter_period(commenced.year, quarter_of(commenced))
    last = quarter_period(*round_quarter(today))
    if accepted is not None:
        last = min(last, quarter_period(accepted.year, quarter_of(accepted)))
    skipped = last if rng.random() < 0.15 and accepted is None else None
    span = Decimal((project.planned_end - commenced).days + 1)
    cumulative, percent = Decimal(0), Decimal(0)
    for period in range(first, last + 1):
        if period == skipped:
            continue
        year, quarter = period_quarter(period)
        elapsed = min(Decimal((quarter_end(year, quarter) - commenced).days + 1) / span, Decimal(1))
        share = Decimal(1) if accepted is not None and period == last else min(elapsed * pace, Decimal(1))
        new_cumulative = max(cumulative, (project.planned_investment * share).quantize(CENT))
        percent = max(percent, (share * 100).quantize(CENT))
        session.add(ProgressReport(project=project, year=year, quarter=quarter, cumulative_investment=new_cumulative,
                                   quarter_investment=new_cumulative - cumulative, physical_progress=percent,
                                   works_status="演示数据：按计划推进" if pace >= 1 else "演示数据：进度滞后",
                                   generated=True))
        cumulative = new_cumulative


def remove_demo_progress(session: Session) -> int:
    """Delete the rows `add_demo_progress` made — one by one through the ORM, so the audit trail
    records each — and undo the status changes it made. Returns how many projects were cleaned."""
    projects = session.scalars(select(Project).where(Project.demo_data).order_by(Project.id)).all()
    for project in projects:
        for model in (ProgressReport, Milestone, AnnualPlan):
            for row in session.scalars(select(model).where(model.project_id == project.id, model.generated)):
                session.delete(row)
        demo_changes = session.scalars(select(StatusChange).where(StatusChange.project_id == project.id,
                                                                  StatusChange.source == DEMO)).all()
        for change in demo_changes:
            session.delete(change)
        session.flush()
        if first := next((change for change in demo_changes if change.since is None), None):
            project.status, project.status_since = first.status, None  # the status it had before
        project.demo_data = False
        session.flush()  # the stored judgement follows (portfolio.judgements)
    return len(projects)
