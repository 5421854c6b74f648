"""The quarterly report on 240 generated projects, checked against the rules and the dashboard; then drawn
and read back. The data is built once for the module; the tests only read it."""
import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.dashboard.queries import quarter_trends
from portfolio.judgements.moments import report_moment
from portfolio.judgements.queries import cells_at
from portfolio.progress.models import Milestone, ProgressReport
from portfolio.progress.sample_data import sample_progress
from portfolio.registry.models import Project, ProjectStatus, Region, Sector
from portfolio.reports.data import ReportFilters, build_quarterly_report, report_trends
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.rules import Light, WarningKind, assess, quarter_end, quarter_period, totals
from portfolio.rules.figures import facts_for
from tests.factories import ProjectBuilder, add_sample_progress
from tests.pdf import joined, pages

GENERATED_AT = datetime(2026, 11, 22, 9, 30)


def _report(session, year=2026, quarter=3, **filters):
    return build_quarterly_report(session, year, quarter, ReportFilters(**filters), "焦作市发展和改革委员会", GENERATED_AT,
                                  GENERATED_AT.date())


@pytest.fixture(scope="module")
def generated(module_session):
    """240 projects in three regions with known progress up to 2026 Q3, built once for the module
    (its tests only read them)."""
    session = module_session
    make_project = ProjectBuilder(session, flush=False)
    rng = random.Random(7)
    projects = []
    for number in range(240):
        start = rng.randint(2021, 2026)
        project = make_project(name=f"生成项目{number:03d}号" + "扩建工程" * (number % 4), start_year=start,
                               end_year=start + rng.randint(0, 3), planned_investment=Decimal(rng.randint(100, 90000)),
                               region=("山阳区", "解放区", "温县")[number % 3], sector=list(Sector)[number % 10])
        progress = sample_progress(rng, project.start_year, project.end_year, project.planned_investment,
                                   date(2026, 9, 30))
        project.status = progress.status
        add_sample_progress(session, project, progress, works_status=f"形象进度{number}", problems=f"问题{number}",
                            next_steps=f"计划{number}")
        projects.append(project)
    session.flush()
    session.commit()
    return projects


def test_report_totals_equal_the_stored_judgements_of_its_quarter(module_session, generated):
    """The report judges its projects by the pure rules; the stored judgements of its report moment
    (what the dashboard's trend reads) say the same, in total and by county."""
    session = module_session
    report = _report(session)
    cells = cells_at(session, [report_moment(2026, 3)])[report_moment(2026, 3)]
    assert report.total == totals.total(cells)
    assert [(r.label, r.count, r.planned_investment, r.cumulative_investment, r.red, r.yellow)
            for r in report.by_region] == [
        (r.label, r.count, r.planned_investment, r.cumulative_investment, r.red, r.yellow) for r in totals.by_region(cells)]


def test_report_trends_equal_the_dashboards(module_session, generated):
    """近八个季度走势: judged project by project (the pure rules, as an approved-only report does) and by
    the stored judgements of the eight report moments (as the dashboard and every other report do), the
    same projects' trends agree to the fen, unfiltered and for one county."""
    session = module_session
    report = _report(session)
    dashboard = quarter_trends(session, 2026, 3)
    assert report_trends(session, ReportFilters(), 2026, 3) == tuple(dashboard) == report.trends
    assert len(dashboard) == 8
    assert sum(t.quarter_investment for t in report.trends) > 0 and any(t.red for t in report.trends)
    region = session.scalar(select(Region).where(Region.name == "温县"))
    county = report_trends(session, ReportFilters(region=region), 2026, 3)
    assert county == _report(session, region=region).trends
    assert county == tuple(quarter_trends(session, 2026, 3, where=[Project.region_id == region.id]))
    assert county != report.trends


def test_an_approved_only_reports_trend_counts_only_reviewed_progress(module_session, generated):
    """The generated progress is all drafts: counted as reviewed, none of it is."""
    trends = _report(module_session, approved_only=True).trends
    assert len(trends) == 8 and all(t.quarter_investment == 0 and t.annual_completed == 0 for t in trends)
    assert _report(module_session).trends[-1].quarter_investment > 0


