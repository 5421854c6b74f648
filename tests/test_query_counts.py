"""The pages that list rows ask the database the same number of questions for 3 rows as for 30:
no query per project, report or spreadsheet row (counted with a `before_cursor_execute` listener)."""
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from portfolio.core.db import db
from portfolio.imports.progress_templates import progress_template
from portfolio.progress.models import (
    AnnualPlan,
    Milestone,
    MilestoneKind,
    ProgressReport,
    ReviewState,
)
from portfolio.registry.models import Region
from tests.factories import ProjectBuilder

YEAR, QUARTER = 2026, 3
REGION = "山阳区"


@contextmanager
def counted(app):
    """Yields a list that holds every SQL statement run inside the block."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add_projects(session, first: int, count: int) -> None:
    """Projects in one region, each with two quarters of reports (the later one submitted for review),
    an annual plan and milestones, so every page has something per project to show."""
    builder = ProjectBuilder(session)
    for number in range(first, first + count):
        project = builder(name=f"计数项目{number:03d}", region=REGION, start_year=2024, end_year=2027,
                          planned_investment=Decimal("9000"))
        session.add_all([
            ProgressReport(project=project, year=YEAR, quarter=QUARTER - 1, cumulative_investment=Decimal("1000"),
                           quarter_investment=Decimal("500"), physical_progress=Decimal("20"),
                           review_state=ReviewState.APPROVED, works_status="进行中", problems="无"),
            ProgressReport(project=project, year=YEAR, quarter=QUARTER, cumulative_investment=Decimal("1500"),
                           quarter_investment=Decimal("500"), physical_progress=Decimal("30"),
                           review_state=ReviewState.SUBMITTED, works_status="进行中", problems="无"),
            AnnualPlan(project=project, year=YEAR, planned_investment=Decimal("3000")),
            Milestone(project=project, kind=MilestoneKind.COMMENCEMENT, planned_date=date(2024, 3, 1),
                      actual_date=date(2024, 4, 1)),
            Milestone(project=project, kind=MilestoneKind.ACCEPTANCE, planned_date=date(2026, 6, 30)),
        ])
    session.flush()
    session.commit()


def _filled_template(session) -> bytes:
    """The region's template for the next quarter, every row filled in as a county clerk would."""
    region = session.scalar(select(Region).where(Region.name == REGION))
    workbook = load_workbook(BytesIO(progress_template(session, region, YEAR, QUARTER + 1)))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=3):  # below the title and the header
        row[8].value, row[9].value, row[10].value, row[11].value = 2000, 500, 40, "主体施工"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload_token(client) -> str:
    page = client.get("/imports/").get_data(as_text=True)
    return re.search(r'name="progress-csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _template_rows(response) -> int:
    return load_workbook(BytesIO(response.data)).active.max_row - 2  # the title and the header


def _region_id(client) -> int:
    page = client.get("/imports/").get_data(as_text=True)
    return int(re.search(rf'<option value="(\d+)">{REGION}</option>', page).group(1))


PAGES = {
    "review list": lambda client, ctx: client.get(f"/reviews/?year={YEAR}&quarter={QUARTER}"),
    "project list": lambda client, ctx: client.get("/projects/"),
    "dashboard": lambda client, ctx: client.get("/"),
    "timeline": lambda client, ctx: client.get("/timeline/?by=lateness"),
    "progress import preview": lambda client, ctx: client.post(
        "/imports/progress", data={"progress-csrf_token": ctx["token"],
                                   "progress-file": (BytesIO(ctx["template"]), "进展.xlsx")},
        content_type="multipart/form-data"),
    "progress template download": lambda client, ctx: client.get(
        f"/imports/progress-template.xlsx?template-region={ctx['region']}&template-year={YEAR}"
        f"&template-quarter={QUARTER + 1}"),
}
ROWS_SHOWN = {
    "review list": lambda response, n: _text(response).count("计数项目") >= n,
    "project list": lambda response, n: _text(response).count("计数项目") >= min(n, 20),  # 20 a page
    "dashboard": lambda response, n: re.search(rf'id="kpi-count">{n}<', _text(response)),
    "timeline": lambda response, n: _text(response).count('class="gantt-row"') == n,
    "progress import preview": lambda response, n: re.search(rf"新增 <strong>{n}</strong>", _text(response)),
    "progress template download": lambda response, n: _template_rows(response) == n,
}
KNOWN_TO_GROW: dict[str, str] = {}
"""Pages known to grow, as strict xfails: when one is fixed the test says so (XPASS fails the run)."""


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_TO_GROW[name], strict=True)) if name in KNOWN_TO_GROW
    else name for name in PAGES])
def test_queries_do_not_grow_with_the_rows(app, client, in_app, name):
    """The data is written in app contexts of its own (`in_app`), so each request starts with an empty session,
    as in production: nothing the test loaded can hide a lazy load."""
    counts = {}
    for rows, more in ((3, 3), (30, 27)):
        in_app(lambda session, first=rows - more, count=more: _add_projects(session, first, count))
        context = {"token": _upload_token(client), "template": in_app(_filled_template), "region": _region_id(client)}
        assert PAGES[name](client, context).status_code == 200  # warmed up: the first request may load more
        with counted(app) as statements:
            response = PAGES[name](client, context)
        assert response.status_code == 200
        assert ROWS_SHOWN[name](response, rows), f"{name} does not show the {rows} rows"
        counts[rows] = statements
    assert counts[3], "the listener saw the queries"
    assert len(counts[3]) == len(counts[30]), (
        f"{name}: {len(counts[3])} queries for 3 rows, {len(counts[30])} for 30", counts[30])
