"""The migrations build exactly the schema the models describe, and undo it."""
from datetime import UTC, date, datetime
from decimal import Decimal

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from portfolio.core.db import db
from portfolio.registry.models import Project


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_from_empty_to_head_and_down_to_base(session, app):
    flask_migrate.downgrade(revision="base")
    assert _tables() <= {"alembic_version"}
    flask_migrate.upgrade()
    assert set(db.metadata.tables) <= _tables()


def test_models_and_migrations_agree(session):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_every_revision_steps_down_and_up_again(session):
    before = {name: inspect(db.engine).get_columns(name) for name in _tables()}
    flask_migrate.downgrade(revision="-1")
    flask_migrate.upgrade()
    after = {name: inspect(db.engine).get_columns(name) for name in _tables()}
    assert {k: [c["name"] for c in v] for k, v in before.items()} == {
        k: [c["name"] for c in v] for k, v in after.items()
    }


def test_0002_fills_the_project_figures_from_existing_reports(session):
    flask_migrate.downgrade(revision="0001")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO plans (id, title, city, start_year, end_year) VALUES (1, '规划', '焦作市', 2021, 2025)"))
        connection.execute(text("INSERT INTO regions (id, city, name, kind) VALUES (1, '焦作市', '山阳区', 'district')"))
        connection.execute(text(
            "INSERT INTO projects (id, plan_id, region_id, name, site, sector, content, planned_investment,"
            " start_year, end_year, status, created_dt, modified_dt) VALUES (1, 1, 1, '项目', '山阳区', 'health', '',"
            " 1000, 2022, 2026, 'under_way', :now, :now)"), {"now": datetime(2026, 1, 1, tzinfo=UTC)})
        for year, quarter, cumulative, this_quarter in [(2025, 4, 300, 100), (2026, 1, 350, 50), (2026, 2, 420, 70)]:
            connection.execute(text(
                "INSERT INTO progress_reports (project_id, year, quarter, cumulative_investment, quarter_investment,"
                " physical_progress, created_dt, modified_dt) VALUES (1, :y, :q, :c, :t, 10, :now, :now)"),
                {"y": year, "q": quarter, "c": cumulative, "t": this_quarter, "now": datetime(2026, 1, 1, tzinfo=UTC)})
        connection.execute(text(
            "INSERT INTO milestones (project_id, kind, planned_date, actual_date) VALUES"
            " (1, 'commencement', '2022-03-01', '2022-04-01'), (1, 'acceptance', '2026-10-01', NULL)"))
    flask_migrate.upgrade()
    project = session.get(Project, 1)
    assert project.last_report_period == 2026 * 4 + 1
    assert project.last_cumulative_investment == Decimal("420")
    assert project.last_year_investment == Decimal("120")
    assert project.open_milestone_due == date(2026, 10, 1)