def test_the_reports_map_shows_its_counties_figures(module_session, generated):
    """二、分县区's map: 焦作's ten counties, those with projects shaded by the report's own by-county figures."""
    report = _report(module_session)
    (county_map,) = report.maps
    assert county_map.city == "焦作市" and len(county_map.areas) == 10
    shaded = {area.name: area.figures for area in county_map.areas if area.shade is not None}
    assert shaded == {row.label: row for row in report.by_region}


def _red_lateness(session, generated, as_of):
    from portfolio.timeline.geometry import timeline_project

    facts = facts_for(session, generated)
    judged = [(p, assess(facts[p.id], as_of, period=quarter_period(2026, 3))) for p in generated]
    return {p.name: timeline_project(p.id, p.name, "", facts[p.id], a, as_of).lateness_days
            for p, a in judged if a.light is Light.RED}


def test_the_reports_timeline_draws_its_red_projects_the_latest_first(module_session, generated, tmp_path):
    from portfolio.reports.data import REPORT_TIMELINE_PROJECTS

    report = _report(module_session)
    red = {w.name for w in report.warnings if w.light is Light.RED}
    drawn = report.red_timeline
    assert len(drawn) == REPORT_TIMELINE_PROJECTS < len(red) == report.total.red
    assert {p.name for p in drawn} <= red and all(p.light is Light.RED for p in drawn)
    assert [p.lateness_days for p in drawn] == sorted((p.lateness_days for p in drawn), reverse=True)
    all_red = _red_lateness(module_session, generated, report.as_of)
    undrawn = [days for name, days in all_red.items() if name not in {p.name for p in drawn}]
    assert len(all_red) == len(red) and drawn[-1].lateness_days >= max(undrawn)  # the most delayed are drawn
    text = joined("".join(pages(render_quarterly_pdf(report, register_font()), tmp_path)))
    assert "附：红灯项目时间轴" in text and f"红灯项目共{len(red)}个，按滞后程度列出最滞后的{len(drawn)}个" in text
    facts = facts_for(module_session, generated)
    assessed = [(p, assess(facts[p.id], report.as_of, period=quarter_period(2026, 3))) for p in generated]
    most_overdue = max((report.as_of - date(p.end_year, 12, 31)).days for p, a in assessed
                       if a.light is Light.RED and a.has(WarningKind.OVERDUE))
    assert drawn[0].lateness_days >= most_overdue > 0


def test_warnings_are_exactly_what_the_rules_flag_red_first(module_session, generated):
    session = module_session
    report = _report(session)
    as_of = quarter_end(2026, 3)
    facts = facts_for(session, generated)
    flagged = {p.name: assess(facts[p.id], as_of, period=quarter_period(2026, 3)).light for p in generated}
    expected = {name for name, light in flagged.items() if light in (Light.RED, Light.YELLOW)}
    assert {w.name for w in report.warnings} == expected and expected
    lights = [w.light for w in report.warnings]
    assert lights == sorted(lights, key=lambda light: light is not Light.RED)
    first = report.warnings[0]
    assert first.reasons and first.problems.startswith("问题")


def test_this_quarter_and_this_year_come_from_the_reports(module_session, generated):
    session = module_session
    report = _report(session)
    reports = session.scalars(select(ProgressReport)).all()
    kept = [r for r in reports if r.project.status is not ProjectStatus.CANCELLED]
    assert report.total.quarter_investment == sum(r.quarter_investment for r in kept if (r.year, r.quarter) == (2026, 3))
    assert report.total.annual_completed + report.total.other_year_completed == sum(
        r.quarter_investment for r in kept if r.year == 2026 and r.quarter <= 3)
    reached = session.scalars(select(Milestone).where(Milestone.actual_date.between(date(2026, 7, 1), date(2026, 9, 30))))
    assert len(report.milestones_reached) == len(reached.all())


def test_county_report_has_only_its_county(module_session, generated):
    session = module_session
    region = session.scalar(select(Region).where(Region.name == "温县"))
    report = _report(session, region=region)
    assert len(report.projects) + len(report.cancelled) == 80 and {p.region for p in report.projects} == {"温县"}
    assert len(report.projects) == report.total.count and {p.region for p in report.cancelled} <= {"温县"}
    assert "县(市、区)：焦作市温县" in report.filters


