"""Commands run as `flask --app wsgi <command>`."""
import json
import os
import secrets
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portfolio.exports import export_rows, oc4ids_package, write_csv, write_xlsx
from portfolio.extensions import db
from portfolio.imports.progress import HEADER_MARKER as PROGRESS_MARKER
from portfolio.imports.progress import apply_progress_import, preview_progress_import
from portfolio.imports.projects import HEADER_MARKER as PROJECT_MARKER
from portfolio.imports.projects import apply_project_import, preview_project_import
from portfolio.imports.tables import TableError, read_table
from portfolio.models import ProjectStatus, Role, User
from portfolio.reports.data import ReportFilters, build_quarterly_report, quarter_problem
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.services.demo import add_demo_progress, remove_demo_progress
from portfolio.rules import Light, WarningKind
from portfolio.services.accounts import backup_sqlite, create_user
from portfolio.services.lookup import find_plan, find_region, find_sector
from portfolio.services.projects import ProjectFilters
from portfolio.web import thresholds
from portfolio.services.seed import SeedError, load_seed, read_seed_dir

KIND_LABELS = {"plans": "规划", "programmes": "专栏", "regions": "县(市、区)", "projects": "项目"}


@click.command("seed")
@with_appcontext
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding plans.csv, programmes.csv, regions.csv and projects.csv (default: the repository's seeds/).",
)
def seed_command(directory: Path | None) -> None:
    """Load the plans, programmes, regions and projects from the seed CSV files.

    Only rows the database lacks are added, so running it again changes nothing. A
    malformed file stops the load with its file, line and reason, and nothing is written.
    """
    try:
        data = read_seed_dir(directory or current_app.config["SEED_DIR"])
    except SeedError as error:
        raise click.ClickException(f"种子数据有误,未载入任何数据: {error}") from None
    counts = load_seed(db.session, data)
    db.session.commit()
    for kind, label in KIND_LABELS.items():
        click.echo(f"{label}: 新增 {counts.added.get(kind, 0)},已存在 {counts.existing.get(kind, 0)}")


@click.command("demo")
@click.option("--seed", "random_seed", default=1, show_default=True, help="Random seed, for a reproducible data set.")
@click.option("--remove", is_flag=True, help="Delete the demo progress again instead of adding it.")
@with_appcontext
def demo_command(random_seed: int, remove: bool) -> None:
    """Add generated demo progress, milestones and annual plans to try the app.

    Only projects with no progress, milestones or annual plans get some; they are marked
    演示数据 in the UI. Never run by `make run`. `--remove` deletes it all again.
    """
    if remove:
        count = remove_demo_progress(db.session)
        db.session.commit()
        click.echo(f"已删除 {count} 个项目的演示数据。")
        return
    count = add_demo_progress(db.session, date.today(), random_seed)
    db.session.commit()
    click.echo(f"已为 {count} 个项目生成演示数据(页面上标注“演示数据”);删除: flask --app wsgi demo --remove")


@click.group("report")
def report_group() -> None:
    """Produce reports."""


@report_group.command("quarterly")
@click.option("--year", type=int, required=True, help="Year of the quarter, e.g. 2026.")
@click.option("--quarter", type=click.IntRange(1, 4), required=True, help="Quarter 1–4; the report is as of its last day.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the PDF; written whole or not at all.")
@click.option("--plan", help="Only this plan: its title or a unique part of it, e.g. 焦作.")
@click.option("--region", help="Only this county/district, e.g. 山阳区 (or 焦作市山阳区 where names repeat).")
@click.option("--sector", help="Only this sector, by its Chinese name (医疗卫生, 教育, …) or code.")
@click.option("--approved-only", is_flag=True, help="Count only progress that passed review (已审核).")
@with_appcontext
def quarterly_report_command(year: int, quarter: int, out_path: Path, plan: str | None, region: str | None,
                             sector: str | None, approved_only: bool) -> None:
    """Write the quarterly progress report (季度进展情况报告) as a PDF.

    Projects are judged by the rules as of the quarter's last day, each with its latest
    progress report at or before that quarter.
    """
    if problem := quarter_problem(year, quarter, date.today()):
        raise click.ClickException(problem)
    try:
        filters = ReportFilters(plan=find_plan(db.session, plan) if plan else None,
                                region=find_region(db.session, region) if region else None,
                                sector=find_sector(sector) if sector else None, approved_only=approved_only)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    _check_writable(out_path)
    font = register_font(current_app.config["PDF_FONT"])
    report = build_quarterly_report(db.session, year, quarter, filters, current_app.config["REPORT_ISSUER"],
                                    datetime.now(), thresholds())
    pdf = render_quarterly_pdf(report, font)
    _write_whole(out_path, pdf)
    click.echo(f"已生成《{report.title}》: {out_path}({len(report.projects)} 个项目,{len(pdf):,} 字节,字体 {font.describe()})")


