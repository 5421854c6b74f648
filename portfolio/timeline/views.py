"""The timeline page: the project list's filtered projects on a Gantt chart."""
from flask import Blueprint, render_template, request

from portfolio.core import web
from portfolio.core.db import db
from portfolio.registry import queries
from portfolio.registry.forms import ProjectFilterForm
from portfolio.judgements.queries import assessments_as_of
from portfolio.rules.figures import facts_for
from portfolio.timeline.geometry import (
    LATE_COLOUR,
    ON_TIME_COLOUR,
    TimelineOrder,
    build_timeline,
    order_projects,
    timeline_project,
)

bp = Blueprint("timeline", __name__, url_prefix="/timeline")
TIMELINE_PROJECTS = 200
"""A chart of more rows is not read: beyond this the page asks for narrower filters."""


@bp.get("/")
def index():
    """The filters are the list's (a link from the list carries them); at most TIMELINE_PROJECTS are
    drawn, in the list's order, before they are sorted by start or by lateness."""
    filter_form = ProjectFilterForm(request.args, plans=queries.plans(db.session),
                                    regions=queries.regions(db.session))
    filters = filter_form.to_filters(web.today(), web.thresholds())
    order = web.enum_arg("by", TimelineOrder, TimelineOrder.START)
    limit = TIMELINE_PROJECTS
    count = queries.count_projects(db.session, filters)
    projects = db.session.scalars(queries.projects_query(filters).limit(limit)).unique().all()
    facts = facts_for(db.session, projects)  # the milestones drawn; the lights are the stored judgements
    assessments = assessments_as_of(db.session, projects, filters.as_of, filters.thresholds)
    drawn = [timeline_project(p.id, p.name, p.region.name, facts[p.id], assessments[p.id], filters.as_of)
             for p in projects]
    return render_template("timeline/index.html", timeline=build_timeline(order_projects(drawn, order), filters.as_of),
                           filters=filters, described=queries.describe_filters(db.session, filters), count=count,
                           limit=limit, order=order, orders=list(TimelineOrder), late_colour=LATE_COLOUR,
                           on_time_colour=ON_TIME_COLOUR)