def test_pages_are_numbered_and_headed_and_the_detail_header_repeats(module_session, generated, tmp_path):
    session = module_session
    pdf = render_quarterly_pdf(_report(session), register_font())
    all_pages = pages(pdf, tmp_path)
    assert len(all_pages) > 5
    for number, page in enumerate(all_pages, start=1):
        assert f"第 {number} 页 共 {len(all_pages)} 页" in page
        assert "重大工程项目2026年第三季度进展情况" in page
    first = next(n for n, p in enumerate(all_pages) if "六、项目进展明细" in p)
    last = next(n for n, p in enumerate(all_pages) if "附：本季度完成的节点" in p)
    ends_detail = "生成项目" in joined(all_pages[last]).split("附：本季度完成的节点")[0]  # or a heading starts the page
    detail_pages = all_pages[first:last + ends_detail]
    assert len(detail_pages) > 2
    assert all("序号项目名称县(市、区)计划投资" in joined(p) and "（万元）" in p for p in detail_pages)  # the unit on its own line
    text = joined("".join(all_pages))
    assert all(p.name in text for p in generated)


def test_the_word_report_has_the_pdfs_sections_and_tables(module_session, generated, tmp_path):
    """The .docx, read back with python-docx: sections 一 to 六, each table cell for cell what the PDF
    lays out (the same `reports/tables.py`), the figures equal to the roll-up, the header row repeated
    on every page, the fonts named with fallbacks and the page number a field in the footer."""
    from docx import Document
    from docx.oxml.ns import qn

    from portfolio.reports.docx import FALLBACKS, render_quarterly_docx
    from portfolio.reports.tables import details_table, group_table, red_timelines, trend_table, warnings_table

    report = _report(module_session)
    written = render_quarterly_docx(report, register_font())
    document = Document(io.BytesIO(written))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"][:2] == [
        "（一）资金来源（计划投资构成）", "（二）近8个季度走势"]
    assert headings[:6] == ["一、总体情况", "二、分县区情况", "三、分领域情况", "四、预警项目", "五、存在问题及协调解决情况",
                            "六、项目进展明细"]
    assert document.paragraphs[0].text == report.title and document.paragraphs[0].style.name == "Title"
    assert all(sentence in [p.text for p in document.paragraphs] for sentence in report.summary)

    def cells(table):
        return [[cell.text for cell in row.cells] for row in table.rows]

    expected = [group_table("县(市、区)", report.by_region, report.total), group_table("领域", report.by_sector, report.total),
                warnings_table(report), details_table(report), trend_table(report)]
    found = {tuple(cells(table)[0]): cells(table) for table in document.tables}
    for table in expected:
        assert found[tuple(table.header)] == [table.header, *[list(row) for row in table.rows]], table.header
    by_region = found[tuple(expected[0].header)]
    assert by_region[-1][0] == "合计" and by_region[-1][2] == f"{report.total.planned_investment:,.2f}"
    assert len(found[tuple(expected[3].header)]) == len(report.projects) + 1
    for table in document.tables[1:]:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    detail = next(table for table in document.tables if table.rows[0].cells[0].text == "序号"
                  and table.rows[0].cells[3].text == "计划投资\n（万元）")  # the unit on a line of its own
    assert detail.rows[1].cells[3].paragraphs[0].alignment == 2  # right-aligned figures

    with zipfile.ZipFile(io.BytesIO(written)) as package:
        font_table = package.read("word/fontTable.xml").decode("utf-8")
        footer = "".join(package.read(name).decode("utf-8") for name in package.namelist() if "footer" in name)
        pictures = len([name for name in package.namelist() if name.startswith("word/media/")])
    assert pictures == 3 + len(report.maps) + len(red_timelines(report))  # the charts, the map, the timelines
    for name, fallback in FALLBACKS.items():
        assert f'<w:font w:name="{name}"><w:altName w:val="{fallback}"/>' in font_table
    assert 'w:instr="PAGE"' in footer
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"

