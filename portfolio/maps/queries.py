"""What the county map reads: the regions, and the projects with coordinates judged as of a date."""
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from portfolio.maps.geometry import DOT_ORDER, MAP_DOTS, ProjectPlace, RegionPlace
from portfolio.registry.models import Project, Region
from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import day_moment
from portfolio.judgements.queries import judged
from portfolio.rules import Light


def region_places(session: Session) -> list[RegionPlace]:
    return [RegionPlace(*row) for row in session.execute(select(Region.id, Region.city, Region.name).order_by(Region.id))]


def project_places(session: Session, as_of: date, where: Sequence[ColumnElement] = ()) -> list[ProjectPlace]:
    """The projects `where` selects that have coordinates, each with its stored light as of `as_of`,
    red first, at most MAP_DOTS; cancelled ones are not placed."""
    severity = case(*((Judgement.light == light, rank) for rank, light in enumerate(DOT_ORDER)), else_=len(DOT_ORDER))
    query = judged(select(Project.id, Project.name, Project.region_id, Project.longitude, Project.latitude,
                          Judgement.light.label("light")), day_moment(as_of))
    rows = session.execute(
        query.where(Project.longitude.is_not(None), Judgement.light != Light.CANCELLED, *where)
        .order_by(severity, Project.id).limit(MAP_DOTS)).all()
    return [ProjectPlace(row.id, row.name, row.region_id, row.longitude, row.latitude, Light(row.light)) for row in rows]
