"""The rules of DESIGN.md ("Rules the app computes") as plain functions.

They take project facts and an explicit as-of date and know nothing of Flask or the
database; the list, the dashboard, the PDF report and the exports all call them. Their SQL
twin (`portfolio.rules.sql`) filters and counts lists in the database and is tested against them.

Definitions the DESIGN leaves open, decided here:
- A progress report counts "at or before" a date when its quarter is not after the date's
  quarter, so on 2026-11-22 a 2026 Q4 report already counts.
- The quarter a project must have reported by a date is the date's own quarter when the
  date is that quarter's last day (a quarterly report's as-of date), else the quarter before.
- Investment completed in a year is the sum of that year's quarterly investments.
- A late milestone is yellow; an annual plan of 0 万元 counts as no annual plan.
"""
import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from portfolio.progress.models import MilestoneKind, ReviewState
from portfolio.registry.models import BuildPeriod, ProjectStatus

DONE_STATUSES = frozenset({ProjectStatus.COMPLETED, ProjectStatus.IN_USE})
MILESTONE_ORDER = {kind: index for index, kind in enumerate(MilestoneKind)}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Thresholds:
    """Investment lag in percentage points: yellow from `lag_yellow_pp`, red above `lag_red_pp`."""

    lag_yellow_pp: Decimal = Decimal(10)
    lag_red_pp: Decimal = Decimal(30)
    late_start_red_months: int = 3


class Light(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"red": "红", "yellow": "黄", "green": "绿", "done": "已完成", "cancelled": "已取消"}[self.value]


class WarningKind(StrEnum):
    OVERDUE = "overdue"
    LATE_START = "late_start"
    LATE_MILESTONE = "late_milestone"
    INVESTMENT_LAG = "investment_lag"
    NOT_REPORTED = "not_reported"

    @property
    def label(self) -> str:
        return {"overdue": "超期", "late_start": "开工滞后", "late_milestone": "节点滞后",
                "investment_lag": "投资滞后", "not_reported": "未报送"}[self.value]


@dataclass(frozen=True)
class ReportFigures:
    year: int
    quarter: int
    cumulative_investment: Decimal
    quarter_investment: Decimal
    review_state: ReviewState = ReviewState.DRAFT
    physical_progress: Decimal | None = None
    works_status: str | None = None
    problems: str | None = None
    next_steps: str | None = None
    """Not used by the rules; shown beside them (report, exports)."""

    @property
    def period(self) -> int:
        return quarter_period(self.year, self.quarter)


@dataclass(frozen=True)
class MilestoneDates:
    kind: MilestoneKind
    planned_date: date | None
    actual_date: date | None


@dataclass(frozen=True)
class ProjectFacts(BuildPeriod):
    status: ProjectStatus
    start_year: int
    end_year: int
    planned_investment: Decimal
    reports: Sequence[ReportFigures] = ()
    annual_plans: Mapping[int, Decimal] = field(default_factory=dict)
    milestones: Sequence[MilestoneDates] = ()


@dataclass(frozen=True)
class Warning:
    kind: WarningKind
    light: Light
    reason: str


@dataclass(frozen=True)
class Assessment:
    light: Light
    warnings: tuple[Warning, ...]
    cumulative_investment: Decimal
    completion_rate: Decimal | None
    over_budget: bool

    def has(self, kind: WarningKind) -> bool:
        return any(warning.kind is kind for warning in self.warnings)


# --- dates and quarters -------------------------------------------------------------------

def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> int:
    """Quarters numbered consecutively (year × 4 + quarter − 1), so neighbours differ by one."""
    return year * 4 + quarter - 1


def period_quarter(period: int) -> tuple[int, int]:
    return period // 4, period % 4 + 1


def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_start(year: int, quarter: int) -> date:
    return date(year, quarter * 3 - 2, 1)


def is_quarter_end(day: date) -> bool:
    return day == quarter_end(day.year, quarter_of(day))


def schedule_share(as_of: date) -> Decimal:
    """序时进度 of the as-of year, 0–1: 25/50/75/100% at quarter ends, else elapsed days ÷ days in year."""
    if is_quarter_end(as_of):
        return Decimal(quarter_of(as_of)) / 4
    days_in_year = 366 if calendar.isleap(as_of.year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days_in_year)


