"""The rules of `portfolio.rules.rules` as SQL expressions, so lists filter and count in the database.

Each expression gives exactly the answer of its rule function for the same as-of date (see the
day-by-day sweep in the tests). Comparisons are exact: no division, no rounding by a column
type — money sides are multiplied by whole numbers given their own integer type, so on SQLite
(money in integer 分) and PostgreSQL (NUMERIC) the same integers or decimals are compared.

They read the figures `rules.figures` keeps on each project (newest report, its cumulative
investment, the investment of its year, the earliest open milestone, the date of the newest
status change); only where the as-of date lies before those do they look into the progress
reports, milestones and status history themselves.
"""
import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from portfolio.core.db import money
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.registry.models import Project, ProjectStatus, StatusChange
from portfolio.rules.rules import (
    DONE_STATUSES,
    Light,
    Thresholds,
    WarningKind,
    late_start_red_from,
    quarter_end,
    quarter_period,
    reporting_quarter,
)

ACTIVE_STATUSES = [status for status in ProjectStatus if status not in DONE_STATUSES and status is not ProjectStatus.CANCELLED]
_NO_PERIOD = -1
_BEGINNING = date(1, 1, 1)


def _integer(value: int) -> ColumnElement:
    """A whole number that stays a plain integer beside money columns (not bound as 分)."""
    return literal(value, Integer())


def _day_number(year) -> ColumnElement:
    """Days from 0001-01-01 to Jan 1 of `year`, in integer arithmetic every database shares."""
    before = year - 1
    return before * 365 + before // 4 - before // 100 + before // 400


def lag_limit_tenths(threshold: Decimal, above: bool) -> int:
    """The exact lag, in hundredths of a point, from which the lag rounded to 0.1 (half up) is
    ≥ `threshold` (or > it when `above`): e.g. 10 → 995 (9.95 rounds to 10.0), 30 above → 3005."""
    tenths = threshold * 10
    smallest = math.floor(tenths) + 1 if above else math.ceil(tenths)
    return smallest * 10 - 5


@dataclass(frozen=True)
class RuleExpressions:
    """Expressions for one as-of date; `join` adds what they need to a query."""

    annual_plan: type[AnnualPlan]
    status: ColumnElement
    overdue: ColumnElement
    late_start: ColumnElement
    late_start_red: ColumnElement
    late_milestone: ColumnElement
    lag_yellow: ColumnElement
    lag_red: ColumnElement
    must_report: ColumnElement
    """`rules.must_report`: the project owes progress for the 报告期."""
    not_reported: ColumnElement
    not_reported_red: ColumnElement
    cumulative: ColumnElement
    year_investment: ColumnElement
    quarter_investment: ColumnElement
    """The 报告期's own investment, NULL when the project did not report for it."""
    light: ColumnElement
    year: ColumnElement
    values: dict
    """The as-of date's figures for the bound parameters."""

    def join(self, query: Select) -> Select:
        """The 报告期 year's annual plan, which the investment-lag rule compares against."""
        return query.outerjoin(
            self.annual_plan,
            and_(self.annual_plan.project_id == Project.id, self.annual_plan.year == self.year,
                 self.annual_plan.planned_investment > 0),
        )

    def parameters(self) -> dict:
        """The date's figures, by the names of the bound parameters."""
        return {f"rules_{name}": value for name, value in self.values.items()}

    def bind(self, query: Select) -> Select:
        """The finished query with the date's figures in its bound parameters: the last step
        before a query that uses these expressions runs."""
        return query.params(**self.parameters())

    def warning(self, kind: WarningKind) -> ColumnElement:
        return {
            WarningKind.OVERDUE: self.overdue,
            WarningKind.LATE_START: self.late_start,
            WarningKind.LATE_MILESTONE: self.late_milestone,
            WarningKind.INVESTMENT_LAG: self.lag_yellow,
            WarningKind.NOT_REPORTED: self.not_reported,
        }[kind]


def status_as_of(as_of: date | ColumnElement) -> ColumnElement:
    """`rules.status_on`: the current status from the newest change on; before it, the history."""
    change = aliased(StatusChange)
    since = func.coalesce(change.since, _BEGINNING)
    latest_before = (select(change.status).where(change.project_id == Project.id, since <= as_of)
                     .order_by(since.desc(), change.id.desc()).limit(1).scalar_subquery())
    first = (select(change.status).where(change.project_id == Project.id)
             .order_by(since, change.id).limit(1).scalar_subquery())
    return case(
        (or_(Project.status_since.is_(None), Project.status_since <= as_of), Project.status),
        else_=func.coalesce(latest_before, first, Project.status),
    )


def rule_expressions(as_of: date, thresholds: Thresholds = Thresholds()) -> RuleExpressions:
    """The expressions for `as_of`. Their structure is built once per set of thresholds, with the
    date's figures as bound parameters, so the database caches one statement for every date;
    `bind` fills them in."""
    if thresholds not in _TEMPLATES:
        _TEMPLATES[thresholds] = _template(thresholds)
    year, quarter = reporting_quarter(as_of)
    period = quarter_period(year, quarter)
    previous_year, previous_quarter = divmod(period - 1, 4)

    def latest_start_year(on) -> int:
        """The latest start year for which `as_of` is on or after `on(start year)`."""
        return as_of.year if as_of >= on(as_of.year) else as_of.year - 1

    values = {
        "as_of": as_of, "as_of_year": as_of.year, "year": year, "quarter": quarter, "period": period,
        "previous_period": period - 1, "previous_year": previous_year, "previous_quarter": previous_quarter + 1,
        "late_start_year": latest_start_year(lambda y: date(y, 1, 2)),
        "late_start_red_year": latest_start_year(lambda y: late_start_red_from(y, thresholds)),
        "judged_day": quarter_end(year, quarter).toordinal() - 1,
        "annual_yellow": 2500 * quarter - lag_limit_tenths(thresholds.lag_yellow_pp, above=False),
        "annual_red": 2500 * quarter - lag_limit_tenths(thresholds.lag_red_pp, above=True),
    }
    return replace(_TEMPLATES[thresholds], values=values)


