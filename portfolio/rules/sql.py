"""The rules of `portfolio.rules` as SQL expressions, so lists filter and count in the database.

Each expression gives the same answer as its rule function for the same as-of date (see
`tests/db/test_rules_sql_agree.py`). They read the figures that `services.progress` keeps on
each project (newest report, its cumulative investment, the investment of its year, the
earliest open milestone); only where the as-of date lies before the newest report do they
look into the progress reports themselves.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import aliased

from portfolio.core.db import money
from portfolio.progress.models import AnnualPlan, ProgressReport
from portfolio.registry.models import Project, ProjectStatus
from portfolio.rules import (
    DONE_STATUSES,
    Light,
    Thresholds,
    WarningKind,
    due_quarter,
    quarter_of,
    quarter_period,
    schedule_share,
)

ACTIVE_STATUSES = [status for status in ProjectStatus if status not in DONE_STATUSES and status is not ProjectStatus.CANCELLED]
_NO_PERIOD = -1


def _day_number(year) -> ColumnElement:
    """Days from 0001-01-01 to Jan 1 of `year`, in integer arithmetic every database shares."""
    before = year - 1
    return before * 365 + before // 4 - before // 100 + before // 400


@dataclass(frozen=True)
class RuleExpressions:
    """Boolean expressions for one as-of date; `join` adds what they need to a query."""

    annual_plan: type[AnnualPlan]
    overdue: ColumnElement
    late_start: ColumnElement
    late_start_red: ColumnElement
    late_milestone: ColumnElement
    lag_yellow: ColumnElement
    lag_red: ColumnElement
    not_reported: ColumnElement
    not_reported_red: ColumnElement
    cumulative: ColumnElement
    light: ColumnElement
    year: int

    def join(self, query: Select) -> Select:
        """The as-of year's annual plan, which the investment-lag rule compares against."""
        return query.outerjoin(
            self.annual_plan,
            and_(self.annual_plan.project_id == Project.id, self.annual_plan.year == self.year,
                 self.annual_plan.planned_investment > 0),
        )

    def warning(self, kind: WarningKind) -> ColumnElement:
        return {
            WarningKind.OVERDUE: self.overdue,
            WarningKind.LATE_START: self.late_start,
            WarningKind.LATE_MILESTONE: self.late_milestone,
            WarningKind.INVESTMENT_LAG: self.lag_yellow,
            WarningKind.NOT_REPORTED: self.not_reported,
        }[kind]


def rule_expressions(as_of: date, thresholds: Thresholds = Thresholds()) -> RuleExpressions:
    year, quarter = as_of.year, quarter_of(as_of)
    period = quarter_period(year, quarter)
    last = func.coalesce(Project.last_report_period, _NO_PERIOD)
    active = Project.status.in_(ACTIVE_STATUSES)
    report = aliased(ProgressReport)

    overdue = and_(active, Project.end_year < year)

    def latest_start_year(months_late: int) -> int:
        """The latest start year for which `as_of` is at least `months_late` months past Jan 1."""
        return year if as_of > date(year, 1, 1) and as_of >= date(year, 1 + months_late, 1) else year - 1

    preparing = Project.status == ProjectStatus.PREPARING
    late_start = and_(preparing, Project.start_year <= (year if as_of > date(year, 1, 1) else year - 1))
    late_start_red = and_(preparing, Project.start_year <= latest_start_year(thresholds.late_start_red_months))
    late_milestone = and_(active, Project.open_milestone_due < as_of)

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
            0,
        ),
    )
    year_investment = case(
        (last == _NO_PERIOD, zero),
        (last <= period, case((last // 4 == year, Project.last_year_investment), else_=zero)),
        else_=func.coalesce(
            select(func.sum(report.quarter_investment))
            .where(report.project_id == Project.id, report.year == year, report.quarter <= quarter)
            .scalar_subquery(),
            0,
        ),
    )

    annual_plan = aliased(AnnualPlan)
    share = schedule_share(as_of)
    start_day = _day_number(Project.start_year)
    span = _day_number(Project.end_year + 1) - 1 - start_day
    as_of_day = as_of.toordinal() - 1
    elapsed_days = case((as_of_day < start_day, literal(0)), (as_of_day - start_day > span, span),
                        else_=as_of_day - start_day)

    def lagging(points, strictly: bool) -> ColumnElement:
        """Lag ≥ points (or > points when strictly), compared without division."""
        fraction = points / 100
        annual_cmp = (year_investment < (share - fraction) * annual_plan.planned_investment) if strictly else (
            year_investment <= (share - fraction) * annual_plan.planned_investment)
        period_lhs = cumulative * span
        period_rhs = (elapsed_days - span * fraction) * Project.planned_investment
        period_cmp = (period_lhs < period_rhs) if strictly else (period_lhs <= period_rhs)
        return and_(
            active,
            case(
                (annual_plan.id.is_not(None), annual_cmp),
                (Project.planned_investment > 0, period_cmp),
                else_=false(),
            ),
        )

    def reported(target: int) -> ColumnElement:
        target_year, target_quarter = divmod(target, 4)
        return or_(
            last == target,
            and_(last > target, exists().where(report.project_id == Project.id, report.year == target_year,
                                               report.quarter == target_quarter + 1)),
        )

    due = quarter_period(*due_quarter(as_of))
    under_way = Project.status == ProjectStatus.UNDER_WAY
    not_reported = and_(under_way, ~reported(due))
    not_reported_red = and_(not_reported, ~reported(due - 1))

    lag_yellow, lag_red = lagging(thresholds.lag_yellow_pp, False), lagging(thresholds.lag_red_pp, True)
    light = case(
        (Project.status == ProjectStatus.CANCELLED, literal(Light.CANCELLED.value)),
        (Project.status.in_(DONE_STATUSES), literal(Light.DONE.value)),
        (or_(overdue, late_start_red, lag_red, not_reported_red), literal(Light.RED.value)),
        (or_(late_start, late_milestone, lag_yellow, not_reported), literal(Light.YELLOW.value)),
        else_=literal(Light.GREEN.value),
    )
    return RuleExpressions(
        annual_plan=annual_plan, overdue=overdue, late_start=late_start, late_start_red=late_start_red,
        late_milestone=late_milestone, lag_yellow=lag_yellow, lag_red=lag_red, not_reported=not_reported,
        not_reported_red=not_reported_red, cumulative=cumulative, light=light, year=year,
    )
