"""Reading a project's progress: its reports newest first, annual plans beside what was
completed each year, the milestones as a timeline, and fingerprints of the annual plans and
milestones a form showed (their version check: a save based on what someone else has since
changed is refused, not silently applied)."""
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portfolio.progress.models import MilestoneKind, ProgressPhoto, ProgressReport
from portfolio.progress.validation import annual_plan_notice
from portfolio.registry.models import Project


def progress_history(session: Session, project: Project) -> list[ProgressReport]:
    return list(session.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project.id)
        .order_by(ProgressReport.year.desc(), ProgressReport.quarter.desc())
    ))


@dataclass(frozen=True)
class AnnualPlanRow:
    year: int
    planned: Decimal | None
    completed: Decimal
    notice: str | None = None
    """Set when the plan is larger than what was left to invest at the start of the year."""

    @property
    def rate(self) -> Decimal | None:
        return self.completed / self.planned if self.planned else None


def annual_plan_rows(session: Session, project: Project) -> list[AnnualPlanRow]:
    """Each year with a plan or reported investment: the plan beside what was completed that year."""
    planned = {plan.year: plan.planned_investment for plan in project.annual_plans}
    reports = session.execute(
        select(ProgressReport.year, ProgressReport.quarter, ProgressReport.quarter_investment,
               ProgressReport.cumulative_investment).where(ProgressReport.project_id == project.id)
        .order_by(ProgressReport.year, ProgressReport.quarter)
    ).all()
    completed: dict[int, Decimal] = {}
    for report in reports:
        completed[report.year] = completed.get(report.year, Decimal(0)) + report.quarter_investment

    def cumulative_before(year: int) -> Decimal:
        return max((r.cumulative_investment for r in reports if r.year < year), default=Decimal(0))

    return [AnnualPlanRow(year, planned.get(year), completed.get(year) or Decimal(0),
                          annual_plan_notice(project.planned_investment, cumulative_before(year), year, planned[year])
                          if year in planned else None)
            for year in sorted(set(planned) | set(completed))]


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


def annual_plans_seen(project: Project) -> str:
    """A fingerprint of the project's annual plans, as a form showed them."""
    return _fingerprint(sorted((plan.year, str(plan.planned_investment)) for plan in project.annual_plans))


def milestones_seen(project: Project) -> str:
    """A fingerprint of the project's milestones, as a form showed them."""
    return _fingerprint(sorted((m.kind.value, str(m.planned_date), str(m.actual_date), m.note or "")
                               for m in project.milestones))


def _fingerprint(values) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def project_photos(session: Session, project: Project) -> list[ProgressReport]:
    """The project's reports that have photos, newest quarter first, photos loaded."""
    return list(session.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project.id, ProgressReport.photos.any())
        .options(selectinload(ProgressReport.photos))
        .order_by(ProgressReport.year.desc(), ProgressReport.quarter.desc())))


def newest_photos(session: Session, project_ids: list[int]) -> dict[int, ProgressPhoto]:
    """Each project's newest photo (newest quarter, then newest upload), for the list's thumbnails."""
    newest: dict[int, ProgressPhoto] = {}
    for photo in session.scalars(
            select(ProgressPhoto).join(ProgressPhoto.report).where(ProgressPhoto.project_id.in_(project_ids))
            .order_by(ProgressReport.year.desc(), ProgressReport.quarter.desc(), ProgressPhoto.id.desc())):
        newest.setdefault(photo.project_id, photo)
    return newest
