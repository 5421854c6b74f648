"""The rules of DESIGN.md ("Rules the app computes") as plain functions.

They take project facts and an explicit as-of date and know nothing of Flask or the database.
They are the only place a rule is written: `portfolio.judgements` evaluates them whenever a
project's facts change and stores what they decide, and every output reads that.

How a date is judged:
- The 报告期 (reporting period) of an as-of date is the latest quarter whose 报送截止日 (its
  last day + `Thresholds.report_due_days`) is before the date: from 2026-10-06 to 2027-01-05 it
  is 2026 Q3. A quarterly report for a quarter has that quarter as its 报告期 (`assess(...,
  period=...)`), judged at the quarter's last day. Investment figures — cumulative, this year's,
  this quarter's — are those reported for the 报告期 or earlier, and investment lag is judged at
  the 报告期's quarter end, so the light never flips between two deadlines.
- Status is the status the project had on the as-of date (its dated status history).
- Investment lag is rounded half up to 0.1 percentage point first; the colour is decided on the
  rounded figure, so the words and the colour agree.
- A warning's words that count days (已超期…, 已滞后…) and those naming the 报告期 (未报送) are
  written for the as-of date they are read on (`Warning.reason`), so a judgement kept for an
  interval of dates reads right on each of them.

Definitions the DESIGN leaves open, decided here:
- A late milestone is yellow; an annual plan of 0 万元 counts as no annual plan.
- 未报送 turns red only when the quarter before the 报告期 was also expected (planned start on or
  before that quarter's end and the project 在建 at it) and is missing too.
- A quarter is expected to be reported when, at its end, the project had started by plan and
  was 在建 (under way).
"""
import bisect
import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property, lru_cache

from portfolio.core.formatting import HUNDRED, TENTH, format_date, format_points, format_rate, format_share
from portfolio.progress.models import MilestoneKind, ReviewState
from portfolio.registry.models import BuildPeriod, ProjectStatus

DONE_STATUSES = frozenset({ProjectStatus.COMPLETED, ProjectStatus.IN_USE})
MILESTONE_ORDER = {kind: index for index, kind in enumerate(MilestoneKind)}


@dataclass(frozen=True)
class Thresholds:
    """Investment lag in percentage points: yellow from `lag_yellow_pp`, red above `lag_red_pp`."""

    lag_yellow_pp: Decimal = Decimal(10)
    lag_red_pp: Decimal = Decimal(30)
    late_start_red_months: int = 3
    report_due_days: int = 5
    """报送截止日: this many days after a quarter's end (PORTFOLIO_REPORT_DUE_DAYS)."""


class Light(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"red": "红", "yellow": "黄", "green": "绿", "done": "已完成", "cancelled": "已取消"}[self.value]

    @property
    def long_label(self) -> str:
        """红灯, 黄灯, 绿灯, 已完成, 已取消: the light named on its own, as in a legend or a tooltip."""
        return self.label + "灯" if self in (Light.RED, Light.YELLOW, Light.GREEN) else self.label

    @property
    def colour(self) -> str:
        """The fill the map's dots and the timeline's bars draw it in."""
        return {"red": "#c53030", "yellow": "#d69e2e", "green": "#1b7f3b", "done": "#4a5568",
                "cancelled": "#a0aec0"}[self.value]


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

    @property
    def delay_word(self) -> str:
        """How a delay counted from `Warning.since` is said."""
        return "已超期" if self is WarningKind.OVERDUE else "已滞后"


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

    @cached_property
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
    """The current status."""
    start_year: int
    end_year: int
    planned_investment: Decimal
    reports: Sequence[ReportFigures] = ()
    annual_plans: Mapping[int, Decimal] = field(default_factory=dict)
    milestones: Sequence[MilestoneDates] = ()
    status_since: date | None = None
    """The date of the newest status change: from then on the current status holds."""
    status_history: Sequence[tuple[date, ProjectStatus]] = ()
    """(from date, status), oldest first (`date.min`: from the beginning)."""

    @cached_property
    def reports_in_order(self) -> tuple[tuple[int, ...], tuple[ReportFigures, ...]]:
        """The reports by quarter (their periods, and themselves): found by bisection, as the rules
        look them up for many dates."""
        ordered = tuple(sorted(self.reports, key=lambda report: report.period))
        return tuple(report.period for report in ordered), ordered

    @cached_property
    def judged_periods(self) -> dict:
        """What `assess` decided per (报告期, status, thresholds): the same for every day of a 报告期,
        so judging many dates of one project works it out once (the facts never change)."""
        return {}

    @cached_property
    def milestones_in_order(self) -> tuple[MilestoneDates, ...]:
        """The milestones in the order a project reaches them."""
        return tuple(sorted(self.milestones, key=lambda m: MILESTONE_ORDER[m.kind]))


