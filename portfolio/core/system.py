"""What an administrator's 系统 page shows about this installation: version, database and its
migration, the PDF font, the media folder, the last backup, background jobs and demo data. Kept off
the staff pages, which show what staff need, not how the server is set up."""
import importlib.metadata
import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portfolio.core.backup import last_backup
from portfolio.core.db import utc_now
from portfolio.jobs.models import Job, JobState
from portfolio.registry.models import Project
from portfolio.reports.fonts import register_font


@dataclass(frozen=True)
class SystemFacts:
    version: str
    database: str
    """The database URL without its password."""
    revision: str | None
    """The Alembic revision the database is at."""
    projects: int
    demo_projects: int
    font: str
    media_folder: str
    media_files: int
    media_bytes: int
    backup: dict | None
    """The last backup ({at, path, bytes}) recorded by `flask backup`, if any."""
    jobs: dict[JobState, int]
    """Background jobs by state, of the last seven days."""
    disks: list["DiskSpace"]
    """The space left where the app writes files: the media folder and the instance folder."""


@dataclass(frozen=True)
class DiskSpace:
    label: str
    path: str
    free_bytes: int | None
    """None when the folder cannot be looked at (missing, not allowed)."""
    total_bytes: int | None
    low: bool
    """Less free than `PORTFOLIO_DISK_FREE_WARNING_MB`: uploads, imports and reports will soon fail."""


def disk_space(label: str, folder: Path, warning_bytes: int) -> DiskSpace:
    """The free space of the file system that holds `folder` (its nearest existing parent)."""
    existing = folder.resolve()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        usage = shutil.disk_usage(existing)
    except OSError:
        return DiskSpace(label, str(folder), None, None, True)
    return DiskSpace(label, str(folder.resolve()), usage.free, usage.total, usage.free < warning_bytes)


def media_usage(folder: Path) -> tuple[int, int]:
    """(files, bytes) in the media folder."""
    files = size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                size += (Path(root) / name).stat().st_size
                files += 1
            except OSError:  # removed while counting
                continue
    return files, size


def system_facts(session: Session, app: Flask) -> SystemFacts:
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        session.rollback()
        revision = None
    media = Path(app.config["MEDIA_DIR"])
    files, size = media_usage(media)
    since = utc_now() - timedelta(days=7)
    jobs = dict(session.execute(select(Job.state, func.count()).where(Job.created_dt >= since).group_by(Job.state)).all())
    return SystemFacts(
        version=importlib.metadata.version("portfolio"),
        database=session.get_bind().engine.url.render_as_string(hide_password=True),
        revision=revision,
        projects=session.scalar(select(func.count(Project.id))),
        demo_projects=session.scalar(select(func.count(Project.id)).where(Project.demo_data)),
        font=register_font(app.config["PDF_FONT"]).describe(),
        media_folder=str(media.resolve()),
        media_files=files, media_bytes=size,
        backup=last_backup(Path(app.instance_path)),
        jobs={state: jobs.get(state, 0) for state in JobState},
        disks=[disk_space(label, folder, app.config["DISK_FREE_WARNING_MB"] * 1024 * 1024)
               for label, folder in (("照片和文件", media), ("上传、任务文件和备份记录", Path(app.instance_path)))],
    )
