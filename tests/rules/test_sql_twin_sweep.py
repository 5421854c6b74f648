"""The SQL twin against the pure rules, every day from 2024-01-01 to 2028-12-31.

The generated set is built to sit on the edges: investment lags of exactly 10.0 and 30.0
points and 0.04 either side (annual and whole-period), every status, status changes inside
the sweep, cancelled and suspended projects, future starts, an annual plan of 0, projects
with no report, gaps in reporting, milestones reached late. For each day the lights, every
warning kind, the cumulative investment and the roll-up of both must agree exactly.
"""
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.core.db import db
from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.registry.models import Plan, Project, ProjectStatus, Region, RegionKind, Sector, StatusChange
from portfolio.rules import Light, WarningKind, assess, elapsed_share, quarter_end
from portfolio.rules.figures import facts_for, refresh_all_figures
from portfolio.rules.sql import rule_expressions
from portfolio.rules.totals import cells_from_rows, judged_cells_query, project_cell, total

FIRST, LAST = date(2024, 1, 1), date(2028, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
EDGES = [Decimal(x) for x in ("10.0", "30.0", "9.96", "10.04", "29.96", "30.04", "9.95", "30.05", "29.94")]


def _annual_edge(target: Decimal, quarter: int, plan: Decimal) -> Decimal:
    """This year's investment by `quarter` that puts the annual lag exactly at `target` points."""
    return (plan * (Decimal(quarter) / 4 - target / 100)).quantize(Decimal("0.01"))


def build(session) -> list[int]:
    plan = Plan(title="边界规划", city="焦作市", start_year=2021, end_year=2030)
    regions = [Region(city="焦作市", name=name, kind=RegionKind.DISTRICT) for name in ("山阳区", "解放区", "温县")]
    session.add_all([plan, *regions])
    session.flush()
    number = iter(range(1000))

    def project(status=ProjectStatus.UNDER_WAY, start=2024, end=2027, planned="100000", **extra):
        made = Project(plan=plan, region=regions[next(number) % 3], name=f"边界项目{len(made_ids):03d}",
                       site="山阳区", sector=list(Sector)[len(made_ids) % 10], content="",
                       planned_investment=Decimal(planned), start_year=start, end_year=end, status=status, **extra)
        session.add(made)
        made_ids.append(made)
        return made

    def report(owner, year, quarter, cumulative, this_quarter):
        session.add(ProgressReport(project=owner, year=year, quarter=quarter, cumulative_investment=Decimal(cumulative),
                                   quarter_investment=Decimal(this_quarter), physical_progress=Decimal(10)))

    made_ids: list[Project] = []
    # annual lags on the edges, at each quarter end of 2026
    for year in (2026,):
        for quarter in (1, 2, 3, 4):
            for target in EDGES:
                annual = Decimal("10000.00")
                if (done := _annual_edge(target, quarter, annual)) < 0:
                    continue
                owner = project(start=2024, end=2029)
                session.add(AnnualPlan(project=owner, year=year, planned_investment=annual))
                report(owner, year, quarter, Decimal(20000) + done, done)
    # whole-period lags on the edges at 2026 Q3 (a fen either side of the limit)
    for target in EDGES:
        for fen in (Decimal("-0.01"), Decimal(0), Decimal("0.01")):
            owner = project(start=2024, end=2028, planned="99999.99")
            share = elapsed_share(owner, quarter_end(2026, 3)) - target / 100
            cumulative = (owner.planned_investment * share).quantize(Decimal("0.01")) + fen
            report(owner, 2026, 3, cumulative, Decimal(100))
    # every status, with and without reports; future starts; annual plan 0
    for status in ProjectStatus:
        for start, end in ((2023, 2025), (2025, 2026), (2027, 2028), (2029, 2030)):
            owner = project(status=status, start=start, end=end, planned="5000")
            if start <= 2026:
                report(owner, 2025, 4, 1000, 1000)
                report(owner, 2026, 2, 1500, 300)
            session.add(AnnualPlan(project=owner, year=2026, planned_investment=Decimal(0)))
    owner = project(planned="0")  # no planned investment: no investment rate at all
    # milestones planned and reached late, and not reached
    for actual in (None, date(2026, 5, 20), date(2027, 2, 1)):
        owner = project(start=2025, end=2028)
        session.add(Milestone(project=owner, kind=MilestoneKind.COMMENCEMENT, planned_date=date(2025, 3, 1),
                              actual_date=actual))
        session.add(Milestone(project=owner, kind=MilestoneKind.MAIN_WORKS_DONE, planned_date=date(2026, 11, 30),
                              actual_date=None))
    # reports with gaps, for 未报送 yellow and red
    owner = project(start=2024, end=2028)
    for year, quarter, cumulative in ((2024, 2, 100), (2024, 4, 200), (2025, 1, 300), (2026, 3, 900), (2027, 4, 1500)):
        report(owner, year, quarter, cumulative, 100)
    # status histories: completed on 2026-10-15, suspended then resumed, cancelled in 2027, started late
    histories = [
        (ProjectStatus.COMPLETED, [(None, ProjectStatus.UNDER_WAY), (date(2026, 10, 15), ProjectStatus.COMPLETED)]),
        (ProjectStatus.UNDER_WAY, [(None, ProjectStatus.UNDER_WAY), (date(2025, 6, 1), ProjectStatus.SUSPENDED),
                                   (date(2026, 4, 1), ProjectStatus.UNDER_WAY)]),
        (ProjectStatus.CANCELLED, [(None, ProjectStatus.PREPARING), (date(2027, 3, 31), ProjectStatus.CANCELLED)]),
        (ProjectStatus.IN_USE, [(None, ProjectStatus.PREPARING), (date(2024, 9, 30), ProjectStatus.UNDER_WAY),
                                (date(2027, 12, 31), ProjectStatus.IN_USE)]),
        (ProjectStatus.UNDER_WAY, [(date(2025, 2, 1), ProjectStatus.PREPARING), (date(2025, 8, 1), ProjectStatus.UNDER_WAY)]),
    ]
    for status, history in histories:
        owner = project(status=status, start=2024, end=2027, status_since=history[-1][0])
        for since, changed in history:
            session.add(StatusChange(project=owner, status=changed, since=since, source="test"))
        report(owner, 2025, 1, 4000, 4000)
    session.flush()
    refresh_all_figures(session)
    session.commit()
    return [made.id for made in made_ids]


@pytest.fixture(scope="module")
def edge_set(app):
    with app.app_context():
        ids = build(db.session)
        yield ids
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


def test_sql_twin_equals_the_rules_every_day(app, edge_set):
    """One statement for the rows and one for the roll-up, executed with each day's figures."""
    with app.app_context():
        session = db.session
        projects = session.scalars(select(Project).order_by(Project.id)).all()
        assert [p.id for p in projects] == edge_set
        names = {p.id: p.region.name for p in projects}
        facts = facts_for(session, projects)
        template = rule_expressions(FIRST)
        rows_query = template.join(select(Project.id, template.light, template.cumulative,
                                          *(template.warning(kind) for kind in WarningKind)))
        cells_query = judged_cells_query(template)
        disagreements, lights_seen, kinds_seen = [], set(), set()
        for day in DAYS:
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
            pure = [project_cell(p.region_id, names[p.id], p.sector, p.planned_investment, expected[p.id])
                    for p in projects]
            sql = cells_from_rows(session.execute(cells_query, parameters))
            if _grouped(pure) != _grouped(sql) or total(pure) != total(sql):
                disagreements.append((day, "roll-up", asdict(total(pure)), asdict(total(sql))))
        assert disagreements[:5] == [] and len(disagreements) == 0
        assert lights_seen == set(Light) and kinds_seen == set(WarningKind)
        print(f"sweep: {len(DAYS)} days × {len(projects)} projects = {len(DAYS) * len(projects)} judgements, "
              f"0 disagreements")


def _grouped(cells) -> dict:
    """Figures per region × status × sector."""
    groups = {}
    for cell in cells:
        key = (cell.region_id, cell.status, cell.sector)
        groups[key] = groups[key] + cell.figures if key in groups else cell.figures
    return groups