@dataclass(frozen=True)
class Warning:
    """A warning as the rules decide it. `detail` and `since` hold on every day of the judgement;
    the words for one as-of date (`reason`) add the delay counted from `since`, or, for 未报送,
    the 报告期 and the quarter before it."""

    kind: WarningKind
    light: Light
    detail: str = ""
    since: date | None = None
    as_of: date | None = field(default=None, compare=False)
    period: int | None = field(default=None, compare=False)

    def on(self, as_of: date, period: int) -> "Warning":
        """The same warning read on `as_of` with that 报告期."""
        return Warning(self.kind, self.light, self.detail, self.since, as_of, period)

    @property
    def reason(self) -> str:
        if self.kind is WarningKind.NOT_REPORTED:
            if self.light is Light.RED:
                return f"连续两个季度未报送进展（{quarter_label(self.period - 1)}、{quarter_label(self.period)}）"
            return f"{quarter_label(self.period)}未报送进展"
        if self.since is None:
            return self.detail
        return f"{self.detail}，{self.kind.delay_word}{describe_delay(self.since, self.as_of)}"


@dataclass(frozen=True)
class Assessment:
    """A project judged as of a date: its light and warnings, and the figures they rest on."""

    light: Light
    warnings: tuple[Warning, ...]
    status: ProjectStatus
    """The status on the as-of date."""
    cumulative_investment: Decimal
    completion_rate: Decimal | None
    over_budget: bool
    year_investment: Decimal
    """Investment completed in the 报告期's year up to the 报告期."""
    annual_plan: Decimal | None
    """The 报告期 year's annual plan, when there is one (> 0)."""
    quarter_investment: Decimal | None
    """The 报告期's own investment, when the project reported for it."""
    period: int = field(default=0, compare=False)
    """The 报告期 (`quarter_period`); a property of the as-of date, not of the project."""

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


@lru_cache(maxsize=1024)
def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_start(year: int, quarter: int) -> date:
    return date(year, quarter * 3 - 2, 1)


def is_quarter_end(day: date) -> bool:
    return day == quarter_end(day.year, quarter_of(day))


@lru_cache(maxsize=4096)
def reporting_period(as_of: date, due_days: int = 5) -> int:
    """The 报告期 as a `quarter_period`: the latest quarter whose 报送截止日 (its last day +
    `due_days`) is before `as_of` (2026-10-06 … 2027-01-05 → 2026 Q3 with 5 days)."""
    day = as_of - timedelta(days=due_days + 1)
    period = quarter_period(day.year, quarter_of(day))
    return period if is_quarter_end(day) else period - 1


def reporting_quarter(as_of: date, due_days: int = 5) -> tuple[int, int]:
    """The 报告期 as (year, quarter)."""
    return period_quarter(reporting_period(as_of, due_days))


def round_quarter(today: date) -> tuple[int, int]:
    """The quarter whose progress is being gathered now (the 报送 round): the latest quarter that
    has ended, its last day included. From its end to its 报送截止日 it is not yet the 报告期."""
    period = quarter_period(today.year, quarter_of(today))
    return period_quarter(period if is_quarter_end(today) else period - 1)


def schedule_share(quarter: int) -> Decimal:
    """序时进度 at a quarter's end: 25/50/75/100%."""
    return Decimal(quarter) / 4


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


def quarter_label(period: int) -> str:
    year, quarter = period_quarter(period)
    return f"{year}年第{quarter}季度"


def round_points(points: Decimal) -> Decimal:
    """A lag rounded to 0.1 percentage point, as it is shown and judged."""
    return points.quantize(TENTH, ROUND_HALF_UP)


# --- facts as of a date -------------------------------------------------------------------

def is_done(status: ProjectStatus) -> bool:
    return status in DONE_STATUSES


def is_active(status: ProjectStatus) -> bool:
    """Neither done nor cancelled: the projects that can be warned about."""
    return not is_done(status) and status is not ProjectStatus.CANCELLED


def status_on(facts: ProjectFacts, as_of: date) -> ProjectStatus:
    """The status on `as_of`: the current status from the newest change on; before that, the
    latest change on or before `as_of` (before the first change, the first status)."""
    if facts.status_since is None or facts.status_since <= as_of or not facts.status_history:
        return facts.status
    status = facts.status_history[0][1]
    for since, changed in facts.status_history:
        if since > as_of:
            break
        status = changed
    return status


