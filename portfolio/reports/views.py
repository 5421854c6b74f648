"""Views of the quarterly report."""
from datetime import datetime
from io import BytesIO

from flask import Blueprint, current_app, render_template, request, send_file

from portfolio.core import web
from portfolio.core.db import db
from portfolio.registry import queries as registry
from portfolio.registry.models import Plan, Region
from portfolio.reports.data import (
    ReportFilters,
    build_quarterly_report,
    count_report_projects,
    quarter_problem,
    report_title,
)
from portfolio.reports.fonts import register_font
from portfolio.reports.forms import ReportForm
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.rules import quarter_of

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


def _form() -> ReportForm:
    today = web.today()
    previous = (today.year, quarter_of(today) - 1) if quarter_of(today) > 1 else (today.year - 1, 4)
    return ReportForm(request.args or None, plans=registry.plans(db.session),
                      regions=registry.regions(db.session), year=previous[0], quarter=previous[1])


def _checked(form: ReportForm) -> ReportFilters | None:
    """The filters when the form is valid and the quarter has begun, else None (errors on the form)."""
    if not form.validate():
        return None
    if problem := quarter_problem(form.year.data, form.quarter.data, web.today()):
        form.quarter.errors.append(problem)
        return None
    return ReportFilters(
        plan=db.session.get(Plan, form.plan.data) if form.plan.data else None,
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        sector=form.sector.data,
        approved_only=form.approved_only.data,
    )


@bp.get("/")
def index():
    form = _form()
    filters = _checked(form) if request.args else None
    return render_template(
        "reports/index.html", form=form,
        project_count=count_report_projects(db.session, filters) if filters else None,
        title=report_title(form.year.data, form.quarter.data, filters) if filters else None,
        font=register_font(current_app.config["PDF_FONT"]),
    ), 422 if form.errors else 200


@bp.get("/quarterly.pdf")
def quarterly_pdf():
    form = _form()
    filters = _checked(form)
    if filters is None:
        return render_template("reports/index.html", form=form, project_count=None, title=None,
                               font=register_font(current_app.config["PDF_FONT"])), 422
    report = build_quarterly_report(db.session, form.year.data, form.quarter.data, filters,
                                    current_app.config["REPORT_ISSUER"], datetime.now(), web.thresholds())
    pdf = render_quarterly_pdf(report, register_font(current_app.config["PDF_FONT"]))
    filename = f"{report.year}年第{report.quarter}季度进展情况报告.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)
