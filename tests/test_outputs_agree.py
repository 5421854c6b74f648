"""Every output says the same thing for the same date: the list's totals line and filter counts,
the dashboard, the Excel and CSV exports, the OC4IDS package and the API — project count, planned
and completed investment, rates, annual figures, lights, and each project's light and reasons —
all read from the stored judgements; and the quarterly report of the date's 报告期 (read back with
pdftotext), judged project by project by the pure rules, says what the stored judgements of its
report moment and the dashboard's trend say. Checked at a quarter end, the day after, the day the
报告期 moves (after the 报送截止日) and an ordinary day."""
import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portfolio.core.db import db
from portfolio.core.formatting import format_rate, format_wan, format_wan_whole
from portfolio.dashboard.queries import build_dashboard
from portfolio.exports.render import export_list
from portfolio.registry.models import Project
from portfolio.registry.queries import ProjectFilters, project_totals
from portfolio.reports.data import ReportFilters, build_quarterly_report
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.dashboard.queries import quarter_trends
from portfolio.judgements.moments import report_moment
from portfolio.judgements.queries import cells_as_of, cells_at
from portfolio.rules import Light, Thresholds, WarningKind, assess, quarter_end, quarter_period, reporting_quarter
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import Figures, total
from tests.factories import api_token, build_edge_set
from tests.pdf import joined, pdf_text

DATES = [date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 6), date(2026, 11, 22)]


@pytest.fixture
def edge_set(app, clean_db):
    with app.app_context():
        yield build_edge_set(db.session)


