"""The figures of the home page: totals, breakdowns, warning counts, the most overdue projects."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
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
    rules = rule_expressions(as_of, thresholds)
    in_plan = [Project.plan_id == plan_id] if plan_id else []

    def grouped(*group: ColumnElement) -> list:
        """Count, planned, cumulative, red and yellow per group (one row for no group)."""
        query = select(
            *group, func.count(Project.id), func.coalesce(func.sum(Project.planned_investment), 0),
            func.coalesce(func.sum(rules.cumulative), 0),
            func.count(Project.id).filter(rules.light == Light.RED.value),
            func.count(Project.id).filter(rules.light == Light.YELLOW.value),
        ).select_from(Project).join(Project.region).where(*in_plan)
        return session.execute(rules.join(query).group_by(*group)).all()

    def row(key, label, count, planned, cumulative, red, yellow) -> GroupFigures:
        cent = Decimal("0.01")
        return GroupFigures(key, label, count, Decimal(planned).quantize(cent), Decimal(cumulative).quantize(cent),
                            red, yellow)

    (total,) = grouped()
    by_status = {status: row(status.value, status.label, *rest) for status, *rest in grouped(Project.status)}
    by_sector = {sector: row(sector.value, sector.label, *rest) for sector, *rest in grouped(Project.sector)}
    by_region = sorted(grouped(Region.id, Region.name), key=lambda values: values[0])
    overdue = session.execute(
        select(Project.id, Project.name, Region.name, Project.end_year).join(Project.region)
        .where(rules.overdue, *in_plan)
        .order_by(Project.end_year, Project.planned_investment.desc(), Project.id).limit(10)
    ).all()
    return Dashboard(
        as_of=as_of,
        total=row("all", "合计", *total),
        by_status=[by_status[s] for s in ProjectStatus if s in by_status],
        by_region=[row(region_id, name, *rest) for region_id, name, *rest in by_region],
        by_sector=[by_sector[s] for s in Sector if s in by_sector],
        most_overdue=[OverdueProject(pid, name, region, end, describe_delay(date(end, 12, 31), as_of))
                      for pid, name, region, end in overdue],
        demo_projects=session.scalar(select(func.count(Project.id)).where(Project.demo_data, *in_plan)),
    )
