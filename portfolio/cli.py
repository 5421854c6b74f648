"""Commands run as `flask --app wsgi <command>`."""
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portfolio.extensions import db
from portfolio.services.demo import add_demo_progress, remove_demo_progress
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


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
