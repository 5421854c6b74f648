"""What the county map reads: the regions, and the projects with coordinates judged as of a date."""
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from portfolio.maps.geometry import DOT_ORDER, MAP_DOTS, ProjectPlace, RegionPlace
from portfolio.registry.models import Project, Region
from portfolio.rules import Light, Thresholds
from portfolio.rules.sql import rule_expressions


def region_places(session: Session) -> list[RegionPlace]:
    return [RegionPlace(*row) for row in session.execute(select(Region.id, Region.city, Region.name).order_by(Region.id))]


def project_places(session: Session, as_of: date, thresholds: Thresholds,
                   where: Sequence[ColumnElement] = ()) -> list[ProjectPlace]:
    """The projects `where` selects that have coordinates, each with its light as of `as_of` (the
    rules' SQL twin), red first, at most MAP_DOTS; cancelled ones are not placed."""
    rules = rule_expressions(as_of, thresholds)
    severity = case(*((rules.light == light.value, rank) for rank, light in enumerate(DOT_ORDER)), else_=len(DOT_ORDER))
    query = rules.join(select(Project.id, Project.name, Project.region_id, Project.longitude, Project.latitude,
                              rules.light.label("light")))
    rows = session.execute(rules.bind(
        query.where(Project.longitude.is_not(None), rules.light != Light.CANCELLED.value, *where)
        .order_by(severity, Project.id).limit(MAP_DOTS))).all()
    return [ProjectPlace(row.id, row.name, row.region_id, row.longitude, row.latitude, Light(row.light)) for row in rows]
