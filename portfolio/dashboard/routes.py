"""The dashboard view."""
from datetime import date

from flask import render_template, request

from portfolio import web
from portfolio.charts import grouped_bar_chart
from portfolio.dashboard import bp
from portfolio.extensions import db
from portfolio.services.dashboard import build_dashboard


def _as_of() -> date:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return web.today()


@bp.get("/")
def index():
    dashboard = build_dashboard(db.session, _as_of(), web.thresholds())
    chart = grouped_bar_chart(
        [(row.label, (row.planned_investment, row.cumulative_investment)) for row in dashboard.by_region],
        series=("计划投资", "累计完成"),
    )
    return render_template("dashboard/index.html", dashboard=dashboard, chart=chart)
