"""Constraints live in the database, not only in the forms: progress reports, annual plans, milestones."""
from decimal import Decimal

import pytest
from sqlalchemy import text

from portfolio.progress.models import (
    AnnualPlan,
    Milestone,
    MilestoneKind,
    ProgressReport,
)
from tests.factories import refused


def _report(project, **overrides):
    values = dict(project=project, year=2024, quarter=1, cumulative_investment=Decimal("10"),
                  quarter_investment=Decimal("10"), physical_progress=Decimal("5"))
    return ProgressReport(**(values | overrides))


@pytest.mark.parametrize(
    "overrides",
    [{"quarter": 0}, {"quarter": 5}, {"physical_progress": Decimal("100.01")}, {"physical_progress": Decimal("-1")},
     {"cumulative_investment": Decimal("-0.01")}, {"quarter_investment": Decimal("-5")}],
)
def test_progress_report_checks(make_project, session, overrides):
    project = make_project()
    refused(session, lambda: session.add(_report(project, **overrides)))


def test_one_progress_report_per_project_and_quarter(make_project, session):
    project = make_project()
    session.add(_report(project))
    session.flush()
    refused(session, lambda: session.add(_report(project)))


def test_one_annual_plan_per_year_and_one_milestone_per_kind(make_project, session):
    project = make_project()
    session.add_all([AnnualPlan(project=project, year=2024, planned_investment=Decimal("5")),
                     Milestone(project=project, kind=MilestoneKind.COMMENCEMENT)])
    session.flush()
    refused(session, lambda: session.add(AnnualPlan(project=project, year=2024, planned_investment=Decimal("1"))))
    refused(session, lambda: session.add(Milestone(project=project, kind=MilestoneKind.COMMENCEMENT)))
    refused(session, lambda: session.add(AnnualPlan(project=project, year=2025, planned_investment=Decimal("-1"))))


def test_deleting_a_project_deletes_its_progress(make_project, session):
    project = make_project()
    session.add_all([_report(project), Milestone(project=project, kind=MilestoneKind.ACCEPTANCE)])
    session.commit()
    session.delete(project)
    session.commit()
    assert session.scalar(text("SELECT count(*) FROM progress_reports")) == 0
    assert session.scalar(text("SELECT count(*) FROM milestones")) == 0
