"""The facts the rules read: `facts_for` reads what the pure rules need in a few queries per 500
projects (to judge them, `portfolio.judgements`; or for the words beside the figures)."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport, ReviewState
from portfolio.registry.models import Project, StatusChange
from portfolio.rules.rules import MilestoneDates, ProjectFacts, ReportFigures


def facts_for(session: Session, projects: Iterable[Project], approved_only: bool = False) -> dict[int, ProjectFacts]:
    """ProjectFacts for each project, read in three queries per 500 projects; `approved_only` leaves
    out progress that has not passed review (已审核)."""
    projects = list(projects)
    ids = [project.id for project in projects]
    reports, plans, milestones, history = defaultdict(list), defaultdict(dict), defaultdict(list), defaultdict(list)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        report_query = select(ProgressReport.project_id, ProgressReport.year, ProgressReport.quarter,
                              ProgressReport.cumulative_investment, ProgressReport.quarter_investment,
                              ProgressReport.review_state, ProgressReport.physical_progress,
                              ProgressReport.works_status, ProgressReport.problems, ProgressReport.next_steps,
                              ).where(ProgressReport.project_id.in_(chunk))
        if approved_only:
            report_query = report_query.where(ProgressReport.review_state == ReviewState.APPROVED)
        for row in session.execute(report_query):
            reports[row.project_id].append(ReportFigures(*row[1:]))
        for row in session.execute(select(AnnualPlan.project_id, AnnualPlan.year, AnnualPlan.planned_investment)
                                   .where(AnnualPlan.project_id.in_(chunk))):
            plans[row.project_id][row.year] = row.planned_investment
        for row in session.execute(select(Milestone.project_id, Milestone.kind, Milestone.planned_date,
                                          Milestone.actual_date).where(Milestone.project_id.in_(chunk))):
            milestones[row.project_id].append(MilestoneDates(row.kind, row.planned_date, row.actual_date))
        for row in session.execute(select(StatusChange.project_id, StatusChange.since, StatusChange.status)
                                   .where(StatusChange.project_id.in_(chunk))
                                   .order_by(StatusChange.since.is_not(None), StatusChange.since, StatusChange.id)):
            history[row.project_id].append((row.since or date.min, row.status))
    return {
        project.id: ProjectFacts(
            status=project.status, start_year=project.start_year, end_year=project.end_year,
            planned_investment=project.planned_investment, reports=tuple(reports[project.id]),
            annual_plans=plans[project.id], milestones=tuple(milestones[project.id]),
            status_since=project.status_since, status_history=tuple(history[project.id]),
        )
        for project in projects
    }
