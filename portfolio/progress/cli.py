"""Commands of the progress module: `demo` and `progress import`."""
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from portfolio.core.cli import write_whole
from portfolio.core.db import db
from portfolio.core.limits import FIRST_YEAR, LAST_YEAR
from portfolio.imports.cli import run_import
from portfolio.imports.progress_templates import progress_template
from portfolio.progress.demo import add_demo_progress, remove_demo_progress
from portfolio.registry.lookup import find_region


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
    click.echo(f"已为 {count} 个项目生成演示数据（页面上标注“演示数据”）；删除：flask --app wsgi demo --remove")


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
    if run_import("progress", file, dry_run):
        click.echo("已导入季度进展")


@progress_group.command("template")
@click.option("--region", required=True, help="The county/district, e.g. 山阳区.")
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True, help="Year of the quarter.")
@click.option("--quarter", type=click.IntRange(1, 4), required=True, help="Quarter 1–4.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the .xlsx; written whole or not at all.")
@with_appcontext
def template_command(region: str, year: int, quarter: int, out_path: Path) -> None:
    """Write the quarterly progress template of a county (the 导入 page's download), to fill in and import."""
    try:
        place = find_region(db.session, region)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    write_whole(out_path, progress_template(db.session, place, year, quarter))
    click.echo(f"已生成{place.name}{year}年第{quarter}季度进展模板：{out_path}")


def register(app) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(progress_group)
