"""Commands run as `flask --app wsgi <command>`."""
import os
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portfolio.extensions import db
from portfolio.reports.data import ReportFilters, build_quarterly_report, quarter_problem
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.services.demo import add_demo_progress, remove_demo_progress
from portfolio.services.lookup import find_plan, find_region, find_sector
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
@with_appcontext
def quarterly_report_command(year: int, quarter: int, out_path: Path, plan: str | None, region: str | None,
                             sector: str | None) -> None:
    """Write the quarterly progress report (季度进展情况报告) as a PDF.

    Projects are judged by the rules as of the quarter's last day, each with its latest
    progress report at or before that quarter.
    """
    if problem := quarter_problem(year, quarter, date.today()):
        raise click.ClickException(problem)
    try:
        filters = ReportFilters(plan=find_plan(db.session, plan) if plan else None,
                                region=find_region(db.session, region) if region else None,
                                sector=find_sector(sector) if sector else None)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    target = out_path.resolve()
    if not target.parent.is_dir() or not os.access(target.parent, os.W_OK):
        raise click.ClickException(f"无法写入 {out_path}: 目录不存在或没有写权限")
    font = register_font(current_app.config["PDF_FONT"])
    report = build_quarterly_report(db.session, year, quarter, filters, current_app.config["REPORT_ISSUER"],
                                    datetime.now(), thresholds())
    pdf = render_quarterly_pdf(report, font)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(pdf)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"无法写入 {out_path}: {error.strerror}") from None
    click.echo(f"已生成《{report.title}》: {out_path}({len(report.projects)} 个项目,{len(pdf):,} 字节,字体 {font.describe()})")


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(report_group)
