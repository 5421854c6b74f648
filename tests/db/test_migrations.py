"""The migrations build exactly the schema the models describe, and undo it."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portfolio.extensions import db


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
