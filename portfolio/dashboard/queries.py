"""The figures of the home page: totals, breakdowns, warning counts, the most overdue projects."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.cycle.queries import QuarterRound, quarter_round
from portfolio.registry.models import Project, Region, in_registry
from portfolio.rules import Thresholds, describe_delay, reporting_quarter, totals
from portfolio.rules.sql import rule_expressions
from portfolio.rules.totals import GroupFigures, judged_cells


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
    reporting_year: int
    reporting_quarter: int
    total: GroupFigures
    by_status: list[GroupFigures]
    by_region: list[GroupFigures]
    by_sector: list[GroupFigures]
    most_overdue: list[OverdueProject]
    demo_projects: int
    """Projects whose progress is generated demo data (`flask demo`)."""
    round: QuarterRound
    """报送情况 of the 报告期, one line per county."""


def build_dashboard(session: Session, as_of: date, thresholds: Thresholds = Thresholds(),
                    plan_id: int | None = None, due_days: int = 5) -> Dashboard:
    """All breakdowns come from one grouped scan (region × status × sector), rolled up by `rules.totals`."""
    rules = rule_expressions(as_of, thresholds)
    in_plan = [in_registry(as_of)] + ([Project.plan_id == plan_id] if plan_id else [])
    cells = judged_cells(session, as_of, thresholds, in_plan)
    overdue = session.execute(rules.bind(
        select(Project.id, Project.name, Region.name, Project.end_year).join(Project.region)
        .where(rules.overdue, *in_plan)
        .order_by(Project.end_year, Project.planned_investment.desc(), Project.id).limit(10)
    )).all()
    year, quarter = reporting_quarter(as_of)
    return Dashboard(
        as_of=as_of, reporting_year=year, reporting_quarter=quarter,
        total=totals.total(cells),
        by_status=totals.by_status(cells),
        by_region=totals.by_region(cells),
        by_sector=totals.by_sector(cells),
        most_overdue=[OverdueProject(pid, name, region, end, describe_delay(date(end, 12, 31), as_of))
                      for pid, name, region, end in overdue],
        demo_projects=session.scalar(select(func.count(Project.id)).where(Project.demo_data, *in_plan)),
        round=quarter_round(session, year, quarter, as_of, due_days),
    )
