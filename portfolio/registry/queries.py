"""Finding and counting projects: the filtered list, its totals, and the choices of plans, regions and programmes."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portfolio.core.enums import LabelledEnum
from portfolio.problems.models import Problem
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.registry.models import (
    FundingSource,
    Plan,
    Programme,
    Project,
    ProjectFunding,
    ProjectStatus,
    Region,
    Sector,
    in_registry,
)
from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import day_moment
from portfolio.judgements.queries import cells_as_of, judged, warning_condition
from portfolio.rules import Light, Thresholds, WarningKind, completion_rate
from portfolio.rules.totals import CENT, Cell, FundingFigures, GroupFigures, total

SORT_COLUMNS = {
    "name": Project.name,
    "region": Region.name,
    "investment": Project.planned_investment,
    "start": Project.start_year,
    "end": Project.end_year,
}


class ArchiveScope(LabelledEnum):
    """Which projects a list shows: archived ones only when asked for."""

    CURRENT = "current", "在库项目"
    ARCHIVED = "archived", "已归档项目"
    ALL = "all", "全部（含已归档）"


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
    funding_source: FundingSource | None = None
    """Only projects that draw on this 资金来源."""
    archive: ArchiveScope = ArchiveScope.CURRENT


def _judged_by(filters: ProjectFilters) -> bool:
    """Whether the filters ask what the rules decided for the date (read from the stored judgements)."""
    return bool(filters.light or filters.warnings or filters.status)


def _conditions(filters: ProjectFilters) -> list[ColumnElement[bool]]:
    """The filters as conditions on the project and, where `_judged_by`, its judgement at the date."""
    conditions = []
    if filters.light:
        conditions.append(Judgement.light == filters.light)
    conditions += [warning_condition(kind) for kind in sorted(filters.warnings)]
    if filters.status:
        conditions.append(Judgement.status == filters.status)
    if filters.plan_id:
        conditions.append(Project.plan_id == filters.plan_id)
    if filters.region_id:
        conditions.append(Project.region_id == filters.region_id)
    if filters.sector:
        conditions.append(Project.sector == filters.sector)
    if filters.funding_source:
        conditions.append(exists().where(ProjectFunding.project_id == Project.id,
                                         ProjectFunding.source == filters.funding_source))
    if filters.archive is ArchiveScope.CURRENT:
        conditions.append(in_registry(filters.as_of))
    elif filters.archive is ArchiveScope.ARCHIVED:
        conditions.append(~in_registry(filters.as_of))
    if keyword := filters.keyword.strip():
        conditions.append(
            or_(Project.name.contains(keyword, autoescape=True), Project.content.contains(keyword, autoescape=True)))
    return conditions


def _where(query: Select, filters: ProjectFilters) -> Select:
    if _judged_by(filters):
        query = judged(query, day_moment(filters.as_of))
    return query.where(*_conditions(filters))


def describe_filters(session: Session, filters: ProjectFilters) -> list[str]:
    """The filters in words, for exports and printed lists."""
    words = []
    if filters.plan_id and (plan := session.get(Plan, filters.plan_id)):
        words.append(f"规划：{plan.title}")
    if filters.region_id and (region := session.get(Region, filters.region_id)):
        words.append(f"县(市、区)：{region.name}")
    if filters.sector:
        words.append(f"领域：{filters.sector.label}")
    if filters.status:
        words.append(f"项目状态：{filters.status.label}")
    if filters.keyword.strip():
        words.append(f"关键词：{filters.keyword.strip()}")
    if filters.light:
        words.append(f"预警：{filters.light.label}")
    words += [f"问题：{kind.label}" for kind in sorted(filters.warnings)]
    if filters.funding_source:
        words.append(f"资金来源：{filters.funding_source.label}")
    if filters.archive is not ArchiveScope.CURRENT:
        words.append(filters.archive.label)
    return words


def projects_query(filters: ProjectFilters) -> Select:
    """The filtered, sorted list; ties fall back to the order of the plan's table."""
    query = _where(select(Project).join(Project.region), filters).options(
        joinedload(Project.region), joinedload(Project.plan)
    )
    order = []
    if column := SORT_COLUMNS.get(filters.sort or ""):
        order.append(column.desc() if filters.descending else column.asc())
    return query.order_by(*order, Project.plan_id, Project.id)


def _selected_ids(filters: ProjectFilters) -> Select:
    """The ids of the projects the filters select."""
    return _where(select(Project.id).join(Project.region), filters)


def count_projects(session: Session, filters: ProjectFilters) -> int:
    """How many projects the filters select (an export's size, before it is made)."""
    return session.scalar(select(func.count()).select_from(_selected_ids(filters).subquery()))


def filtered_cells(session: Session, filters: ProjectFilters) -> list[Cell]:
    """The filtered projects' stored judgements summed by the database, ready for the one roll-up (`rules.totals`)."""
    return cells_as_of(session, filters.as_of, _conditions(filters), registry_only=False)


def project_totals(session: Session, filters: ProjectFilters) -> GroupFigures:
    """The list's totals line: the filtered projects' figures from the one roll-up."""
    return total(filtered_cells(session, filters))


@dataclass(frozen=True)
class FundingRow:
    source: FundingSource
    amount: Decimal
    share: Decimal | None
    """Of the planned investment."""


@dataclass(frozen=True)
class FundingSummary:
    """A project's 资金来源 against its planned investment (from the roll-up's `FundingFigures`):
    what is left to find, or by how much they exceed it."""

    rows: list[FundingRow]
    total: Decimal
    share: Decimal | None
    unallocated: Decimal
    excess: Decimal

    @property
    def excess_is_rounding(self) -> bool:
        """A fen or less over: rounding, stated but not warned about."""
        return self.excess <= CENT


def funding_summary(project: Project) -> FundingSummary:
    planned = project.planned_investment
    figures = FundingFigures.of_project(planned, project.funding_by_source)
    rows = [FundingRow(source, amount, completion_rate(amount, planned)) for source, amount in figures.by_source
            if amount]
    total = planned + figures.excess - figures.unallocated
    return FundingSummary(rows, total, completion_rate(total, planned), figures.unallocated, figures.excess)


def funding_by_project(session: Session, project_ids) -> dict[int, dict[FundingSource, Decimal]]:
    """资金来源 of many projects in one query: {project id: {source: amount}} (projects without any absent)."""
    funding: dict[int, dict[FundingSource, Decimal]] = {}
    for project_id, source, amount in session.execute(
            select(ProjectFunding.project_id, ProjectFunding.source, ProjectFunding.amount)
            .where(ProjectFunding.project_id.in_(project_ids))):
        funding.setdefault(project_id, {})[source] = amount
    return funding


def recorded_items(session: Session, project: Project) -> list[str]:
    """What has been recorded for the project (progress, milestones, annual plans, problems), in
    words; a project with any of it can only be archived, never deleted."""
    counted = (("季度进展", ProgressReport, "份"), ("节点", Milestone, "个"), ("年度计划", AnnualPlan, "个"),
               ("问题", Problem, "个"))
    items = []
    for label, model, measure in counted:
        if number := session.scalar(select(func.count()).select_from(model).where(model.project_id == project.id)):
            items.append(f"{label}{number}{measure}")
    return items


def plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.start_year, Plan.id)))


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.id)))


def programmes(session: Session) -> list[Programme]:
    return list(session.scalars(select(Programme).join(Programme.plan).order_by(Plan.start_year, Programme.number)))
