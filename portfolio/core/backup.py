"""`flask backup`: one archive (.tar.gz) holding the database and the media folder.

- SQLite: a consistent copy of the live database (SQLite's online backup API), `portfolio.sqlite3`.
- PostgreSQL: `pg_dump -Fc` of the database, `portfolio.dump` (pg_dump must be on the PATH).
- `media/`: the photos and documents, by their content hash.

The archive is written to a temporary name and renamed, so a failed backup leaves no file that
looks complete. How to restore is in README.md ("Backups").
"""
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from portfolio.core.db import db

SQLITE_NAME = "portfolio.sqlite3"
DUMP_NAME = "portfolio.dump"
MEDIA_NAME = "media"


def backup_sqlite(engine: Engine, out_path: Path) -> None:
    """A consistent copy of a live SQLite database, taken page by page while others may write."""
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(out_path)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()


def dump_postgresql(engine: Engine, out_path: Path) -> None:
    url = make_url(engine.url)
    if shutil.which("pg_dump") is None:
        raise ValueError("找不到 pg_dump，请安装 PostgreSQL 客户端后再备份")
    command = ["pg_dump", "-Fc", "-f", str(out_path), "-h", url.host or "localhost", "-p", str(url.port or 5432),
               "-U", url.username or "postgres", url.database or ""]
    environment = {"PGPASSWORD": url.password} if url.password else {}
    result = subprocess.run(command, capture_output=True, text=True, env={**_path_env(), **environment})
    if result.returncode != 0:
        raise ValueError(f"pg_dump 失败：{result.stderr.strip()[:300]}")


def _path_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PGSSLMODE")}


def write_backup(engine: Engine, media_dir: Path, out_path: Path) -> list[str]:
    """Write the archive; the names it holds."""
    out_path = out_path.resolve()
    if not out_path.parent.is_dir():
        raise ValueError(f"目录不存在：{out_path.parent}")
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        if engine.dialect.name == "sqlite":
            database = work_dir / SQLITE_NAME
            backup_sqlite(engine, database)
        else:
            database = work_dir / DUMP_NAME
            dump_postgresql(engine, database)
        partial = out_path.with_name(f".{out_path.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(database, arcname=database.name)
                if media_dir.is_dir():
                    archive.add(media_dir, arcname=MEDIA_NAME,
                                filter=lambda info: None if Path(info.name).name.startswith(".partial-") else info)
                names = archive.getnames()
            partial.replace(out_path)
        finally:
            partial.unlink(missing_ok=True)
    return names


@click.command("backup")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The archive to write (.tar.gz): the database and the media folder.")
@with_appcontext
def backup_command(out_path: Path) -> None:
    """Back up the database (SQLite: a consistent live copy; PostgreSQL: pg_dump) and the media
    folder (photos and documents) into one .tar.gz archive. See README.md for restoring."""
    try:
        names = write_backup(db.engine, Path(current_app.config["MEDIA_DIR"]), out_path)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    files = sum(1 for name in names if name.startswith(f"{MEDIA_NAME}/") and len(Path(name).name) == 64)
    record_backup(Path(current_app.instance_path), out_path)
    click.echo(f"已备份到 {out_path}（数据库和{files}个照片、文件）")


LAST_BACKUP = "last-backup.json"
"""In the instance folder: when the last backup was written and where (the 系统 page shows it)."""


def record_backup(instance: Path, out_path: Path) -> None:
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "path": str(out_path.resolve()),
              "bytes": out_path.stat().st_size}
    (instance / LAST_BACKUP).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def last_backup(instance: Path) -> dict | None:
    """The last backup's record ({at, path, bytes}), or None if none was recorded or it cannot be read."""
    try:
        record = json.loads((instance / LAST_BACKUP).read_text(encoding="utf-8"))
        return {"at": datetime.fromisoformat(record["at"]), "path": str(record["path"]), "bytes": int(record["bytes"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None
