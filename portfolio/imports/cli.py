"""Running an import from the command line: the same flow as the upload page, with terminal
progress bars; registered by the `projects` and `progress` command groups."""
from datetime import date
from pathlib import Path

import click

from portfolio.core.cli import with_bar
from portfolio.core.db import db
from portfolio.imports.flow import KINDS, ImportContext, apply_preview, preview_file
from portfolio.imports.preview import ImportPreview
from portfolio.imports.tables import TableError


def show_preview(preview: ImportPreview, filename: str) -> None:
    for note in preview.notes:
        click.echo(f"注意：{note}")
    click.echo(f"新增 {preview.count('create')}，更新 {preview.count('update')}，无变化 {preview.count('unchanged')}，"
               f"跳过 {preview.count('skip')}，有错误 {preview.count('error')} 行")
    for row in preview.rows:
        for label, old, new in row.changes:
            click.echo(f"  第{row.line}行 {row.name}：{label} {old} → {new}")
    if not preview.ok:
        for line in preview.error_lines(filename):
            click.echo(line, err=True)
        raise click.ClickException("文件有错误，没有写入任何数据")


def run_import(kind: str, path: Path, dry_run: bool, plan=None) -> bool:
    """Read, preview (with a progress bar), show; unless it is a dry run, apply and commit (True).
    Stops with exit code 1 and writes nothing when the file or any row is wrong."""
    context = ImportContext(today=date.today(), plan=plan)
    try:
        preview = preview_file(db.session, KINDS[kind], path.read_bytes(), path.name, context, with_bar("检查"))
    except TableError as error:
        raise click.ClickException(f"{path}: {error}；没有写入任何数据") from None
    show_preview(preview, path.name)
    if dry_run:
        click.echo("试运行(--dry-run)：没有写入任何数据")
        return False
    apply_preview(db.session, KINDS[kind], preview, context, with_bar("写入"))
    db.session.commit()
    return True
