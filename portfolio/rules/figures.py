"""The facts the rules read, and the figures kept on each project for their SQL twin.

`facts_for` reads what the pure rules need in a few queries per 500 projects. `refresh_figures`
keeps the stored figures (`Project.last_*`, `open_milestone_due`) current on every write that
changes a project's reports or milestones, so the SQL twin filters lists without aggregating;
`refresh_all_figures` does the same for every project at once (bulk loads, migrations).
"""
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport, ReviewState
from portfolio.registry.models import Project, StatusChange
from portfolio.rules.rules import (
    Assessment,
    MilestoneDates,
    ProjectFacts,
    ReportFigures,
    Thresholds,
    assess,
    quarter_period,
)


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


def assessments_for(session: Session, projects: Iterable[Project], as_of: date,
                    thresholds: Thresholds) -> dict[int, Assessment]:
    """Each project judged as of the date by the pure rules (a list page's or the API's rows)."""
    return {project_id: assess(facts, as_of, thresholds) for project_id, facts in facts_for(session, projects).items()}


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