def _figures(group) -> Figures:
    return Figures(**{name: getattr(group, name) for name in Figures.__dataclass_fields__})


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_every_output_agrees(app, edge_set, client, tmp_path, as_of):
    thresholds = Thresholds()
    with app.app_context():
        session = db.session
        token = {"Authorization": f"Bearer {api_token(session, 'admin-test')}"}
        session.commit()
        stored_total = total(cells_as_of(session, as_of))
        listed = project_totals(session, ProjectFilters(as_of=as_of))
        dashboard = build_dashboard(session, as_of, thresholds)
        exported = export_list(session, ProjectFilters(as_of=as_of), with_progress=True)
        year, quarter = reporting_quarter(as_of)
        report = build_quarterly_report(session, year, quarter, ReportFilters(), "测试",
                                        datetime(2026, 11, 22, 9), as_of, thresholds)
        report_stored = total(cells_at(session, [report_moment(year, quarter)])[report_moment(year, quarter)])
        trend = quarter_trends(session, year, quarter)[-1]
        projects = session.scalars(select(Project)).all()
        facts = facts_for(session, projects)
        by_rules = {p.name: assess(facts[p.id], quarter_end(year, quarter), thresholds, quarter_period(year, quarter))
                    for p in projects}
        names = dict(session.execute(select(Project.id, Project.name)).all())
        light_counts = {light: project_totals(session, ProjectFilters(as_of=as_of, light=light))
                        for light in (Light.RED, Light.YELLOW)}
        warning_counts = {kind: project_totals(session, ProjectFilters(as_of=as_of, warnings=frozenset({kind})))
                          for kind in WarningKind}
        pdf = render_quarterly_pdf(report, register_font())

    # one set of figures for the date: stored roll-up, list totals line, dashboard, exports
    figures = stored_total
    assert figures.count > 0 and figures.cancelled_count > 0 and figures.annual_plan > 0
    for other in (listed, dashboard.total, exported.total):
        assert _figures(other) == _figures(figures)
    # the report of the date's 报告期: the pure rules project by project = the stored report moment = the trend
    assert (report.as_of, report.reporting_year, report.reporting_quarter) == (quarter_end(year, quarter), year, quarter)
    assert _figures(report.total) == _figures(report_stored)
    assert (trend.quarter_investment, trend.annual_completed, trend.annual_plan, trend.red, trend.yellow) == (
        report.total.quarter_investment, report.total.annual_completed, report.total.annual_plan,
        report.total.red, report.total.yellow)
    assert {row.name: (row.light.label, "；".join(row.reasons)) for row in report.projects + report.cancelled} == {
        name: (a.light.label, "；".join(f"{w.kind.label}：{w.reason}" for w in a.warnings)) for name, a in by_rules.items()}
    assert {row.name for row in report.cancelled} == {name for name, a in by_rules.items() if a.light is Light.CANCELLED}
    assert len(report.projects) == report.total.count and len(report.cancelled) == report.total.cancelled_count
    # 资金来源: the same table everywhere, adding up to the planned investment plus any excess
    funding = figures.funding
    assert funding.excess > 0 and funding.unallocated > 0 and sum(funding.amounts) > 0
    assert sum(funding.amounts) + funding.unallocated == figures.planned_investment + funding.excess
    # the list's filters count what the totals count
    assert (light_counts[Light.RED].count, light_counts[Light.YELLOW].count) == (figures.red, figures.yellow)
    assert {kind: warning_counts[kind].count for kind in WarningKind} == {
        kind: figures.warning_count(kind) for kind in WarningKind}

    # each project: the same light and reasons in the exports, the API and the list page
    by_name = {row.project.name: (row.assessment.light.label,
                                  "；".join(f"{w.kind.label}：{w.reason}" for w in row.assessment.warnings))
               for row in exported.rows}
    assert len(by_name) == len(names)

    workbook = load_workbook(io.BytesIO(client.get(f"/projects/export.xlsx?as_of={as_of}").data))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert as_of.strftime("%Y年%-m月%-d日") in sheet[0][0]
    header = sheet[1]
    rows = sheet[2:2 + len(names)]
    xlsx = {row[header.index("项目名称")]: (row[header.index("预警")], row[header.index("预警原因")] or "") for row in rows}
    assert xlsx == by_name
    totals_row = sheet[2 + len(names)]
    assert Decimal(str(totals_row[header.index("计划投资(万元)")])) == figures.planned_investment
    assert Decimal(str(totals_row[header.index("累计完成投资(万元)")])) == figures.cumulative_investment
    assert {source: Decimal(str(totals_row[header.index(f"其中:{source.label}(万元)")])).quantize(Decimal("0.01"))
            for source, _ in funding.by_source} == dict(funding.by_source)

    response = client.get(f"/projects/export.csv?as_of={as_of}")
    assert f"截至{as_of:%Y%m%d}" in unquote(response.headers["Content-Disposition"])
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    csv_header = lines[0]
    csv_rows = {line[csv_header.index("项目名称")]: (line[csv_header.index("预警")], line[csv_header.index("预警原因")])
                for line in lines[1:1 + len(names)]}
    assert csv_rows == by_name
    csv_total = lines[1 + len(names)]
    assert csv_total[csv_header.index("投资完成率")] == format_rate(figures.completion_rate)

    package = json.loads(client.get(f"/projects/export.json?as_of={as_of}").data)
    assert len(package["projects"]) == len(names)
    rates = {p["title"]: next((m["observations"][0]["measure"] for m in p.get("metrics", [])
                               if m["id"] == "financialProgress"), None) for p in package["projects"]}
    for row in exported.rows:
        rate = row.assessment.completion_rate
        assert rates[row.project.name] == (None if rate is None else float(round(rate * 100, 1)))

    # the API: the figures to the fen, and each project's light and reasons
    api = client.get(f"/api/v1/figures?as_of={as_of}", headers=token).get_json()["total"]
    for name in ("planned_investment", "cumulative_investment", "annual_plan", "annual_completed",
                 "other_year_completed", "quarter_investment"):
        assert Decimal(api[name]) == getattr(figures, name), name
    assert (api["count"], api["annual_count"], api["lights"], api["cancelled"]["count"]) == (
        figures.count, figures.annual_count, {"red": figures.red, "yellow": figures.yellow, "green": figures.green,
                                              "done": figures.done}, figures.cancelled_count)
    assert {kind: api["warnings"][kind.value] for kind in WarningKind} == {
        kind: figures.warning_count(kind) for kind in WarningKind}
    assert {line["source"]["code"]: Decimal(line["amount"]) for line in api["funding"] if line["source"]} == {
        source.value: amount for source, amount in funding.by_source if amount}
    listed_by_api = client.get(f"/api/v1/projects?as_of={as_of}&per_page=500", headers=token).get_json()["items"]
    assert {item["name"]: (item["judgement"]["light"]["label"], "；".join(
        f"{w['kind']['label']}：{w['reason']}" for w in item["judgement"]["warnings"])) for item in listed_by_api} == by_name

    # the list page's totals line
    page = client.get(f"/projects/?as_of={as_of}").get_data(as_text=True)
    assert f"{figures.count}" in page and format_wan(figures.planned_investment) in page

    # the dashboard's 资金来源 table
    home = client.get(f"/?as_of={as_of}").get_data(as_text=True)
    assert f'<th class="num" id="funding-total">{format_wan(funding.total)}</th>' in home

    # the PDF says what the report's figures say, in words and tables
    figures, funding = report.total, report.total.funding
    text = joined(pdf_text(pdf, tmp_path))
    assert joined(f"未落实资金来源{format_wan(funding.unallocated)}") in text
    assert joined(f"合计{format_wan(funding.total)}") in text
    for expected in (f"纳入统计的{figures.count}个项目计划总投资{format_wan_whole(figures.planned_investment)}万元",
                     f"累计完成投资{format_wan_whole(figures.cumulative_investment)}万元",
                     f"投资完成率{format_rate(figures.completion_rate)}",
                     f"红灯项目{figures.red}个、黄灯项目{figures.yellow}个、绿灯项目{figures.green}个，已完成{figures.done}个",
                     f"另有已取消项目{figures.cancelled_count}个",
                     f"已完成{format_wan_whole(figures.annual_completed)}万元，占年度计划{format_rate(figures.annual_rate)}"):
        assert joined(expected) in text, expected
    assert re.search(joined(f"合计{figures.count}{format_wan(figures.planned_investment)}"
                            f"{format_wan(figures.cumulative_investment)}{format_rate(figures.completion_rate)}"
                            f"{figures.red}{figures.yellow}"), text)