_TEMPLATES: dict[Thresholds, RuleExpressions] = {}


def _param(name: str, type_=Integer) -> ColumnElement:
    return bindparam(f"rules_{name}", type_=type_() if isinstance(type_, type) else type_)


def _template(thresholds: Thresholds) -> RuleExpressions:
    as_of = _param("as_of", Date)
    year, quarter, period = _param("year"), _param("quarter"), _param("period")
    last = func.coalesce(Project.last_report_period, _NO_PERIOD)
    report = aliased(ProgressReport)
    status = status_as_of(as_of)
    active = status.in_(ACTIVE_STATUSES)
    preparing = status == ProjectStatus.PREPARING
    under_way = status == ProjectStatus.UNDER_WAY

    overdue = and_(active, Project.end_year < _param("as_of_year"))
    late_start = and_(preparing, Project.start_year <= _param("late_start_year"))
    late_start_red = and_(preparing, Project.start_year <= _param("late_start_red_year"))
    milestone = aliased(Milestone)
    late_milestone = and_(active, or_(
        Project.open_milestone_due < as_of,
        exists().where(milestone.project_id == Project.id, milestone.planned_date < as_of,
                       milestone.actual_date > as_of),
    ))

    zero = literal(Decimal(0), money())
    cumulative = case(
        (last == _NO_PERIOD, zero),
        (last <= period, Project.last_cumulative_investment),
        else_=func.coalesce(
            select(report.cumulative_investment)
            .where(report.project_id == Project.id, report.year * 4 + report.quarter - 1 <= period)
            .order_by(report.year.desc(), report.quarter.desc())
            .limit(1)
            .scalar_subquery(),
            zero,
        ),
    )
    year_investment = case(
        (last == _NO_PERIOD, zero),
        (last <= period, case((last // 4 == year, Project.last_year_investment), else_=zero)),
        else_=func.coalesce(
            select(func.sum(report.quarter_investment))
            .where(report.project_id == Project.id, report.year == year, report.quarter <= quarter)
            .scalar_subquery(),
            zero,
        ),
    )
    quarter_investment = case(
        (last < period, literal(None, money())),
        else_=select(report.quarter_investment)
        .where(report.project_id == Project.id, report.year == year, report.quarter == quarter)
        .scalar_subquery(),
    )

    annual_plan = aliased(AnnualPlan)
    start_day = _day_number(Project.start_year)
    span = _day_number(Project.end_year + 1) - start_day
    elapsed = _param("judged_day") - start_day + 1
    elapsed_days = case((elapsed < 0, _integer(0)), (elapsed > span, span), else_=elapsed)

    def lagging(annual_limit: ColumnElement, limit: int) -> ColumnElement:
        """Lag ≥ `limit` hundredths of a point, compared without division:
        annual: (q/4 − done/plan) × 100 ≥ limit/100  ⇔  done × 10000 ≤ (2500·q − limit) × plan;
        period: (elapsed/span − cum/planned) × 100 ≥ limit/100  ⇔  cum × span × 10000 ≤
        (elapsed × 10000 − limit × span) × planned."""
        annual = year_investment * _integer(10000) <= annual_limit * annual_plan.planned_investment
        whole_period = (cumulative * span * _integer(10000)
                        <= (elapsed_days * _integer(10000) - _integer(limit) * span) * Project.planned_investment)
        return and_(active, case(
            (annual_plan.id.is_not(None), annual),
            (Project.planned_investment > 0, whole_period),
            else_=false(),
        ))

    def reported(target: ColumnElement, target_year: ColumnElement, target_quarter: ColumnElement) -> ColumnElement:
        return or_(
            last == target,
            and_(last > target, exists().where(report.project_id == Project.id, report.year == target_year,
                                               report.quarter == target_quarter)),
        )

    must_report = and_(under_way, Project.start_year <= year)
    not_reported = and_(must_report, ~reported(period, year, quarter))
    previous_year = _param("previous_year")
    not_reported_red = and_(not_reported, Project.start_year <= previous_year,
                            ~reported(_param("previous_period"), previous_year, _param("previous_quarter")))

    lag_yellow = lagging(_param("annual_yellow"), lag_limit_tenths(thresholds.lag_yellow_pp, above=False))
    lag_red = lagging(_param("annual_red"), lag_limit_tenths(thresholds.lag_red_pp, above=True))
    light = case(
        (status == ProjectStatus.CANCELLED, literal(Light.CANCELLED.value)),
        (status.in_(DONE_STATUSES), literal(Light.DONE.value)),
        (or_(overdue, late_start_red, lag_red, not_reported_red), literal(Light.RED.value)),
        (or_(late_start, late_milestone, lag_yellow, not_reported), literal(Light.YELLOW.value)),
        else_=literal(Light.GREEN.value),
    )
    return RuleExpressions(
        annual_plan=annual_plan, status=status, overdue=overdue, late_start=late_start,
        late_start_red=late_start_red, late_milestone=late_milestone, lag_yellow=lag_yellow, lag_red=lag_red,
        must_report=must_report, not_reported=not_reported, not_reported_red=not_reported_red, cumulative=cumulative,
        year_investment=year_investment, quarter_investment=quarter_investment, light=light, year=year, values={},
    )
