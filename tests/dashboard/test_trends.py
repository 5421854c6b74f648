"""近八个季度走势: each quarter's figures are those of its quarterly report (judged at the quarter's
end with the quarter as 报告期, by the one roll-up), the pace is the annual plans × quarter / 4, and
the page shows them."""
import random
from datetime import date
from decimal import Decimal

from portfolio.core.formatting import format_wan
from sqlalchemy import select

from portfolio.dashboard.queries import quarter_trends
from portfolio.progress.sample_data import sample_progress
from portfolio.registry.models import Project
from portfolio.rules import assess, quarter_end, quarter_period, totals
from portfolio.rules.figures import facts_for
from tests.factories import ProjectBuilder, add_sample_progress


def _portfolio(session) -> None:
    make_project = ProjectBuilder(session, flush=False)
    rng = random.Random(11)
    for number in range(40):
        start = rng.randint(2023, 2026)
        project = make_project(name=f"走势项目{number:02d}", start_year=start, end_year=start + rng.randint(0, 3),
                               planned_investment=Decimal(rng.randint(500, 50000)), region=("山阳区", "温县")[number % 2])
        progress = sample_progress(rng, project.start_year, project.end_year, project.planned_investment,
                                   date(2026, 9, 30))
        project.status = progress.status
        add_sample_progress(session, project, progress)
    session.flush()


def test_each_quarter_is_its_reports_judgement(app, clean_db):
    from portfolio.core.db import db

    with app.app_context():
        _portfolio(db.session)
        db.session.commit()
        trends = quarter_trends(db.session, 2026, 3)
        assert [(t.year, t.quarter) for t in trends] == [(2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4),
                                                         (2026, 1), (2026, 2), (2026, 3)]
        projects = db.session.scalars(select(Project)).all()
        facts = facts_for(db.session, projects)
        for trend in trends:
            end, period = quarter_end(trend.year, trend.quarter), quarter_period(trend.year, trend.quarter)
            total = totals.total(
                totals.project_cell(p.region_id, p.region.name, p.sector, p.planned_investment,
                                    assess(facts[p.id], end, period=period), {}) for p in projects)
            assert (trend.quarter_investment, trend.annual_completed, trend.annual_plan, trend.red, trend.yellow) == (
                total.quarter_investment, total.annual_completed, total.annual_plan, total.red, total.yellow)
            assert trend.paced == (total.annual_plan * trend.quarter / 4).quantize(Decimal("0.01"))
        assert sum(t.quarter_investment for t in trends) > 0 and any(t.red for t in trends)


def test_the_dashboard_shows_the_trend(client, app, clean_db):
    from portfolio.core.db import db

    with app.app_context():
        _portfolio(db.session)
        db.session.commit()
        trends = quarter_trends(db.session, 2026, 3)  # the 报告期 of 2026-11-22
    page = client.get("/?as_of=2026-11-22").get_data(as_text=True)
    section = page.split('id="trends"')[1].split("</section>")[0]
    assert "近8个季度走势" in page and section.count("<tr>") == 9
    last = trends[-1]
    assert f"<td>{last.label}</td><td class=\"num\">{format_wan(last.quarter_investment)}</td>" in section
    assert 'aria-label="近八个季度年内累计完成投资与年度计划序时进度"' in section
