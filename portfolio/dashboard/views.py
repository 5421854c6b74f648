"""The dashboard view."""
from flask import Blueprint, current_app, render_template
from flask_login import current_user

from portfolio.accounts.access import problem_region_scope
from portfolio.accounts.models import Role
from portfolio.core import web
from portfolio.core.db import db
from portfolio.cycle.queries import RoundState, county_todo
from portfolio.dashboard.charts import grouped_bar_chart, trend_chart
from portfolio.dashboard.queries import build_dashboard, quarter_trends, trend_note, with_annual_plans
from portfolio.maps.geometry import DOT_ORDER, NO_PROJECTS, MapMeasure, county_maps, has_map
from portfolio.maps.queries import project_places, region_places
from portfolio.problems.queries import overdue_notices
from portfolio.registry.models import in_registry
from portfolio.rules import WarningKind
from portfolio.rules.totals import funding_lines

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    due_days = current_app.config["REPORT_DUE_DAYS"]
    dashboard = build_dashboard(db.session, web.as_of_arg(), web.thresholds(), due_days=due_days)
    todo = (county_todo(db.session, current_user.region_id, web.today(), due_days)
            if current_user.role is Role.COUNTY else None)
    chart = grouped_bar_chart(
        [(row.label, (row.planned_investment, row.cumulative_investment)) for row in dashboard.by_region],
        series=("计划投资", "累计完成"),
    )
    trends = quarter_trends(db.session, dashboard.reporting_year, dashboard.reporting_quarter)
    measure = web.enum_arg("map", MapMeasure, MapMeasure.INVESTMENT)
    regions = region_places(db.session)
    places = (project_places(db.session, dashboard.as_of, [in_registry(dashboard.as_of)])
              if any(has_map(region.city) for region in regions) else [])
    maps = county_maps(measure, regions, dashboard.by_region, places)
    return render_template("dashboard/index.html", dashboard=dashboard, chart=chart, warning_kinds=list(WarningKind),
                           trends=trends, annual_plans=with_annual_plans(trends), trend_note=trend_note(trends),
                           trend_chart=trend_chart(trends, with_annual_plans(trends)),
                           maps=maps, measure=measure, measures=list(MapMeasure), no_projects=NO_PROJECTS,
                           dot_lights=DOT_ORDER,
                           todo=todo, round_states=list(RoundState), today=web.today(), funding_lines=funding_lines,
                           late_notices=overdue_notices(db.session, web.today(), problem_region_scope(current_user)))
