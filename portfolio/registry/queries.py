"""Finding and counting projects: the filtered list, its totals, and the choices of plans, regions and programmes."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from portfolio.registry.models import Plan, Programme, Project, ProjectStatus, Region, Sector
from portfolio.rules import Light, Thresholds, WarningKind
from portfolio.rules.sql import rule_expressions
from portfolio.rules.totals import GroupFigures, judged_cells, total

SORT_COLUMNS = {
    "name": Project.name,
    "region": Region.name,
    "investment": Project.planned_investment,
    "start": Project.start_year,
    "end": Project.end_year,
}


@dataclass(frozen=True)
class ProjectFilters:
    plan_id: int | None = None
    region_id: int | None = None
    sector: Sector | None = None
    status: ProjectStatus | None = None
    keyword: str = ""
    light: Light | None = None
    warnings: frozenset[WarningKind] = frozenset()
    as_of: date = field(default_factory=date.today)
    """The date the warnings, lights and totals are judged as of."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    sort: str | None = None
    descending: bool = False


def _where(query: Select, filters: ProjectFilters) -> Select:
    if filters.light or filters.warnings:
        rules = rule_expressions(filters.as_of, filters.thresholds)
        query = rules.join(query)
        if filters.light:
            query = query.where(rules.light == filters.light.value)
        for kind in sorted(filters.warnings):
            query = query.where(rules.warning(kind))
    if filters.plan_id:
        query = query.where(Project.plan_id == filters.plan_id)
    if filters.region_id:
        query = query.where(Project.region_id == filters.region_id)
    if filters.sector:
        query = query.where(Project.sector == filters.sector)
    if filters.status:
        query = query.where(Project.status == filters.status)
    if keyword := filters.keyword.strip():
        query = query.where(
            or_(Project.name.contains(keyword, autoescape=True), Project.content.contains(keyword, autoescape=True))
        )
    return query


def projects_query(filters: ProjectFilters) -> Select:
    """The filtered, sorted list; ties fall back to the order of the plan's table."""
    query = _where(select(Project).join(Project.region), filters).options(
        joinedload(Project.region), joinedload(Project.plan)
    )
    order = []
    if column := SORT_COLUMNS.get(filters.sort or ""):
        order.append(column.desc() if filters.descending else column.asc())
    return query.order_by(*order, Project.plan_id, Project.id)


def project_totals(session: Session, filters: ProjectFilters) -> GroupFigures:
    """The list's totals line: the filtered projects' figures from the one roll-up (`rules.totals`)."""
    selected = _where(select(Project.id).join(Project.region), filters)
    cells = judged_cells(session, filters.as_of, filters.thresholds, [Project.id.in_(selected.scalar_subquery())])
    return total(cells)


def plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.start_year, Plan.id)))


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.id)))


def programmes(session: Session) -> list[Programme]:
    return list(session.scalars(select(Programme).join(Programme.plan).order_by(Plan.start_year, Programme.number)))
