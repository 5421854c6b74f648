"""The figures of the home page: totals, breakdowns, warning counts, the most overdue projects."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.models import Project, ProjectStatus, Region, Sector
from portfolio.rules import Light, Thresholds, completion_rate, describe_delay
from portfolio.services.warnings import rule_expressions


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
class OverdueProject:
    project_id: int
    name: str
    region: str
    end_year: int
    delay: str


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    total: GroupFigures
    by_status: list[GroupFigures]
    by_region: list[GroupFigures]
    by_sector: list[GroupFigures]
    most_overdue: list[OverdueProject]
    demo_projects: int
    """Projects whose progress is generated demo data (`flask demo`)."""


def build_dashboard(session: Session, as_of: date, thresholds: Thresholds = Thresholds(),
                    plan_id: int | None = None) -> Dashboard:
    """All breakdowns come from one grouped scan (region × status × sector), summed up here."""
    rules = rule_expressions(as_of, thresholds)
    in_plan = [Project.plan_id == plan_id] if plan_id else []
    # Each project's light and cumulative investment are computed once (a materialized CTE);
    # grouping the plain projects table instead evaluates the light once per aggregate.
    rows = rules.join(
        select(Project.region_id, Project.status, Project.sector, Project.planned_investment,
               rules.cumulative.label("cumulative"), rules.light.label("light"))
        .select_from(Project).where(*in_plan)
    ).cte("assessed").prefix_with("MATERIALIZED")
    cells = session.execute(
        select(
            rows.c.region_id, Region.name, rows.c.status, rows.c.sector, func.count(),
            func.coalesce(func.sum(rows.c.planned_investment), 0), func.coalesce(func.sum(rows.c.cumulative), 0),
            func.count().filter(rows.c.light == Light.RED.value), func.count().filter(rows.c.light == Light.YELLOW.value),
        ).join(Region, Region.id == rows.c.region_id)
        .group_by(rows.c.region_id, Region.name, rows.c.status, rows.c.sector)
    ).all()

    def roll_up(key_of, label_of, keys=None) -> list[GroupFigures]:
        sums: dict = {}
        for cell in cells:
            key = key_of(cell)
            count, planned, cumulative, red, yellow = sums.get(key, (0, Decimal(0), Decimal(0), 0, 0))
            sums[key] = (count + cell[4], planned + Decimal(cell[5]), cumulative + Decimal(cell[6]),
                         red + cell[7], yellow + cell[8])
        ordered = [key for key in keys if key in sums] if keys is not None else sorted(sums)
        cent = Decimal("0.01")
        return [GroupFigures(getattr(key, "value", key), label_of(key), count, planned.quantize(cent),
                             cumulative.quantize(cent), red, yellow)
                for key in ordered for count, planned, cumulative, red, yellow in [sums[key]]]

    region_names = {cell[0]: cell[1] for cell in cells}
    totals = roll_up(lambda cell: "all", lambda key: "合计")
    overdue = session.execute(
        select(Project.id, Project.name, Region.name, Project.end_year).join(Project.region)
        .where(rules.overdue, *in_plan)
        .order_by(Project.end_year, Project.planned_investment.desc(), Project.id).limit(10)
    ).all()
    return Dashboard(
        as_of=as_of,
        total=totals[0] if totals else GroupFigures("all", "合计", 0, Decimal("0.00"), Decimal("0.00"), 0, 0),
        by_status=roll_up(lambda cell: cell[2], lambda key: key.label, list(ProjectStatus)),
        by_region=roll_up(lambda cell: cell[0], region_names.get),
        by_sector=roll_up(lambda cell: cell[3], lambda key: key.label, list(Sector)),
        most_overdue=[OverdueProject(pid, name, region, end, describe_delay(date(end, 12, 31), as_of))
                      for pid, name, region, end in overdue],
        demo_projects=session.scalar(select(func.count(Project.id)).where(Project.demo_data, *in_plan)),
    )