def latest_report(facts: ProjectFacts, period: int) -> ReportFigures | None:
    """The newest report for the quarter `period` or an earlier one."""
    periods, reports = facts.reports_in_order
    index = bisect.bisect_right(periods, period)
    return reports[index - 1] if index else None


def cumulative_as_of(facts: ProjectFacts, period: int) -> Decimal:
    report = latest_report(facts, period)
    return report.cumulative_investment if report else Decimal(0)


def year_investment(facts: ProjectFacts, period: int) -> Decimal:
    """Completed in `period`'s year up to its end: the rise of 累计 since the end of the year before
    (each from the latest report at or before it); without a report before the year, the sum of the
    year's quarter figures up to `period`."""
    year, _ = period_quarter(period)
    before = latest_report(facts, quarter_period(year - 1, 4))
    if before is None:
        return sum((r.quarter_investment for r in facts.reports if r.year == year and r.period <= period), Decimal(0))
    return cumulative_as_of(facts, period) - before.cumulative_investment


def completion_rate(cumulative: Decimal, planned: Decimal) -> Decimal | None:
    return cumulative / planned if planned > 0 else None


# --- the rules ----------------------------------------------------------------------------

def overdue(facts: ProjectFacts, status: ProjectStatus, as_of: date) -> Warning | None:
    if not is_active(status) or as_of <= facts.planned_end:
        return None
    return Warning(WarningKind.OVERDUE, Light.RED, f"计划{facts.end_year}年底竣工", facts.planned_end, as_of)


def late_start_red_from(start_year: int, thresholds: Thresholds) -> date:
    return date(start_year, 1 + thresholds.late_start_red_months, 1)


def late_start(facts: ProjectFacts, status: ProjectStatus, as_of: date,
               thresholds: Thresholds = Thresholds()) -> Warning | None:
    if status is not ProjectStatus.PREPARING or as_of <= facts.planned_start:
        return None
    return Warning(
        WarningKind.LATE_START,
        Light.RED if as_of >= late_start_red_from(facts.start_year, thresholds) else Light.YELLOW,
        f"计划{facts.start_year}年开工，仍处于前期", facts.planned_start, as_of,
    )


def milestone_is_late(milestone: MilestoneDates, as_of: date) -> bool:
    """Planned before `as_of` and not reached on or before it."""
    return (milestone.planned_date is not None and milestone.planned_date < as_of
            and (milestone.actual_date is None or milestone.actual_date > as_of))


def late_milestones(facts: ProjectFacts, status: ProjectStatus, as_of: date) -> list[Warning]:
    """Milestones planned before `as_of` and not reached on or before it (of active projects)."""
    if not is_active(status):
        return []
    return [
        Warning(WarningKind.LATE_MILESTONE, Light.YELLOW,
                f"节点“{m.kind.label}”计划{format_date(m.planned_date)}完成，尚未完成", m.planned_date, as_of)
        for m in facts.milestones_in_order if milestone_is_late(m, as_of)
    ]


def elapsed_share(facts: ProjectFacts, day: date) -> Decimal:
    """工期进度 at `day`: days since the planned start ÷ days of the build period, both ends
    included, within [0, 1]."""
    span = (facts.planned_end - facts.planned_start).days + 1
    elapsed = min(max((day - facts.planned_start).days + 1, 0), span)
    return Decimal(elapsed) / Decimal(span)


def investment_lag_points(facts: ProjectFacts, period: int) -> tuple[Decimal, str] | None:
    """The lag in percentage points (rounded half up to 0.1) at the end of the 报告期 `period`, and
    its reason; None where no rate can be measured."""
    year, quarter = period_quarter(period)
    annual_plan = facts.annual_plans.get(year) or Decimal(0)
    if annual_plan > 0:
        share = schedule_share(quarter)
        rate = year_investment(facts, period) / annual_plan
        lag = round_points((share - rate) * HUNDRED)
        return lag, f"年度投资完成率{format_rate(rate)}，低于序时进度{format_share(share)}达{format_points(lag)}个百分点"
    if facts.planned_investment <= 0:
        return None
    elapsed = elapsed_share(facts, quarter_end(year, quarter))
    rate = cumulative_as_of(facts, period) / facts.planned_investment
    lag = round_points((elapsed - rate) * HUNDRED)
    return lag, f"累计投资完成率{format_rate(rate)}，低于工期进度{format_share(elapsed)}达{format_points(lag)}个百分点"


