"""The SQL twin against the pure rules, every day from 2024-01-01 to 2028-12-31.

The generated set is built to sit on the edges: investment lags of exactly 10.0 and 30.0
points and 0.04 either side (annual and whole-period), every status, status changes inside
the sweep, cancelled and suspended projects, future starts, an annual plan of 0, projects
with no report, gaps in reporting, milestones reached late. For each day the lights, every
warning kind, the cumulative investment and the roll-up of both must agree exactly.
"""
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.registry.models import Project
from portfolio.rules import Light, WarningKind, assess
from portfolio.rules.figures import facts_for
from portfolio.rules.sql import rule_expressions
from portfolio.rules.totals import cells_from_rows, judged_cells_query, project_cell, total
from tests.factories import build_edge_set

FIRST, LAST = date(2024, 1, 1), date(2028, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


@pytest.fixture(scope="module")
def edge_set(module_session):
    return build_edge_set(module_session)


PARTS = {"2024–2025": (date(2024, 1, 1), date(2025, 12, 31)), "2026": (date(2026, 1, 1), date(2026, 12, 31)),
         "2027–2028": (date(2027, 1, 1), date(2028, 12, 31))}
"""The sweep in three parts, so parallel test workers share it."""


@pytest.mark.parametrize("part", list(PARTS))
def test_sql_twin_equals_the_rules_every_day(module_session, edge_set, part):
    """One statement for the rows and one for the roll-up, executed with each day's figures."""
    first, last = PARTS[part]
    days = [day for day in DAYS if first <= day <= last]
    session = module_session
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    assert [p.id for p in projects] == edge_set
    names = {p.id: p.region.name for p in projects}
    facts = facts_for(session, projects)
    template = rule_expressions(FIRST)
    rows_query = template.join(select(Project.id, template.light, template.cumulative,
                                      *(template.warning(kind) for kind in WarningKind)))
    cells_query = judged_cells_query(template)
    disagreements, lights_seen, kinds_seen = [], set(), set()
    for day in days:
        expected = {p.id: assess(facts[p.id], day) for p in projects}
        parameters = rule_expressions(day).parameters()
        for project_id, light, cumulative, *warned in session.execute(rows_query, parameters):
            judged = expected[project_id]
            actual = (Light(light), cumulative, tuple(bool(flag) for flag in warned))
            wanted = (judged.light, judged.cumulative_investment, tuple(judged.has(kind) for kind in WarningKind))
            if actual != wanted:
                disagreements.append((day, project_id, wanted, actual))
            lights_seen.add(judged.light)
            kinds_seen |= {w.kind for w in judged.warnings}
        pure = [project_cell(p.region_id, names[p.id], p.sector, p.planned_investment, expected[p.id],
                             p.funding_by_source) for p in projects]
        sql = cells_from_rows(session.execute(cells_query, parameters))
        if _grouped(pure) != _grouped(sql) or total(pure) != total(sql):
            disagreements.append((day, "roll-up", asdict(total(pure)), asdict(total(sql))))
    assert disagreements[:5] == [] and len(disagreements) == 0
    assert lights_seen == set(Light) and kinds_seen >= set(WarningKind) - {WarningKind.OVERDUE} | (
        {WarningKind.OVERDUE} if part != "2024–2025" else set()), "the set reaches every light and warning"
    print(f"sweep {part}: {len(days)} days × {len(projects)} projects = {len(days) * len(projects)} judgements, "
          f"0 disagreements")


def _grouped(cells) -> dict:
    """Figures per region × status × sector."""
    groups = {}
    for cell in cells:
        key = (cell.region_id, cell.status, cell.sector)
        groups[key] = groups[key] + cell.figures if key in groups else cell.figures
    return groups