def _show_preview(preview, filename: str) -> None:
    for note in preview.notes:
        click.echo(f"注意: {note}")
    click.echo(f"新增 {preview.count('create')},更新 {preview.count('update')},无变化 {preview.count('unchanged')},"
               f"跳过 {preview.count('skip')},有错误 {preview.count('error')} 行")
    for row in preview.rows:
        for label, old, new in row.changes:
            click.echo(f"  第{row.line}行 {row.name}: {label} {old} → {new}")
    if not preview.ok:
        for line in preview.error_lines(filename):
            click.echo(line, err=True)
        raise click.ClickException("文件有错误,没有写入任何数据")


def _run_import(path: Path, marker: str, dry_run: bool, preview_rows, apply_rows) -> bool:
    """Read, preview (with a progress bar), show; unless it is a dry run, apply and commit (True).
    Stops with exit code 1 and writes nothing when the file or any row is wrong."""
    try:
        preview = preview_rows(read_table(path.read_bytes(), path.name, marker), _with_bar("检查"))
    except TableError as error:
        raise click.ClickException(f"{path}: {error};没有写入任何数据") from None
    _show_preview(preview, path.name)
    if dry_run:
        click.echo("试运行(--dry-run):没有写入任何数据")
        return False
    apply_rows(preview, _with_bar("写入"))
    db.session.commit()
    return True


def _with_bar(label: str):
    def progress(rows):
        rows = list(rows)
        with click.progressbar(rows, label=label, file=sys.stderr) as bar:
            yield from bar
    return progress


@click.group("projects")
def projects_group() -> None:
    """Import and export projects."""


@projects_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", required=True, help="The plan to import into: its title or a unique part of it.")
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@with_appcontext
def import_projects_command(file: Path, plan: str, dry_run: bool) -> None:
    """Import a plan's project table (.xlsx or .csv) into PLAN: all rows or none.

    Columns as the plans print them (序号, 项目名称, 建设地点, 建设内容, 计划投资(万元), 建设年限),
    optionally 领域, 项目状态, 责任单位, 专栏. Projects are matched on plan and name, so importing
    the same file again changes nothing.
    """
    try:
        target = find_plan(db.session, plan)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    if _run_import(file, PROJECT_MARKER, dry_run,
                   lambda table, bar: preview_project_import(db.session, target, table, progress=bar),
                   lambda preview, bar: apply_project_import(db.session, target, preview, progress=bar)):
        click.echo(f"已导入到“{target.title}”")


@projects_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "oc4ids"]), required=True, help="File format.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output file.")
@click.option("--plan", help="Only this plan (title or a unique part of it).")
@click.option("--region", help="Only this county/district, e.g. 山阳区.")
@click.option("--sector", help="Only this sector (医疗卫生, 教育, …).")
@click.option("--status", help="Only this status (前期, 在建, 已竣工, 已投用, 暂停, 已取消).")
@click.option("--light", type=click.Choice([light.value for light in Light]), help="Only this warning light.")
@click.option("--overdue", is_flag=True, help="Only overdue projects (超期).")
@click.option("--warning", "warnings", multiple=True, type=click.Choice([kind.value for kind in WarningKind]),
              help="Only projects with this warning; repeatable.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge warnings as of this date (default today).")
