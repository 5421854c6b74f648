"""The SQL filters give exactly the answers of the rule functions, on generated data with
every kind of warning, at as-of dates before, between and after the reports."""
import random
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from portfolio.cycle.queries import RoundState, quarter_round
from portfolio.progress.sample_data import sample_progress
from portfolio.registry.models import Project
from portfolio.rules import Light, WarningKind, assess, must_report, reporting_quarter, status_on
from portfolio.rules.figures import facts_for, refresh_all_figures, refresh_figures
from portfolio.rules.sql import rule_expressions
from tests.factories import ProjectBuilder, add_sample_progress

TODAY = date(2026, 11, 22)
AS_OF_DATES = [TODAY, date(2026, 9, 30), date(2026, 1, 1), date(2025, 12, 31), date(2025, 6, 15), date(2024, 3, 31)]


@pytest.fixture(scope="module")
def generated(module_session):
    """160 projects with every kind of warning, built once for the module (its tests only read them)."""
    session = module_session
    make_project = ProjectBuilder(session, flush=False)
    rng = random.Random(20261122)
    projects = []
    for number in range(160):
        start = rng.randint(2019, 2027)
        project = make_project(name=f"规则项目{number:03d}", start_year=start, end_year=start + rng.randint(0, 3),
                               planned_investment=Decimal(rng.choice([0, 500, 1200, 80000, 12345.67])),
                               region=rng.choice(["山阳区", "解放区", "温县"]))
        progress = sample_progress(rng, project.start_year, project.end_year, project.planned_investment, TODAY)
        project.status = progress.status
        add_sample_progress(session, project, progress)
        projects.append(project)
    session.flush()
    refresh_all_figures(session)
    session.commit()
    return projects


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_sql_filters_agree_with_the_rule_functions(module_session, generated, as_of):
    session = module_session
    expected = {project.id: assess(facts, as_of) for project, facts in
                zip(generated, facts_for(module_session, generated).values(), strict=True)}
    rules = rule_expressions(as_of)

    def ids(condition) -> set[int]:
        return set(session.scalars(rules.bind(rules.join(select(Project.id)).where(condition))))

    for kind in WarningKind:
        assert ids(rules.warning(kind)) == {i for i, a in expected.items() if a.has(kind)}, kind
    for light in Light:
        assert ids(rules.light == light.value) == {i for i, a in expected.items() if a.light is light}, light
    sums = dict(session.execute(rules.bind(rules.join(select(Project.id, rules.cumulative)))).all())
    assert sums == {i: a.cumulative_investment for i, a in expected.items()}


def test_the_generated_data_has_every_kind_of_warning_and_light(module_session, generated):
    seen_kinds, seen_lights = set(), set()
    for as_of in AS_OF_DATES:
        for assessment in (assess(f, as_of) for f in facts_for(module_session, generated).values()):
            seen_kinds |= {w.kind for w in assessment.warnings}
            seen_lights.add(assessment.light)
    assert seen_kinds == set(WarningKind) and seen_lights == set(Light)


def test_refreshing_all_figures_at_once_matches_one_by_one(module_session, generated):
    """The figures kept on the projects are the same whether refreshed one project at a time (as every write
    does) or all at once (as bulk loads do); the shared data is left as it was (rolled back)."""
    session = module_session
    figures = ("last_report_period", "last_cumulative_investment", "last_year_investment", "open_milestone_due")

    def snapshot():
        session.flush()
        session.expire_all()
        return {p.id: tuple(getattr(p, name) for name in figures) for p in session.scalars(select(Project))}

    def forget():
        session.execute(update(Project).values(last_report_period=None, last_cumulative_investment=None,
                                               last_year_investment=None, open_milestone_due=None))
        session.expire_all()
        assert set(snapshot().values()) == {(None, None, None, None)}

    try:
        as_built = snapshot()
        assert any(any(value is not None for value in row) for row in as_built.values())
        forget()
        for project in session.scalars(select(Project).order_by(Project.id)).all():
            refresh_figures(session, project)
        one_by_one = snapshot()
        forget()
        refresh_all_figures(session)
        assert snapshot() == one_by_one == as_built
    finally:
        session.rollback()


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_who_must_report_and_the_round_counts_agree_with_the_rule(module_session, generated, as_of):
    """报送情况 counts per county (SQL) are the pure `must_report` over each project, split by the
    state of its report for the 报告期 — and 未填报 there is exactly the 未报送 warning."""
    session = module_session
    facts = facts_for(session, generated)
    year, quarter = reporting_quarter(as_of)
    owing = {project.id for project in generated
             if must_report(facts[project.id], status_on(facts[project.id], as_of), as_of)}
    rules = rule_expressions(as_of)
    assert set(session.scalars(rules.bind(select(Project.id).where(rules.must_report)))) == owing
    assert owing, "the generated data has projects that owe progress"

    expected: dict[str, Counter] = {}
    for project in generated:
        if project.id in owing:
            report = next((r for r in facts[project.id].reports if (r.year, r.quarter) == (year, quarter)), None)
            state = RoundState.of(report.review_state if report else None)
            expected.setdefault(project.region.name, Counter())[state] += 1
    summary = quarter_round(session, year, quarter, as_of, 5)
    assert {row.region.name: Counter({s: n for s, n in row.counts.counts.items() if n})
            for row in summary.regions if row.counts.expected} == expected
    not_reported = {p.id for p in generated if assess(facts[p.id], as_of).has(WarningKind.NOT_REPORTED)}
    assert summary.total[RoundState.MISSING] == len(not_reported)
