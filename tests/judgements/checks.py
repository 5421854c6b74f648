"""What the judgement tests check: a project's stored rows cover every moment once, and at every
moment of a sweep they hold exactly what the pure rules decide (words included); the stored group
figures are the sum of the pure rules' cells."""
from datetime import date, timedelta

from sqlalchemy import select

from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import (
    FIRST_MOMENT,
    LAST_MOMENT,
    LONGEST_ROW,
    day_moment,
    moment_day,
    moment_period,
    moment_round_period,
    report_moment,
)
from portfolio.judgements.queries import assessment_of, cells_at
from portfolio.registry.models import Project
from portfolio.rules import Thresholds, assess, must_report, quarter_end, reporting_deadline, totals
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import project_cell


def sweep_moments(facts, first_year: int = 2023, last_year: int = 2029) -> list[int]:
    """Every quarter end, the day after, each 报送截止日 ±1, each report moment, the planned start and
    end ±1, each milestone's dates ±1, each status change ±1, and a day long before and long after."""
    days = {date(1990, 1, 1), date(2100, 1, 1)}
    moments = set()
    for year in range(first_year, last_year + 1):
        for quarter in range(1, 5):
            end, due = quarter_end(year, quarter), reporting_deadline(year, quarter)
            days |= {end, end + timedelta(days=1), due - timedelta(days=1), due, due + timedelta(days=1)}
            moments.add(report_moment(year, quarter))
    for item in facts:
        named = [item.planned_start, item.planned_end, date(item.start_year, 4, 1)]
        named += [day for m in item.milestones for day in (m.planned_date, m.actual_date) if day]
        named += [since for since, _ in item.status_history if since != date.min]
        days |= {day + timedelta(days=shift) for day in named for shift in (-1, 0, 1)}
    return sorted(moments | {day_moment(day) for day in days})


def mismatches(session, thresholds: Thresholds = Thresholds(), moments: list[int] | None = None) -> list:
    """(project, moment, stored, expected) wherever the stored judgement is not the rules'; also
    rows that leave a gap or overlap."""
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    facts = facts_for(session, projects)
    rows: dict[int, list[Judgement]] = {}
    for row in session.scalars(select(Judgement).order_by(Judgement.project_id, Judgement.valid_from)):
        rows.setdefault(row.project_id, []).append(row)
    assert set(rows) == {p.id for p in projects}, "every project, and only those, has stored judgements"
    wrong = []
    for project in projects:
        stored = rows[project.id]
        bounds = [(r.valid_from, r.valid_to) for r in stored]
        if bounds[0][0] != FIRST_MOMENT or bounds[-1][1] != LAST_MOMENT or any(
                a[1] != b[0] for a, b in zip(bounds, bounds[1:])):
            wrong.append((project.id, "rows do not cover every moment once", bounds))
        edges = [r.edge for r in stored]
        if edges != ([-1] if len(stored) == 1 else [-1, *[0] * (len(stored) - 2), 1]) or any(
                r.valid_to - r.valid_from >= LONGEST_ROW for r in stored[1:-1]):
            wrong.append((project.id, "a row other than the first and last is not within a quarter", bounds))
        for moment in moments or sweep_moments([facts[project.id]]):
            row = next(r for r in stored if r.valid_from <= moment < r.valid_to)
            day, period = moment_day(moment), moment_period(moment, thresholds.report_due_days)
            expected = assess(facts[project.id], day, thresholds, period)
            actual = assessment_of(row, project.planned_investment, moment, thresholds)
            owes = must_report(facts[project.id], expected.status, moment_round_period(moment))
            if (actual, actual.period, [w.reason for w in actual.warnings], row.owes_round) != (
                    expected, expected.period, [w.reason for w in expected.warnings], owes):
                wrong.append((project.id, moment, actual, expected))
    return wrong


def group_mismatches(session, moments: list[int], thresholds: Thresholds = Thresholds()) -> list:
    """Moments where the stored judgements summed by the database differ from the pure rules' cells
    (projects in the registry on the moment's date)."""
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    facts = facts_for(session, projects)
    stored = cells_at(session, moments)
    wrong = []
    for moment in moments:
        day = moment_day(moment)
        kept = [p for p in projects if p.archived_on is None or p.archived_on > day]
        pure = [project_cell(p.region_id, p.region.name, p.sector, p.planned_investment,
                             assess(facts[p.id], day, thresholds, moment_period(moment, thresholds.report_due_days)),
                             p.funding_by_source) for p in kept]
        if (totals.total(pure), totals.by_region(pure), totals.by_status(pure), totals.by_sector(pure)) != (
                totals.total(stored[moment]), totals.by_region(stored[moment]), totals.by_status(stored[moment]),
                totals.by_sector(stored[moment])):
            wrong.append((moment, totals.total(pure), totals.total(stored[moment])))
    return wrong
