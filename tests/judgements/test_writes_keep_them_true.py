"""Random sequences of writes through the write operations the views, imports and API call (progress
saved, edited and deleted, annual plans, milestones that move the status on, status changes, build
years and investment edited, archive and restore, delete), then for every project and a sweep of
as-of dates the stored judgement is exactly the pure rules', and the stored group figures are the
sum of the projects' — each write judged again in its own transaction, nothing left for a job."""
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portfolio.judgements.moments import day_moment, report_moment
from portfolio.progress.models import AnnualPlan, MilestoneKind, ProgressReport
from portfolio.progress.operations import (
    delete_annual_plan,
    delete_progress,
    save_annual_plan,
    save_milestones,
    save_progress,
)
from portfolio.registry.models import Project, ProjectStatus
from portfolio.registry.operations import (
    archive_project,
    change_status,
    delete_project,
    restore_project,
    update_project,
)
from tests.factories import ProjectBuilder, newest_cumulative
from tests.judgements.checks import group_mismatches, mismatches

PROJECTS = 3
DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2029, 12, 31))
WHICH = st.integers(0, PROJECTS - 1)
MONEY = st.integers(0, 400_000).map(lambda fen: Decimal(fen) / 100)

STEPS = st.one_of(
    st.tuples(st.just("progress"), WHICH, st.integers(2023, 2028), st.integers(1, 4), MONEY, MONEY),
    st.tuples(st.just("delete progress"), WHICH, st.integers(0, 5)),
    st.tuples(st.just("annual plan"), WHICH, st.integers(2023, 2028), MONEY),
    st.tuples(st.just("delete annual plan"), WHICH, st.integers(0, 3)),
    st.tuples(st.just("milestone"), WHICH, st.sampled_from(list(MilestoneKind)), st.none() | DAYS, st.none() | DAYS),
    st.tuples(st.just("status"), WHICH, st.sampled_from(list(ProjectStatus)), DAYS),
    st.tuples(st.just("years"), WHICH, st.integers(2022, 2027), st.integers(0, 3), MONEY),
    st.tuples(st.just("archive"), WHICH, DAYS),
    st.tuples(st.just("restore"), WHICH),
    st.tuples(st.just("delete"), WHICH),
)


def _apply(session, projects: list[Project | None], step) -> None:
    kind, which, *args = step
    project = projects[which]
    if project is None:
        return
    if kind == "progress":
        year, quarter, cumulative, this_quarter = args
        report = session.scalar(select(ProgressReport).where(
            ProgressReport.project_id == project.id, ProgressReport.year == year, ProgressReport.quarter == quarter))
        save_progress(session, project, {"year": year, "quarter": quarter, "cumulative_investment": cumulative,
                                         "quarter_investment": this_quarter, "physical_progress": Decimal(50),
                                         "works_status": None, "problems": None, "next_steps": None}, report)
    elif kind == "delete progress":
        reports = session.scalars(select(ProgressReport).where(ProgressReport.project_id == project.id)
                                  .order_by(ProgressReport.id)).all()
        if reports:
            delete_progress(session, reports[args[0] % len(reports)])
    elif kind == "annual plan":
        save_annual_plan(session, project, *args)
    elif kind == "delete annual plan":
        plans = session.scalars(select(AnnualPlan).where(AnnualPlan.project_id == project.id)
                                .order_by(AnnualPlan.id)).all()
        if plans:
            delete_annual_plan(session, plans[args[0] % len(plans)])
    elif kind == "milestone":
        milestone, planned, actual = args
        save_milestones(session, project, {milestone: {"planned_date": planned, "actual_date": actual, "note": None}})
    elif kind == "status":
        status, since = args
        if status is not project.status:
            change_status(session, project, status, since, "manual")
            session.flush()
    elif kind == "years":
        start, length, planned = args
        update_project(session, project, {"start_year": start, "end_year": start + length,
                                          "planned_investment": planned})
    elif kind == "archive":
        if project.archived_on is None:
            archive_project(session, project, "测试归档", args[0])
    elif kind == "restore":
        if project.archived_on is not None:
            restore_project(session, project)
    elif kind == "delete":
        delete_project(session, project)
        projects[which] = None


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=1, max_size=14))
def test_every_write_leaves_the_stored_judgements_true(session, steps):
    savepoint = session.begin_nested()  # each example starts from nothing
    try:
        make_project = ProjectBuilder(session)
        projects = [make_project(name=f"写入项目{n}", start_year=2024 + n % 2, end_year=2026 + n,
                                 region=("山阳区", "温县")[n % 2], planned_investment=Decimal(10_000 * (n + 1)))
                    for n in range(PROJECTS)]
        for step in steps:
            _apply(session, projects, step)
        session.flush()
        assert mismatches(session)[:3] == []
        moments = sorted({day_moment(day) for day in (date(2024, 12, 31), date(2025, 1, 6), date(2026, 10, 6),
                                                       date(2026, 12, 31), date(2027, 7, 1))}
                         | {report_moment(2025, 4), report_moment(2026, 3)})
        assert group_mismatches(session, moments) == []
    finally:
        savepoint.rollback()


def test_a_commit_judges_what_a_bulk_write_noted(session):
    """Writes past the session's objects (a bulk INSERT) are judged once noted, before the commit."""
    from sqlalchemy import insert

    from portfolio.judgements.tracking import note

    project = ProjectBuilder(session)(name="批量写入项目", start_year=2025, end_year=2026)
    session.execute(insert(ProgressReport), [{"project_id": project.id, "year": 2025, "quarter": 4,
                                              "cumulative_investment": Decimal(500), "quarter_investment": Decimal(500),
                                              "physical_progress": Decimal(10)}])
    note(session, [project.id])
    session.commit()
    assert mismatches(session) == []
    assert newest_cumulative(session, project.id) == Decimal(500)
