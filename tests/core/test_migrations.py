"""The migrations build exactly the schema the models describe, and undo it."""
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, text

from portfolio.core.db import db
from portfolio.judgements.cli import judge_again_if_thresholds_changed
from portfolio.judgements.queries import assessments_as_of
from portfolio.registry.models import Project
from portfolio.rules import Thresholds

pytestmark = pytest.mark.usefixtures("committed")  # other threads, processes or connections


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


def _schema() -> dict:
    """Everything the database reflects about its tables, in a form that compares whole."""
    inspector = inspect(db.engine)

    def same_order(items: list[dict], *keys: str) -> list[tuple]:
        return sorted(tuple(_plain(item.get(key)) for key in keys) for item in items)

    schema = {}
    for table in sorted(inspector.get_table_names()):
        # in any order: a downgrade that restores dropped columns can only append them (PostgreSQL)
        columns = sorted((c["name"], str(c["type"]), c["nullable"], _plain(c.get("default")), c.get("autoincrement"))
                         for c in inspector.get_columns(table))
        primary_key = inspector.get_pk_constraint(table)
        schema[table] = {
            "columns": columns,
            "primary key": tuple(primary_key["constrained_columns"]),
            "indexes": same_order(inspector.get_indexes(table), "name", "column_names", "unique"),
            "unique constraints": same_order(inspector.get_unique_constraints(table), "name", "column_names"),
            "foreign keys": same_order(inspector.get_foreign_keys(table), "name", "constrained_columns",
                                       "referred_table", "referred_columns", "options"),
            "check constraints": same_order(_checks(inspector, table), "name", "sqltext"),
        }
    return schema


def _checks(inspector, table: str) -> list[dict]:
    try:
        return inspector.get_check_constraints(table)
    except NotImplementedError:  # a dialect that does not reflect them
        return []


def _plain(value):
    """Reflected values as comparable, hashable plain data; SQL text without layout."""
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip()
    if isinstance(value, dict):
        return tuple(sorted((key, _plain(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return value


def _revisions_head_to_base() -> list:
    config = current_app.extensions["migrate"].migrate.get_config()
    return list(ScriptDirectory.from_config(config).walk_revisions())


def test_every_revision_steps_down_and_up_again(session):
    revisions = _revisions_head_to_base()
    assert [r.revision for r in revisions][-1] == "0001" and len(revisions) >= 5
    at_head = _schema()
    assert set(db.metadata.tables) < set(at_head)
    for revision in revisions:
        below = revision.down_revision or "base"
        at_revision = _schema()
        flask_migrate.downgrade(revision=below)
        below_schema = _schema()
        assert below_schema != at_revision, f"{revision.revision} changed nothing going down"
        flask_migrate.upgrade(revision=revision.revision)
        assert _schema() == at_revision, f"{revision.revision} down and up again changed the schema"
        flask_migrate.downgrade(revision=below)
        assert _schema() == below_schema, f"{revision.revision} down twice gave different schemas"
    assert set(_schema()) <= {"alembic_version"}
    flask_migrate.upgrade()
    assert _schema() == at_head


def test_0002_fills_the_project_figures_and_the_next_start_judges_them(session):
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
    flask_migrate.upgrade(revision="0014")  # the last revision with these figures (0015 judges instead)
    with db.engine.connect() as connection:
        figures = connection.execute(text(
            "SELECT last_report_period, last_cumulative_investment, last_year_investment, open_milestone_due"
            " FROM projects WHERE id = 1")).one()
    money = Decimal(100) if db.engine.dialect.name == "sqlite" else Decimal(1)  # integer 分 on SQLite since 0006
    assert figures[0] == 2026 * 4 + 1
    assert Decimal(figures[1]) == Decimal("420") * money and Decimal(figures[2]) == Decimal("120") * money
    assert str(figures[3]) == "2026-10-01"
    flask_migrate.upgrade()
    judge_again_if_thresholds_changed(current_app)
    reports = session.scalar(text("SELECT count(*) FROM progress_reports"))
    assert reports == 3, "rebuilding the projects table (SQLite) kept the rows that refer to it"
    assert assessments_as_of(session, [session.get(Project, 1)], date(2026, 7, 6),
                             Thresholds())[1].cumulative_investment == Decimal("420"), "judged at start-up"
