"""The thresholds the stored judgements were made with are kept; an app started with others judges
every project again before it serves, and `flask judgements refresh` does it on demand."""
from decimal import Decimal

import pytest
from flask import current_app

from portfolio import create_app
from portfolio.core.db import db
from portfolio.judgements.models import JudgementBasis
from portfolio.rules import Light, Thresholds
from tests.factories import ProjectBuilder, add_sample_progress
from tests.judgements.checks import mismatches

pytestmark = pytest.mark.usefixtures("committed")  # a second app on the same database


def _lagging_project(session) -> int:
    """在建 2026, annual plan 1000, 550 done by Q3: 75% − 55% = 20 points (yellow at 10, nothing at 25)."""
    from portfolio.progress.sample_data import SampleProgress

    project = ProjectBuilder(session)(name="滞后项目", start_year=2026, end_year=2027,
                                      planned_investment=Decimal(5000))
    add_sample_progress(session, project, SampleProgress(
        status=project.status, reports=[(2026, 3, Decimal(550), Decimal(550), Decimal(20))],
        annual_plans={2026: Decimal(1000)}, milestones=[]))
    session.commit()
    return project.id


def _light(session, project_id, as_of="2026-11-22"):
    from datetime import date

    from portfolio.judgements.queries import assessments_as_of
    from portfolio.registry.models import Project

    return assessments_as_of(session, [session.get(Project, project_id)], date.fromisoformat(as_of),
                             Thresholds())[project_id].light


def test_other_thresholds_at_start_up_judge_everything_again(app):
    with app.app_context():
        project_id = _lagging_project(db.session)
        assert _light(db.session, project_id) is Light.YELLOW
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test-secret", "JOB_WORKER": False, "LAG_YELLOW_PP": "25"})
    with other.app_context():
        assert _light(db.session, project_id) is Light.GREEN, "judged again with yellow from 25 points"
        basis = db.session.get(JudgementBasis, 1)
        assert (basis.lag_yellow_pp, basis.lag_red_pp, basis.report_due_days) == (Decimal(25), Decimal(30), 5)
        assert mismatches(db.session, Thresholds(lag_yellow_pp=Decimal(25))) == []
        db.session.remove()  # its connection back to the pool, then every connection of this app closed
        db.engine.dispose()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["judgements", "refresh"])
    assert result.exit_code == 0 and "已重新研判全部项目" in result.output, result.output
    with app.app_context():
        assert current_app.config["LAG_YELLOW_PP"] == "10"
        assert _light(db.session, project_id) is Light.YELLOW and mismatches(db.session) == []
