"""Moments: the points in time a stored judgement is valid for, as integers SQL compares.

A day `d` is the moment `2 × d.toordinal()`, judged with the day's own 报告期 (a list, a filter,
the API). The odd moment right after a quarter's last day is that quarter's report: judged on
the quarter's last day with the quarter itself as 报告期. Any other odd moment reads as the day
before it.
"""
from datetime import date

from portfolio.rules import is_quarter_end, quarter_end, quarter_of, quarter_period, reporting_period, round_quarter

FIRST_MOMENT = 0
"""Before every date (the lower end of a project's first judgement)."""
LAST_MOMENT = 2 * date.max.toordinal() + 2
"""After every date (the upper end of its last one)."""


def day_moment(day: date) -> int:
    return 2 * day.toordinal()


def report_moment(year: int, quarter: int) -> int:
    """The moment of a quarter's report: its last day, with the quarter as the 报告期."""
    return 2 * quarter_end(year, quarter).toordinal() + 1


def moment_day(moment: int) -> date:
    """The as-of date a moment is judged on."""
    return date.fromordinal(moment // 2)


def moment_period(moment: int, due_days: int) -> int:
    """The 报告期 (`quarter_period`) a moment is judged with."""
    day = moment_day(moment)
    if moment % 2 and is_quarter_end(day):
        return quarter_period(day.year, quarter_of(day))
    return reporting_period(day, due_days)


LONGEST_ROW = 2 * 92 + 1
"""A stored row other than a project's first and last never spans a quarter's first day, so it is
shorter than this many moments: a read at a moment looks only at rows starting this close before it."""


def quarter_start_moments(first: int, last: int) -> list[int]:
    """The moments of the quarters' first days strictly between two moments."""
    day = moment_day(first)
    year, quarter = day.year, quarter_of(day)
    starts = []
    while True:
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        moment = day_moment(date(year, quarter * 3 - 2, 1))
        if moment >= last:
            return starts
        if moment > first:
            starts.append(moment)


def moment_round_period(moment: int) -> int:
    """The quarter whose 报送 round a moment is judged for: the day's `round_quarter`; at a report
    moment, the report's quarter (the same quarter, as the round starts on its last day)."""
    return quarter_period(*round_quarter(moment_day(moment)))
