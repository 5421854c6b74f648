"""The stored judgements of the edge set (every rule at its boundaries) against the pure rules:
every day from 2024 to 2028 and every quarter's report moment, project by project and summed."""
from datetime import date, timedelta

import pytest

from portfolio.judgements.moments import day_moment, report_moment
from portfolio.rules import Light, WarningKind
from tests.factories import build_edge_set
from tests.judgements.checks import group_mismatches, mismatches

FIRST, LAST = date(2024, 1, 1), date(2028, 12, 31)
PARTS = {"2024–2025": (date(2024, 1, 1), date(2025, 12, 31)), "2026": (date(2026, 1, 1), date(2026, 12, 31)),
         "2027–2028": (date(2027, 1, 1), date(2028, 12, 31))}
"""The sweep in three parts, so parallel test workers share it."""


@pytest.fixture(scope="module")
def edge_set(module_session):
    return build_edge_set(module_session)


def _moments(first: date, last: date) -> list[int]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    reports = [report_moment(year, quarter) for year in range(first.year, last.year + 1) for quarter in range(1, 5)]
    return sorted([day_moment(day) for day in days] + reports)


@pytest.mark.parametrize("part", list(PARTS))
def test_stored_judgements_equal_the_rules_every_day(module_session, edge_set, part):
    moments = _moments(*PARTS[part])
    wrong = mismatches(module_session, moments=moments)
    assert wrong[:3] == [] and len(wrong) == 0
    print(f"sweep {part}: {len(moments)} moments × {len(edge_set)} projects, 0 disagreements")


def test_the_edge_set_reaches_every_light_and_warning(module_session, edge_set):
    """Otherwise the sweep would prove less than it says."""
    from sqlalchemy import select

    from portfolio.judgements.models import Judgement

    rows = module_session.scalars(select(Judgement)).all()
    assert {row.light for row in rows} == set(Light)
    assert all(any(getattr(row, kind.value) for row in rows) for kind in WarningKind)
    assert any(row.owes_round for row in rows) and not all(row.owes_round for row in rows)


def test_stored_group_figures_equal_the_rules_cells(module_session, edge_set):
    """Quarter ends, the days after, each 报送截止日's next day and the report moments of 2024–2028: the
    database's sums of the stored rows are the pure rules' cells rolled up."""
    moments = []
    for year in range(2024, 2029):
        for quarter, (month, day) in enumerate(((3, 31), (6, 30), (9, 30), (12, 31)), start=1):
            end = date(year, month, day)
            moments += [day_moment(end), day_moment(end + timedelta(days=1)), day_moment(end + timedelta(days=6)),
                        report_moment(year, quarter)]
    assert group_mismatches(module_session, moments) == []
