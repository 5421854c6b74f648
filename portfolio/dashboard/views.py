"""The dashboard view."""
from flask import Blueprint, render_template

from portfolio.core import web
from portfolio.core.db import db
from portfolio.dashboard.charts import grouped_bar_chart
from portfolio.dashboard.queries import build_dashboard
from portfolio.rules import WarningKind

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
def index():
    dashboard = build_dashboard(db.session, web.as_of_arg(), web.thresholds())
    chart = grouped_bar_chart(
        [(row.label, (row.planned_investment, row.cumulative_investment)) for row in dashboard.by_region],
        series=("计划投资", "累计完成"),
    )
    return render_template("dashboard/index.html", dashboard=dashboard, chart=chart, warning_kinds=list(WarningKind))
