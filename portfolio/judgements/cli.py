"""`flask judgements refresh`, and the start-up check that the stored judgements were made with
the thresholds the app is configured with."""
import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import inspect

from portfolio.core.db import db
from portfolio.judgements.models import JudgementBasis
from portfolio.judgements.operations import basis_differs, judge_all, lock_judgements
from portfolio.judgements.tracking import configured_thresholds


@click.group("judgements")
def judgements_group() -> None:
    """The stored judgements (研判结果) of the projects."""


@judgements_group.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Judge every project again with the configured thresholds (after a change made outside the app)."""
    with click.progressbar(length=1, label="研判项目", file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        rows = judge_all(db.session, configured_thresholds(), advance)
    db.session.commit()
    click.echo(f"已重新研判全部项目，写入{rows}条研判结果。")


def judge_again_if_thresholds_changed(app: Flask) -> None:
    """At start-up: when the settings' thresholds differ from those the stored judgements were
    made with (or none are recorded yet, e.g. right after the migration), judge every project again.
    Nothing happens before the database is migrated."""
    with app.app_context():
        if not inspect(db.engine).has_table(JudgementBasis.__tablename__):
            return
        if basis_differs(db.session, configured_thresholds()):
            lock_judgements(db.session)  # another process starting at the same time may have done it
            if basis_differs(db.session, configured_thresholds()):
                judge_all(db.session, configured_thresholds())
            db.session.commit()
        db.session.remove()


def register(app: Flask) -> None:
    app.cli.add_command(judgements_group)
    judge_again_if_thresholds_changed(app)