def investment_lag(facts: ProjectFacts, status: ProjectStatus, period: int,
                   thresholds: Thresholds = Thresholds()) -> Warning | None:
    """Judged for every project not done and not cancelled (前期 and 暂停 too) at the 报告期's end."""
    if not is_active(status) or (measured := investment_lag_points(facts, period)) is None:
        return None
    lag, reason = measured
    if lag > thresholds.lag_red_pp:
        return Warning(WarningKind.INVESTMENT_LAG, Light.RED, reason)
    if lag >= thresholds.lag_yellow_pp:
        return Warning(WarningKind.INVESTMENT_LAG, Light.YELLOW, reason)
    return None


def expected_to_report(facts: ProjectFacts, period: int) -> bool:
    """A quarter is expected when, at its end, the project had started by plan and was 在建."""
    end = quarter_end(*period_quarter(period))
    return facts.planned_start <= end and status_on(facts, end) is ProjectStatus.UNDER_WAY


def must_report(facts: ProjectFacts, status: ProjectStatus, period: int) -> bool:
    """Whether the project owes progress for the quarter `period`: 在建 on the as-of date (`status` is
    its status then) and the quarter expected. The one test of the 未报送 warning and of the
    quarterly round's 报送情况."""
    return status is ProjectStatus.UNDER_WAY and expected_to_report(facts, period)


def reporting_deadline(year: int, quarter: int, due_days: int = 5) -> date:
    """报送截止日: the `due_days`-th day after the quarter ends (2026 Q3, 5 → 2026-10-05)."""
    return quarter_end(year, quarter) + timedelta(days=due_days)


def round_as_of(year: int, quarter: int, today: date) -> date:
    """The date a quarter's round is judged at (with the quarter as its 报告期): today while it is
    the quarter being gathered (`round_quarter`), else the quarter's end (a past round as it stood
    when it closed, a future one with the status projects have now)."""
    return today if round_quarter(today) == (year, quarter) else quarter_end(year, quarter)


def not_reported(facts: ProjectFacts, status: ProjectStatus, period: int) -> Warning | None:
    if not must_report(facts, status, period):
        return None
    reported = {report.period for report in facts.reports}
    if period in reported:
        return None
    if period - 1 in reported or not expected_to_report(facts, period - 1):
        return Warning(WarningKind.NOT_REPORTED, Light.YELLOW, period=period)
    return Warning(WarningKind.NOT_REPORTED, Light.RED, period=period)


def _judge_period(facts: ProjectFacts, status: ProjectStatus, period: int,
                  thresholds: Thresholds) -> tuple[dict, Warning | None, Warning | None]:
    """What depends on the 报告期 and the status only: the figures, 投资滞后 and 未报送."""
    latest = latest_report(facts, period)
    cumulative = latest.cumulative_investment if latest else Decimal(0)
    annual_plan = facts.annual_plans.get(period // 4) or None
    figures = dict(
        status=status, cumulative_investment=cumulative,
        completion_rate=completion_rate(cumulative, facts.planned_investment),
        over_budget=cumulative > facts.planned_investment, year_investment=year_investment(facts, period),
        annual_plan=annual_plan if annual_plan and annual_plan > 0 else None,
        quarter_investment=latest.quarter_investment if latest and latest.period == period else None,
        period=period,
    )
    return figures, investment_lag(facts, status, period, thresholds), not_reported(facts, status, period)


def assess(facts: ProjectFacts, as_of: date, thresholds: Thresholds = Thresholds(),
           period: int | None = None) -> Assessment:
    """Every rule at once: the warning light, the warnings with their reasons, and the figures, as
    of `as_of` with the 报告期 `period` (by default the date's own, `reporting_period`)."""
    if period is None:
        period = reporting_period(as_of, thresholds.report_due_days)
    status = status_on(facts, as_of)
    key = (period, status, thresholds)
    if (judged_period := facts.judged_periods.get(key)) is None:
        judged_period = facts.judged_periods[key] = _judge_period(facts, status, period, thresholds)
    figures, lag, missing = judged_period
    if status is ProjectStatus.CANCELLED:
        return Assessment(Light.CANCELLED, (), **figures)
    if is_done(status):
        return Assessment(Light.DONE, (), **figures)
    warnings = [
        warning
        for warning in (
            overdue(facts, status, as_of), late_start(facts, status, as_of, thresholds),
            *late_milestones(facts, status, as_of), lag, missing,
        )
        if warning is not None
    ]
    if any(warning.light is Light.RED for warning in warnings):
        light = Light.RED
    elif warnings:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return Assessment(light, tuple(warning.on(as_of, period) for warning in warnings), **figures)
