"""Finding, counting and changing projects."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portfolio.models import Plan, Programme, Project, ProjectStatus, Region, Sector
from portfolio.rules import Light, Thresholds, WarningKind
from portfolio.services.warnings import rule_expressions

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
    as_of: date | None = None
    """The date the warning filters judge by; required when `light` or `warnings` is set."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    sort: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class ProjectTotals:
    count: int
    planned_investment: Decimal


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


def project_totals(session: Session, filters: ProjectFilters) -> ProjectTotals:
    count, total = session.execute(
        _where(select(func.count(Project.id), func.sum(Project.planned_investment)), filters)
    ).one()
    return ProjectTotals(count=count, planned_investment=total or Decimal("0.00"))


def plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.start_year, Plan.id)))


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.id)))


def programmes(session: Session) -> list[Programme]:
    return list(session.scalars(select(Programme).join(Programme.plan).order_by(Plan.start_year, Programme.number)))


def name_taken(session: Session, plan_id: int, name: str, exclude_project_id: int | None = None) -> bool:
    query = select(Project.id).where(Project.plan_id == plan_id, Project.name == name)
    if exclude_project_id is not None:
        query = query.where(Project.id != exclude_project_id)
    return session.scalar(query.limit(1)) is not None


PROJECT_FIELDS = (
    "plan_id", "programme_id", "region_id", "name", "site", "sector", "content",
    "planned_investment", "start_year", "end_year", "responsible_unit", "status",
)


def create_project(session: Session, values: dict) -> Project:
    project = Project(**{key: values[key] for key in PROJECT_FIELDS})
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, project: Project, values: dict) -> None:
    for key in PROJECT_FIELDS:
        setattr(project, key, values[key])
    if session.is_modified(project):
        project.version += 1
    session.flush()


def delete_project(session: Session, project: Project) -> None:
    session.delete(project)
    session.flush()
