"""Reading indicators and judging them for the monitoring page, its exports and the Q4 report."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portfolio.indicators.models import IndicatorNature, PlanIndicator
from portfolio.indicators.rules import PLACES, IndicatorFacts, IndicatorStatus, Judgement, format_value, judge
from portfolio.registry.models import Plan


@dataclass(frozen=True)
class IndicatorFilters:
    plan_id: int | None = None
    area: str = ""
    nature: IndicatorNature | None = None


@dataclass(frozen=True)
class IndicatorRow:
    indicator: PlanIndicator
    judgement: Judgement

    @property
    def latest(self) -> str:
        """“79.3岁（2024年）”, or — without a value."""
        judgement = self.judgement
        if judgement.latest_value is None:
            return "—"
        return f"{format_value(judgement.latest_value, self.indicator.unit)}（{judgement.latest_year}年）"

    @property
    def expected(self) -> str:
        """The value on the straight path, two decimals at most, or —."""
        if self.judgement.expected is None:
            return "—"
        return format_value(self.judgement.expected.quantize(PLACES), self.indicator.unit)


@dataclass(frozen=True)
class PlanMonitoring:
    """One plan's indicators judged as of a year, with the count of each status."""

    plan: Plan
    year: int
    rows: list[IndicatorRow]
    counts: dict[IndicatorStatus, int] = field(default_factory=dict)

    @property
    def red(self) -> int:
        return sum(row.judgement.red for row in self.rows)

    @property
    def summary(self) -> str:
        """“截至2024年，31项指标中已达标5项、正常3项…，其中约束性指标滞后1项。”"""
        parts = "、".join(f"{status.label}{self.counts[status]}项" for status in IndicatorStatus
                         if self.counts.get(status))
        red = f"，其中约束性指标滞后{self.red}项" if self.red else ""
        return f"截至{self.year}年，{len(self.rows)}项指标中{parts}{red}。"


def facts_of(indicator: PlanIndicator) -> IndicatorFacts:
    return IndicatorFacts(indicator.name, indicator.unit, indicator.nature, indicator.direction, indicator.measure,
                          indicator.baseline_year, indicator.baseline_value, indicator.target_year,
                          indicator.target_value, indicator.target)


def judge_indicator(indicator: PlanIndicator, year: int) -> Judgement:
    return judge(facts_of(indicator), {row.year: row.value for row in indicator.values}, year)


def monitoring(session: Session, filters: IndicatorFilters, year: int) -> list[PlanMonitoring]:
    """Each plan's indicators (as the filters select them), judged as of the end of `year`."""
    query = (select(PlanIndicator).join(PlanIndicator.plan).options(selectinload(PlanIndicator.values))
             .order_by(Plan.start_year, Plan.id, PlanIndicator.number))
    if filters.plan_id:
        query = query.where(PlanIndicator.plan_id == filters.plan_id)
    if filters.area:
        query = query.where(PlanIndicator.area == filters.area)
    if filters.nature:
        query = query.where(PlanIndicator.nature == filters.nature)
    plans: dict[int, PlanMonitoring] = {}
    for indicator in session.scalars(query):
        group = plans.setdefault(indicator.plan_id, PlanMonitoring(indicator.plan, year, []))
        row = IndicatorRow(indicator, judge_indicator(indicator, year))
        group.rows.append(row)
        group.counts[row.judgement.status] = group.counts.get(row.judgement.status, 0) + 1
    return list(plans.values())


def areas(session: Session) -> list[str]:
    """The 领域 the indicator tables print, for the filter."""
    return [area for area in session.scalars(select(PlanIndicator.area).distinct().order_by(PlanIndicator.area))
            if area]
