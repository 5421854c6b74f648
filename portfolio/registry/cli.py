"""Commands of the registry: `seed`, and `projects import` / `projects export`."""
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portfolio.core.cli import write_whole
from portfolio.core.db import db
from portfolio.core.formatting import format_date
from portfolio.core.seedfiles import SeedError
from portfolio.core.web import thresholds
from portfolio.exports.render import render_export
from portfolio.imports.cli import run_import
from portfolio.registry.lookup import find_plan, find_region, find_sector
from portfolio.registry.models import ProjectStatus
from portfolio.registry.queries import ProjectFilters
from portfolio.registry.seed import load_seed, read_seed_dir
from portfolio.rules import Light, WarningKind

KIND_LABELS = {"plans": "规划", "programmes": "专栏", "regions": "县(市、区)", "projects": "项目", "indicators": "规划指标",
               "tasks": "专栏任务"}


@click.command("seed")
@with_appcontext
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding plans.csv, programmes.csv, regions.csv, projects.csv, plan_indicators.csv and programme_tasks.csv (default: the repository's seeds/).",
)
def seed_command(directory: Path | None) -> None:
    """Load the plans, programmes, regions, projects, plan indicators and 专栏 tasks from the seed CSV files.

    Only rows the database lacks are added, so running it again changes nothing. A
    malformed file stops the load with its file, line and reason, and nothing is written.
    """
    try:
        data = read_seed_dir(directory or current_app.config["SEED_DIR"])
    except SeedError as error:
        raise click.ClickException(f"种子数据有误，未载入任何数据：{error}") from None
    counts = load_seed(db.session, data)
    db.session.commit()
    for kind, label in KIND_LABELS.items():
        click.echo(f"{label}: 新增 {counts.added.get(kind, 0)}，已存在 {counts.existing.get(kind, 0)}")


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

    Columns as the plans print them (序号，项目名称，建设地点，建设内容，计划投资(万元), 建设年限),
    optionally 领域，项目状态，责任单位，专栏. Projects are matched on plan and name, so importing
    the same file again changes nothing.
    """
    try:
        target = find_plan(db.session, plan)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    if run_import("projects", file, dry_run, plan=target):
        click.echo(f"已导入到“{target.title}”")


@projects_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "oc4ids"]), required=True, help="File format.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output file.")
@click.option("--plan", help="Only this plan (title or a unique part of it).")
@click.option("--region", help="Only this county/district, e.g. 山阳区.")
@click.option("--sector", help="Only this sector (医疗卫生，教育，…).")
@click.option("--status", help="Only this status (前期，在建，已竣工，已投用，暂停，已取消).")
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
        raise click.ClickException(str(error) or f"未知的项目状态：{status}") from None
    exported = render_export(db.session, fmt, filters, current_app.config)
    write_whole(out_path, exported.data)
    click.echo(f"已导出 {exported.count} 个项目到 {out_path}（截至{format_date(filters.as_of)}）")


def register(app) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(projects_group)
