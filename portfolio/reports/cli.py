"""`flask report quarterly`: the quarterly report as a PDF or a Word document."""
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portfolio.core.cli import check_writable, write_whole
from portfolio.core.db import db, utc_now
from portfolio.core.web import thresholds
from portfolio.registry.lookup import find_plan, find_region, find_sector
from portfolio.reports.data import ReportFilters, build_quarterly_report, quarter_problem
from portfolio.reports.docx import render_quarterly_docx
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf


@click.group("report")
def report_group() -> None:
    """Produce reports."""


@report_group.command("quarterly")
@click.option("--year", type=int, required=True, help="Year of the quarter, e.g. 2026.")
@click.option("--quarter", type=click.IntRange(1, 4), required=True, help="Quarter 1–4; the report is as of its last day.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the report; written whole or not at all.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf", show_default=True,
              help="PDF, or Word (.docx) to edit before it is issued.")
@click.option("--plan", help="Only this plan: its title or a unique part of it, e.g. 焦作.")
@click.option("--region", help="Only this county/district, e.g. 山阳区 (or 焦作市山阳区 where names repeat).")
@click.option("--sector", help="Only this sector, by its Chinese name (医疗卫生，教育，…) or code.")
@click.option("--approved-only", is_flag=True, help="Count only progress that passed review (已审核).")
@click.option("--photos", is_flag=True, help="Add the appendix 项目现场照片 (the newest one or two photos per project).")
@with_appcontext
def quarterly_report_command(year: int, quarter: int, out_path: Path, fmt: str, plan: str | None, region: str | None,
                             sector: str | None, approved_only: bool, photos: bool) -> None:
    """Write the quarterly progress report (季度进展情况报告) as a PDF or a Word document.

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
    check_writable(out_path)
    font = register_font(current_app.config["PDF_FONT"])
    report = build_quarterly_report(db.session, year, quarter, filters, current_app.config["REPORT_ISSUER"],
                                    utc_now(), date.today(), thresholds(), with_photos=photos)
    data = render_quarterly_docx(report, font) if fmt == "docx" else render_quarterly_pdf(report, font)
    write_whole(out_path, data)
    click.echo(f"已生成《{report.title}》：{out_path}（{len(report.projects)}个项目，{len(data):,}字节"
               + ("）" if fmt == "docx" else f"，字体{font.describe()}）"))


def register(app) -> None:
    app.cli.add_command(report_group)