def due_quarter(as_of: date) -> tuple[int, int]:
    """The quarter whose progress must be reported by `as_of` (see the module docstring)."""
    period = quarter_period(as_of.year, quarter_of(as_of))
    return period_quarter(period if is_quarter_end(as_of) else period - 1)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`; month ends count as whole months (Dec 31 → Sep 30 is 9)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    end_is_month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if end.day < start.day and not end_is_month_end:
        months -= 1
    return months


def describe_delay(start: date, end: date) -> str:
    """"1年9个月", "5个月" or "12天"."""
    months = months_between(start, end)
    if months < 1:
        return f"{(end - start).days}天"
    years, months = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{months}个月" if months else "")


def format_percent(fraction: Decimal) -> str:
    """0.45 → "45%", 0.6164 → "61.6%"."""
    value = (fraction * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral_value() else f"{value:f}%"


def format_points(points: Decimal) -> str:
    value = points.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.to_integral_value():f}" if value == value.to_integral_value() else f"{value:f}"


# --- facts as of a date -------------------------------------------------------------------

def is_done(status: ProjectStatus) -> bool:
    return status in DONE_STATUSES


def is_active(status: ProjectStatus) -> bool:
    """Neither done nor cancelled: the projects that can be warned about."""
    return not is_done(status) and status is not ProjectStatus.CANCELLED


def latest_report(facts: ProjectFacts, as_of: date) -> ReportFigures | None:
    limit = quarter_period(as_of.year, quarter_of(as_of))
    eligible = [report for report in facts.reports if report.period <= limit]
    return max(eligible, key=lambda report: report.period, default=None)


def cumulative_as_of(facts: ProjectFacts, as_of: date) -> Decimal:
    report = latest_report(facts, as_of)
    return report.cumulative_investment if report else Decimal(0)


def year_investment(facts: ProjectFacts, year: int, up_to_quarter: int = 4) -> Decimal:
    return sum(
        (r.quarter_investment for r in facts.reports if r.year == year and r.quarter <= up_to_quarter), Decimal(0)
    )


def completion_rate(cumulative: Decimal, planned: Decimal) -> Decimal | None:
    return cumulative / planned if planned > 0 else None


# --- the rules ----------------------------------------------------------------------------

def overdue(facts: ProjectFacts, as_of: date) -> Warning | None:
    if not is_active(facts.status) or as_of <= facts.planned_end:
        return None
    return Warning(
        WarningKind.OVERDUE, Light.RED,
        f"计划{facts.end_year}年底竣工,已超期{describe_delay(facts.planned_end, as_of)}",
    )


def late_start(facts: ProjectFacts, as_of: date, thresholds: Thresholds = Thresholds()) -> Warning | None:
    if facts.status is not ProjectStatus.PREPARING or as_of <= facts.planned_start:
        return None
    red_from = date(facts.start_year, 1 + thresholds.late_start_red_months, 1)
    return Warning(
        WarningKind.LATE_START, Light.RED if as_of >= red_from else Light.YELLOW,
        f"计划{facts.start_year}年开工,仍处于前期,已滞后{describe_delay(facts.planned_start, as_of)}",
    )


def late_milestones(facts: ProjectFacts, as_of: date) -> list[Warning]:
    if not is_active(facts.status):
        return []
    return [
        Warning(
            WarningKind.LATE_MILESTONE, Light.YELLOW,
            f"节点“{m.kind.label}”计划{m.planned_date.isoformat()}完成,尚未完成,已滞后{describe_delay(m.planned_date, as_of)}",
        )
        for m in sorted(facts.milestones, key=lambda m: MILESTONE_ORDER[m.kind])
        if m.planned_date is not None and m.actual_date is None and m.planned_date < as_of
    ]


def investment_lag_points(facts: ProjectFacts, as_of: date) -> tuple[Decimal, str] | None:
    """The lag in percentage points and its reason, or None where no rate can be measured."""
    annual_plan = facts.annual_plans.get(as_of.year) or Decimal(0)
    if annual_plan > 0:
        share = schedule_share(as_of)
        rate = year_investment(facts, as_of.year, quarter_of(as_of)) / annual_plan
        lag = (share - rate) * HUNDRED
        return lag, f"年度投资完成率{format_percent(rate)},低于序时进度{format_percent(share)}达{format_points(lag)}个百分点"
    if facts.planned_investment <= 0:
        return None
    span = (facts.planned_end - facts.planned_start).days
    elapsed = min(max(Decimal((as_of - facts.planned_start).days) / Decimal(span), Decimal(0)), Decimal(1))
    rate = cumulative_as_of(facts, as_of) / facts.planned_investment
    lag = (elapsed - rate) * HUNDRED
    return lag, f"累计投资完成率{format_percent(rate)},低于工期进度{format_percent(elapsed)}达{format_points(lag)}个百分点"


def investment_lag(facts: ProjectFacts, as_of: date, thresholds: Thresholds = Thresholds()) -> Warning | None:
    if not is_active(facts.status) or (measured := investment_lag_points(facts, as_of)) is None:
        return None
    lag, reason = measured
    if lag > thresholds.lag_red_pp:
        return Warning(WarningKind.INVESTMENT_LAG, Light.RED, reason)
    if lag >= thresholds.lag_yellow_pp:
        return Warning(WarningKind.INVESTMENT_LAG, Light.YELLOW, reason)
    return None


def quarter_label(period: int) -> str:
    year, quarter = period_quarter(period)
    return f"{year}年第{quarter}季度"


def not_reported(facts: ProjectFacts, as_of: date) -> Warning | None:
    if facts.status is not ProjectStatus.UNDER_WAY:
        return None
    reported = {report.period for report in facts.reports}
    due = quarter_period(*due_quarter(as_of))
    if due in reported:
        return None
    if due - 1 in reported:
        return Warning(WarningKind.NOT_REPORTED, Light.YELLOW, f"{quarter_label(due)}未报送进展")
    return Warning(
        WarningKind.NOT_REPORTED, Light.RED, f"连续两个季度未报送进展({quarter_label(due - 1)}、{quarter_label(due)})"
    )


def assess(facts: ProjectFacts, as_of: date, thresholds: Thresholds = Thresholds()) -> Assessment:
    """Every rule at once: the warning light, the warnings with their reasons, and the figures."""
    cumulative = cumulative_as_of(facts, as_of)
    rate = completion_rate(cumulative, facts.planned_investment)
    over_budget = cumulative > facts.planned_investment
    if facts.status is ProjectStatus.CANCELLED:
        return Assessment(Light.CANCELLED, (), cumulative, rate, over_budget)
    if is_done(facts.status):
        return Assessment(Light.DONE, (), cumulative, rate, over_budget)
    warnings = [
        warning
        for warning in (
            overdue(facts, as_of), late_start(facts, as_of, thresholds), *late_milestones(facts, as_of),
            investment_lag(facts, as_of, thresholds), not_reported(facts, as_of),
        )
        if warning is not None
    ]
    if any(warning.light is Light.RED for warning in warnings):
        light = Light.RED
    elif warnings:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return Assessment(light, tuple(warnings), cumulative, rate, over_budget)
