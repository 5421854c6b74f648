"""规划实施监测: every plan's indicators with baseline, latest value, target, the expected value on a
straight path and a status; yearly values entered by city staff; Excel and a 年度监测 PDF."""
from decimal import Decimal
from io import BytesIO

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portfolio.accounts import access
from portfolio.core import web
from portfolio.core.db import db, utc_now
from portfolio.indicators import operations, queries
from portfolio.indicators.export import monitoring_pdf, monitoring_xlsx
from portfolio.indicators.forms import MonitoringFilterForm, ValueForm
from portfolio.indicators.models import PlanIndicator
from portfolio.indicators.rules import PLACES, IndicatorStatus, format_value
from portfolio.indicators.validation import VALUE_LABELS, value_errors
from portfolio.registry import queries as registry_queries
from portfolio.reports.fonts import register_font

bp = Blueprint("indicators", __name__, url_prefix="/indicators")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("indicator_value")
def indicator_value(value: Decimal, unit: str, rounded: bool = False) -> str:
    """79.5岁; an expected value `rounded` to two decimals."""
    return format_value(value.quantize(PLACES) if rounded else value, unit)


def _monitoring():
    form = MonitoringFilterForm(request.args, registry_queries.plans(db.session), queries.areas(db.session))
    year = form.year.data if form.year.data and not form.year.errors and 1949 <= form.year.data <= 2100 \
        else web.today().year
    return form, year, queries.monitoring(db.session, form.to_filters(), year)


@bp.get("/")
def index():
    form, year, plans = _monitoring()
    return render_template("indicators/index.html", form=form, year=year, plans=plans, statuses=list(IndicatorStatus))


@bp.get("/monitoring.xlsx")
def export_xlsx():
    _, year, plans = _monitoring()
    return send_file(BytesIO(monitoring_xlsx(plans, year)), mimetype=XLSX, as_attachment=True,
                     download_name=f"规划实施监测_{year}年.xlsx")


@bp.get("/monitoring.pdf")
def export_pdf():
    """The standalone 年度监测 report of the year."""
    _, year, plans = _monitoring()
    pdf = monitoring_pdf(plans, year, current_app.config["REPORT_ISSUER"], utc_now(),
                         register_font(current_app.config["PDF_FONT"]))
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"规划实施年度监测_{year}年.pdf")


@bp.route("/<int:indicator_id>", methods=["GET", "POST"])
def detail(indicator_id: int):
    indicator = db.get_or_404(PlanIndicator, indicator_id)
    year = web.today().year
    form = ValueForm(year=min(max(year - 1, indicator.plan.start_year), indicator.plan.end_year))
    may_enter = access.can_enter_indicator_values(current_user)
    status = 200
    if request.method == "POST":
        if not may_enter:
            web.refuse()
        if form.validate_on_submit():
            errors, value = value_errors(indicator, form.year.data, form.value.data, form.source.data)
            for name, message in errors.items():
                form[name].errors = [*form[name].errors, message]
            if not errors:
                replaced = operations.record_value(db.session, indicator, form.year.data, value, form.source.data,
                                                   current_user.label)
                db.session.commit()
                flash(f"已{'更正' if replaced else '录入'}{indicator.name}{form.year.data}年实际值。", "success")
                return redirect(url_for(".detail", indicator_id=indicator.id))
        status = 422
    return render_template("indicators/detail.html", indicator=indicator, form=form, may_enter=may_enter,
                           judgement=queries.judge_indicator(indicator, year), year=year,
                           labels=VALUE_LABELS), status
