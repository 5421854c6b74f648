"""Review of quarterly progress: 草稿 → 已报送 → 已审核，or back to 退回 with the reviewer's comment."""
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portfolio.accounts.models import Role, User
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project

EDITABLE_BY_COUNTY = {ReviewState.DRAFT, ReviewState.RETURNED}


def edit_refusal(user: User | None, report: ProgressReport) -> str | None:
    """Why `user` may not change this report now, or None — the one lock check of the form, the
    template import and the API. `None` is the command line, which acts with the city's rights."""
    if report.review_state is ReviewState.APPROVED:
        return "该季度进展已审核，已锁定；如需修改，请市级重新打开"
    if user is not None and user.role is Role.COUNTY and report.review_state not in EDITABLE_BY_COUNTY:
        return "该季度进展已报送，正在审核，不能修改；如需修改，请市级退回"
    return None


def after_edit(report: ProgressReport) -> None:
    """A returned report that is edited becomes a draft again, to be submitted anew."""
    if report.review_state is ReviewState.RETURNED:
        report.review_state = ReviewState.DRAFT


def quarter_reports(session: Session, year: int, quarter: int, region_id: int | None = None) -> list[ProgressReport]:
    query = (select(ProgressReport).join(ProgressReport.project)
             .options(joinedload(ProgressReport.project).joinedload(Project.region))
             .where(ProgressReport.year == year, ProgressReport.quarter == quarter)
             .order_by(Project.region_id, Project.id))
    if region_id:
        query = query.where(Project.region_id == region_id)
    return list(session.scalars(query))


def submit_quarter(session: Session, region_id: int, year: int, quarter: int) -> int:
    """Submit every draft or returned report of the region's projects for the quarter; returns how many."""
    reports = [r for r in quarter_reports(session, year, quarter, region_id) if r.review_state in EDITABLE_BY_COUNTY]
    for report in reports:
        report.review_state = ReviewState.SUBMITTED
        report.version += 1
    session.flush()
    return len(reports)


def approve(session: Session, report: ProgressReport) -> None:
    if report.review_state is not ReviewState.SUBMITTED:
        raise ValueError("只有已报送的进展可以审核")
    report.review_state, report.review_comment = ReviewState.APPROVED, None
    report.version += 1
    session.flush()


def send_back(session: Session, report: ProgressReport, comment: str) -> None:
    if report.review_state is not ReviewState.SUBMITTED:
        raise ValueError("只有已报送的进展可以退回")
    report.review_state, report.review_comment = ReviewState.RETURNED, comment
    report.version += 1
    session.flush()


def reopen(session: Session, report: ProgressReport, comment: str | None = None) -> None:
    if report.review_state is not ReviewState.APPROVED:
        raise ValueError("只有已审核的进展需要重新打开")
    report.review_state, report.review_comment = ReviewState.RETURNED, comment or "市级重新打开"
    report.version += 1
    session.flush()


