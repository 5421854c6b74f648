"""Backing up the live database, and the `flask backup` command."""
import sqlite3
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import Engine

from portfolio.core.db import db


def backup_sqlite(engine: Engine, out_path: Path) -> None:
    """A consistent copy of a live SQLite database, taken page by page while others may write."""
    if engine.dialect.name != "sqlite":
        raise ValueError("backup 只适用于 SQLite;PostgreSQL 请用 pg_dump(见 README)")
    out_path = out_path.resolve()
    if not out_path.parent.is_dir():
        raise ValueError(f"目录不存在：{out_path.parent}")
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    partial.replace(out_path)


@click.command("backup")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The backup file to write (an SQLite database).")
@with_appcontext
def backup_command(out_path: Path) -> None:
    """Copy the live SQLite database consistently (SQLite's online backup API).

    For PostgreSQL use pg_dump (see README.md).
    """
    try:
        backup_sqlite(db.engine, out_path)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"已备份到 {out_path}")
