"""One import flow for both kinds of file: read the table safely, preview every row, and
apply a preview without errors in the caller's single transaction. The upload page and the
CLI both go through `preview_file` and `apply_preview`."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portfolio.accounts.models import User
from portfolio.imports import progress_templates, project_tables
from portfolio.imports.preview import ImportPreview
from portfolio.imports.tables import read_table
from portfolio.registry.models import Plan

Progress = Callable[[Iterable], Iterable]


def every_row(rows: Iterable) -> Iterable:
    return rows


@dataclass(frozen=True)
class ImportContext:
    """What an import needs besides the file: the date checks are made on, the plan a project
    table goes into, and the regions whose progress the importing user may write (None: all)."""

    today: date
    plan: Plan | None = None
    region_scope: set[int] | None = None
    user: User | None = None
    """Who imports, for the review lock (None: the command line, with the city's rights)."""


@dataclass(frozen=True)
class ImportKind:
    key: str
    header_marker: str
    preview: Callable[[Session, object, ImportContext, Progress], ImportPreview]
    apply: Callable[[Session, ImportPreview, ImportContext, Progress], None]
    done: Callable[[ImportPreview], str]
    """What was written, in words."""


KINDS = {
    "projects": ImportKind(
        "projects", project_tables.HEADER_MARKER, project_tables.preview_project_import,
        project_tables.apply_project_import,
        lambda p: f"新增 {p.count('create')} 个项目，更新 {p.count('update')} 个，{p.count('unchanged')} 个无变化",
    ),
    "progress": ImportKind(
        "progress", progress_templates.HEADER_MARKER, progress_templates.preview_progress_import,
        progress_templates.apply_progress_import,
        lambda p: f"新增 {p.count('create')} 条季度进展，更新 {p.count('update')} 条",
    ),
}


def preview_file(session: Session, kind: ImportKind, data: bytes, filename: str, context: ImportContext,
                 progress: Progress = every_row) -> ImportPreview:
    """What importing the file would do, row by row; raises `TableError` if it cannot be read at all."""
    return kind.preview(session, read_table(data, filename, kind.header_marker), context, progress)


def apply_preview(session: Session, kind: ImportKind, preview: ImportPreview, context: ImportContext,
                  progress: Progress = every_row) -> None:
    """Write a preview that has no errors; the caller commits once, so it is all rows or none."""
    if not preview.ok:
        raise ValueError("the preview has errors")
    kind.apply(session, preview, context, progress)
    session.flush()