@with_appcontext
def export_projects_command(fmt, out_path, plan, region, sector, status, light, overdue, warnings, as_of) -> None:
    """Export the projects the filters select, like the list page's export links."""
    try:
        filters = ProjectFilters(
            plan_id=find_plan(db.session, plan).id if plan else None,
            region_id=find_region(db.session, region).id if region else None,
            sector=find_sector(sector) if sector else None,
            status=ProjectStatus.from_label(status) if status else None,
            light=Light(light) if light else None,
            warnings=frozenset(WarningKind(w) for w in warnings) | ({WarningKind.OVERDUE} if overdue else set()),
            as_of=as_of.date() if as_of else date.today(), thresholds=thresholds(),
        )
    except (LookupError, ValueError) as error:
        raise click.ClickException(str(error) or f"未知的项目状态: {status}") from None
    rows = export_rows(db.session, filters, with_progress=fmt == "oc4ids")
    if fmt == "xlsx":
        data = write_xlsx(rows, "项目清单")
    elif fmt == "csv":
        data = write_csv(rows)
    else:
        config = current_app.config
        package = oc4ids_package(rows, config["REPORT_ISSUER"], f"{config['OC4IDS_URI_PREFIX']}/{out_path.name}",
                                 datetime.now(UTC), config["OC4IDS_ID_PREFIX"], filters.as_of)
        data = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    _write_whole(out_path, data)
    click.echo(f"已导出 {len(rows)} 个项目到 {out_path}")


def _check_writable(out_path: Path) -> None:
    folder = out_path.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise click.ClickException(f"无法写入 {out_path}: 目录不存在或没有写权限")


def _write_whole(out_path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target and rename: never a half-written file."""
    _check_writable(out_path)
    target = out_path.resolve()
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"无法写入 {out_path}: {error.strerror}") from None


@click.group("progress")
def progress_group() -> None:
    """Import quarterly progress."""


@progress_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@with_appcontext
def import_progress_command(file: Path, dry_run: bool) -> None:
    """Import a filled-in quarterly progress template (.xlsx): all rows or none.

    The template comes from the 导入 page. Rows with no figures are skipped; the same
    checks as the progress form apply (cumulative never falls, no future quarter, 0–100%).
    """
    if _run_import(file, PROGRESS_MARKER, dry_run,
                   lambda table, bar: preview_progress_import(db.session, table, date.today(), progress=bar),
                   lambda preview, bar: apply_progress_import(db.session, preview, progress=bar)):
        click.echo("已导入季度进展")


@click.group("users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create")
@click.option("--username", required=True, help="Login name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True,
              help="admin (管理员), city (市级), county (县级, needs --region) or viewer (只读).")
@click.option("--region", help="The county/district of a county user, e.g. 山阳区.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def create_user_command(username: str, role: str, region: str | None, password_stdin: bool) -> None:
    """Create an account; asks for the password twice unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        user = create_user(db.session, username, Role(role), find_region(db.session, region) if region else None,
                           password)
    except (LookupError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"已创建账户 {user.label}")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List the accounts."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        state = "启用" if user.is_enabled else "停用"
        click.echo(f"{user.id}\t{user.username}\t{user.role.label}\t{user.region.name if user.region else '-'}\t{state}")


@users_group.command("ensure-admin")
@with_appcontext
def ensure_admin_command() -> None:
    """Create a first administrator when there is no account, and print its one-time password once."""
    if db.session.scalar(select(func.count(User.id))):
        return
    password = secrets.token_urlsafe(12)
    create_user(db.session, "admin", Role.ADMIN, None, password, must_change_password=True)
    db.session.commit()
    click.echo(f"已创建管理员账户 admin,一次性密码: {password}(首次登录后必须修改;此密码不会再次显示)")


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


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(report_group)
    app.cli.add_command(projects_group)
    app.cli.add_command(progress_group)
    app.cli.add_command(users_group)
    app.cli.add_command(backup_command)
