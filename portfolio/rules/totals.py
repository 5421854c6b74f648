"""The one roll-up of group figures: 项目数, 计划投资, 累计完成投资, 完成率 and the red and yellow
counts of any group of projects (a region, a sector, a status, the whole list).

Figures come in as cells — one judged project, or projects already summed by the database —
and `roll_up` adds them into groups. The dashboard, the list's totals line and the quarterly
report all go through it; `judged_cells` is the database's way of producing the cells (the
SQL twin of the rules), and `project_cell` the pure rules' way (one project, one assessment).
"""
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portfolio.registry.models import Project, ProjectStatus, Region, Sector
from portfolio.rules.rules import Assessment, Light, Thresholds, completion_rate
from portfolio.rules.sql import rule_expressions

CENT = Decimal("0.01")


@dataclass(frozen=True)
class GroupFigures:
    key: str | int
    label: str
    count: int
    planned_investment: Decimal
    cumulative_investment: Decimal
    red: int
    yellow: int

    @property
    def completion_rate(self) -> Decimal | None:
        return completion_rate(self.cumulative_investment, self.planned_investment)


@dataclass(frozen=True)
class Cell:
    """Judged figures of one project, or of projects sharing a region, status and sector."""

    region_id: int
    region_name: str
    status: ProjectStatus
    sector: Sector
    count: int
    planned_investment: Decimal
    cumulative_investment: Decimal
    red: int
    yellow: int


def project_cell(region_id: int, region_name: str, status: ProjectStatus, sector: Sector, planned: Decimal,
                 assessment: Assessment) -> Cell:
    return Cell(region_id, region_name, status, sector, 1, planned, assessment.cumulative_investment,
                int(assessment.light is Light.RED), int(assessment.light is Light.YELLOW))


def judged_cells(session: Session, as_of: date, thresholds: Thresholds,
                 where: Sequence[ColumnElement] = ()) -> list[Cell]:
    """The projects matching `where`, judged by the SQL twin and summed by region × status × sector."""
    rules = rule_expressions(as_of, thresholds)
    # Each project's light and cumulative investment are computed once (a materialized CTE);
    # grouping the plain projects table instead evaluates the light once per aggregate.
    rows = rules.join(
        select(Project.region_id, Project.status, Project.sector, Project.planned_investment,
               rules.cumulative.label("cumulative"), rules.light.label("light"))
        .select_from(Project).where(*where)
    ).cte("assessed").prefix_with("MATERIALIZED")
    return [Cell(*row) for row in session.execute(
        select(
            rows.c.region_id, Region.name, rows.c.status, rows.c.sector, func.count(),
            func.coalesce(func.sum(rows.c.planned_investment), 0), func.coalesce(func.sum(rows.c.cumulative), 0),
            func.count().filter(rows.c.light == Light.RED.value), func.count().filter(rows.c.light == Light.YELLOW.value),
        ).join(Region, Region.id == rows.c.region_id)
        .group_by(rows.c.region_id, Region.name, rows.c.status, rows.c.sector)
    )]


def roll_up(cells: Iterable[Cell], key_of: Callable[[Cell], Hashable], label_of: Callable[[Hashable], str],
            order: Sequence | None = None) -> list[GroupFigures]:
    """Cells added up per key, in `order` (keys without projects left out) or sorted by key."""
    sums: dict = {}
    for cell in cells:
        key = key_of(cell)
        count, planned, cumulative, red, yellow = sums.get(key, (0, Decimal(0), Decimal(0), 0, 0))
        sums[key] = (count + cell.count, planned + Decimal(cell.planned_investment),
                     cumulative + Decimal(cell.cumulative_investment), red + cell.red, yellow + cell.yellow)
    ordered = [key for key in order if key in sums] if order is not None else sorted(sums)
    return [GroupFigures(getattr(key, "value", key), label_of(key), count, planned.quantize(CENT),
                         cumulative.quantize(CENT), red, yellow)
            for key in ordered for count, planned, cumulative, red, yellow in [sums[key]]]


def total(cells: Iterable[Cell]) -> GroupFigures:
    """The whole group's figures (合计), zeros when there are no projects."""
    totals = roll_up(cells, lambda cell: "all", lambda key: "合计")
    return totals[0] if totals else GroupFigures("all", "合计", 0, CENT * 0, CENT * 0, 0, 0)


def by_region(cells: Sequence[Cell]) -> list[GroupFigures]:
    names = {cell.region_id: cell.region_name for cell in cells}
    return roll_up(cells, lambda cell: cell.region_id, names.get)


def by_status(cells: Iterable[Cell]) -> list[GroupFigures]:
    return roll_up(cells, lambda cell: cell.status, lambda key: key.label, list(ProjectStatus))


def by_sector(cells: Iterable[Cell]) -> list[GroupFigures]:
    return roll_up(cells, lambda cell: cell.sector, lambda key: key.label, list(Sector))
