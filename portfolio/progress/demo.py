"""Demo progress for trying the app: generated, flagged on each project, removable."""
import random
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.progress.sample_data import SampleProgress, sample_progress
from portfolio.registry.models import Project
from portfolio.rules.figures import refresh_figures


def add_demo_progress(session: Session, today: date, seed: int = 1) -> int:
    """Generate progress for every project that has no progress, milestone or annual plan yet
    (its status is kept); returns how many projects got some."""
    rng = random.Random(seed)
    projects = session.scalars(
        select(Project)
        .where(*(Project.id.not_in(select(model.project_id)) for model in (ProgressReport, Milestone, AnnualPlan)))
        .order_by(Project.id)
    ).all()
    for project in projects:
        progress = sample_progress(rng, project.start_year, project.end_year, project.planned_investment, today,
                                   status=project.status)
        project.demo_data = True
        store_sample_progress(session, project, progress, works_status="演示数据:按计划推进", note="演示数据")
    return len(projects)


def store_sample_progress(session: Session, project: Project, progress: SampleProgress, works_status: str | None = None,
                          problems: str | None = None, next_steps: str | None = None, note: str | None = None) -> None:
    """Write generated reports, annual plans and milestones for a project, and refresh its figures."""
    for year, quarter, cumulative, this_quarter, percent in progress.reports:
        session.add(ProgressReport(project=project, year=year, quarter=quarter, cumulative_investment=cumulative,
                                   quarter_investment=this_quarter, physical_progress=percent,
                                   works_status=works_status, problems=problems, next_steps=next_steps))
    for year, amount in progress.annual_plans.items():
        session.add(AnnualPlan(project=project, year=year, planned_investment=amount))
    for kind, planned, actual in progress.milestones:
        session.add(Milestone(project=project, kind=kind, planned_date=planned, actual_date=actual, note=note))
    refresh_figures(session, project)


def remove_demo_progress(session: Session) -> int:
    """Delete the generated progress, milestones and annual plans again (they were the project's only ones)."""
    ids = session.scalars(select(Project.id).where(Project.demo_data)).all()
    for model in (ProgressReport, Milestone, AnnualPlan):
        session.execute(delete(model).where(model.project_id.in_(ids)))
    session.execute(update(Project).where(Project.id.in_(ids)).values(demo_data=False))
    for project in session.scalars(select(Project).where(Project.id.in_(ids))):
        refresh_figures(session, project)
    return len(ids)
