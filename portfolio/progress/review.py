"""Review of quarterly progress: 草稿 → 已报送 → 已审核，or back to 退回 with the reviewer's comment."""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role, User
from portfolio.core.enums import LabelledEnum
from portfolio.judgements.moments import report_moment
from portfolio.judgements.queries import assessments_at
from portfolio.problems.models import Problem
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project, in_registry
from portfolio.rules import Assessment, Thresholds, period_quarter, quarter_period

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
    """A returned report that is edited becomes a draft again, to be submitted anew (`save_progress`
    applies it, for the form, the template import and the API alike)."""
    if report.review_state is ReviewState.RETURNED:
        report.review_state = ReviewState.DRAFT


def submit_quarter(session: Session, region_id: int, year: int, quarter: int) -> int:
    """Submit every draft of the region's projects for the quarter; returns how many (0: nothing was
    waiting, which the page refuses to call a submission). A returned report is not among them until
    it is edited (`after_edit` makes it a draft again): resubmitting it unchanged would ignore the
    reviewer's reason."""
    reports = session.scalars(
        select(ProgressReport).join(ProgressReport.project)
        .where(ProgressReport.year == year, ProgressReport.quarter == quarter, Project.region_id == region_id,
               ProgressReport.review_state == ReviewState.DRAFT, in_registry())).all()
    for report in reports:
        report.review_state = ReviewState.SUBMITTED
        report.version += 1
    session.flush()
    return len(reports)


class ReviewAction(LabelledEnum):
    """What a reviewer does to one or several reports at once, from the state each must be in."""

    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    REOPEN = "reopen", "重新打开"

    @property
    def from_state(self) -> ReviewState:
        return ReviewState.APPROVED if self is ReviewAction.REOPEN else ReviewState.SUBMITTED

    @property
    def needs_reason(self) -> bool:
        return self is ReviewAction.RETURN


def review_refusals(reports: list[ProgressReport], action: ReviewAction) -> list[str]:
    """Why the action cannot be applied to these reports (empty: it can), one line per report."""
    return [f"{report.project.name}已归档，不能{action.label}其进展" if report.project.archived else
            f"{report.project.name}{report.year}年第{report.quarter}季度进展现为“{report.review_state.label}”，"
            f"不能{action.label}" for report in reports
            if report.project.archived or report.review_state is not action.from_state]


def apply_review(reports: list[ProgressReport], action: ReviewAction, comment: str | None) -> None:
    """Apply the action to every report; the caller has checked `review_refusals` is empty."""
    for report in reports:
        if action is ReviewAction.APPROVE:
            report.review_state, report.review_comment = ReviewState.APPROVED, None
        elif action is ReviewAction.RETURN:
            report.review_state, report.review_comment = ReviewState.RETURNED, comment
        else:
            report.review_state, report.review_comment = ReviewState.RETURNED, comment or "市级重新打开"
        report.version += 1


@dataclass(frozen=True)
class ReviewPicture:
    """What a reviewer needs beside a report: the quarter before, what the rules make of the new
    figures at the quarter's end, and the project's problems."""

    previous: ProgressReport | None
    assessment: Assessment
    problems: list[Problem]


def review_pictures(session: Session, reports: list[ProgressReport], thresholds: Thresholds) -> dict[int, ReviewPicture]:
    """The picture of each report (all of one quarter), in four queries per 500 reports."""
    if not reports:
        return {}
    year, quarter = reports[0].year, reports[0].quarter
    previous_year, previous_quarter = period_quarter(quarter_period(year, quarter) - 1)
    project_ids = [report.project_id for report in reports]
    previous = {report.project_id: report for report in session.scalars(
        select(ProgressReport).where(ProgressReport.project_id.in_(project_ids), ProgressReport.year == previous_year,
                                     ProgressReport.quarter == previous_quarter))}
    problems = defaultdict(list)
    report_ids = {report.id for report in reports}
    for problem in session.scalars(select(Problem).where(Problem.project_id.in_(project_ids)).order_by(Problem.id)):
        if problem.state.is_open or problem.progress_report_id in report_ids:
            problems[problem.project_id].append(problem)
    # the stored judgement of the quarter's report moment: judged on its last day with the quarter as 报告期
    judged = assessments_at(session, [report.project for report in reports], report_moment(year, quarter), thresholds)
    return {report.id: ReviewPicture(previous.get(report.project_id), judged[report.project_id],
                                     problems[report.project_id])
            for report in reports}
