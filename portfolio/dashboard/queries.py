"""The figures of the home page: totals, breakdowns, warning counts, the most overdue projects."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portfolio.cycle.queries import QuarterRound, quarter_round
from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import day_moment, report_moment
from portfolio.judgements.queries import cells_as_of, judged, totals_at
from portfolio.registry.models import Project, Region, in_registry
from portfolio.rules import (
    Thresholds,
    describe_delay,
    period_quarter,
    quarter_period,
    reporting_quarter,
    round_quarter,
    schedule_share,
    totals,
)
from portfolio.rules.totals import CENT, Figures, GroupFigures


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
    """All breakdowns come from one grouped read of the stored judgements (region × status × sector),
    rolled up by `rules.totals`; the 报送 block is the round of the quarter being gathered."""
    in_plan = [Project.plan_id == plan_id] if plan_id else []
    cells = cells_as_of(session, as_of, in_plan)
    overdue = session.execute(
        judged(select(Project.id, Project.name, Region.name, Project.end_year).join(Project.region), day_moment(as_of))
        .where(Judgement.overdue.is_(True), in_registry(as_of), *in_plan)
        .order_by(Project.end_year, Project.planned_investment.desc(), Project.id).limit(10)
    ).all()
    year, quarter = reporting_quarter(as_of, thresholds.report_due_days)
    return Dashboard(
        as_of=as_of, reporting_year=year, reporting_quarter=quarter,
        total=totals.total(cells),
        by_status=totals.by_status(cells),
        by_region=totals.by_region(cells),
        by_sector=totals.by_sector(cells),
        most_overdue=[OverdueProject(pid, name, region, end, describe_delay(date(end, 12, 31), as_of))
                      for pid, name, region, end in overdue],
        demo_projects=session.scalar(select(func.count(Project.id)).where(Project.demo_data, *in_plan)),
        round=quarter_round(session, *round_quarter(as_of), as_of, due_days),
    )


@dataclass(frozen=True)
class QuarterTrend:
    """One quarter of the trend: its report's figures (the quarter as 报告期, judged at its last day) by the one roll-up."""

    year: int
    quarter: int
    quarter_investment: Decimal
    """Completed in the quarter (the quarter's own investment of the projects that reported it)."""
    annual_completed: Decimal
    """Completed in the year up to the quarter's end, by the projects that have an annual plan."""
    annual_plan: Decimal
    paced: Decimal
    """The annual plans' pace at the quarter's end (序时进度): the plans × quarter / 4."""
    red: int
    yellow: int

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @classmethod
    def of(cls, year: int, quarter: int, total: Figures) -> "QuarterTrend":
        """The quarter's trend figures from its total (the roll-up as of the quarter's end)."""
        return cls(year, quarter, total.quarter_investment, total.annual_completed, total.annual_plan,
                   (total.annual_plan * schedule_share(quarter)).quantize(CENT), total.red, total.yellow)


def with_annual_plans(trends: Sequence[QuarterTrend]) -> bool:
    """Whether any quarter of the trend had an annual plan: without one, the year's completed
    investment and the pace do not exist (they are not zero), and the trend shows the quarters'
    own investment alone."""
    return any(trend.annual_plan > 0 for trend in trends)


def trend_note(trends) -> str:
    """The sentence under (or, without annual plans, instead of) the trend's year figures."""
    if with_annual_plans(trends):
        return ("各季度按季末判断；年内累计完成和年度计划只计有年度计划的项目；序时进度为年度计划×季度/4；"
                "“—”为该季度所在年份无年度计划。")
    return f"近{len(trends)}个季度均无年度计划，年内累计完成和序时进度无从计算；下表和下图为各季度完成投资（各季度按季末判断）。"


TREND_QUARTERS = 8
TREND_FIGURES = ("quarter_investment", "annual_completed", "annual_plan", "red", "yellow")
"""What `QuarterTrend.of` reads of a quarter's figures."""


def trend_quarters(year: int, quarter: int, quarters: int = TREND_QUARTERS) -> list[tuple[int, int]]:
    """The `quarters` quarters up to this one, oldest first, as (year, quarter)."""
    last = quarter_period(year, quarter)
    return [period_quarter(period) for period in range(last - quarters + 1, last + 1)]


def quarter_trends(session: Session, year: int, quarter: int, where: Sequence[ColumnElement] = (),
                   quarters: int = TREND_QUARTERS) -> list[QuarterTrend]:
    """The `quarters` quarters up to (year, quarter) — the dashboard's 报告期, a report's quarter —
    oldest first: each one's figures are those of its quarterly report (its report moment) for the
    projects `where` selects (the report's scope), all read in one grouped statement. The report judges
    them project by project instead when only reviewed progress counts (`reports.data.report_trends`,
    tested equal)."""
    shown = trend_quarters(year, quarter, quarters)
    figures = totals_at(session, [report_moment(*shown_quarter) for shown_quarter in shown], TREND_FIGURES, where)
    return [QuarterTrend.of(y, q, figures[report_moment(y, q)]) for y, q in shown]
