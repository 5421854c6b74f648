"""Figures people type are reconciled; reports are kept as issued; the trail records what is stored;
the demo obeys the rules; outputs state their date. (DESIGN.md, "Figures people type", issue 10.)"""
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.core.audit import AuditEntry
from portfolio.progress.demo import add_demo_progress, remove_demo_progress
from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.registry.models import Project, ProjectStatus
from portfolio.reports.models import IssuedReport
from portfolio.rules import Light, assess, quarter_of
from portfolio.rules.figures import facts_for
from tests.factories import submit

TODAY = date.today()
NAME = "山阳区黄龙山体育公园项目"


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def project(seeded, in_app) -> Project:
    return in_app(lambda s: s.scalar(select(Project).where(Project.name == NAME)))


def _progress(year, quarter, cumulative, this_quarter="", percent="30", problems=""):
    return {"year": str(year), "quarter": str(quarter), "cumulative_investment": cumulative,
            "quarter_investment": this_quarter, "physical_progress": percent, "works_status": "施工中",
            "problems": problems, "next_steps": ""}


def _quarters(in_app, project_id):
    return in_app(lambda s: [(r.year, r.quarter, r.cumulative_investment, r.quarter_investment) for r in s.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project_id)
        .order_by(ProgressReport.year, ProgressReport.quarter))])


def test_this_quarter_is_the_rise_in_cumulative_and_a_different_figure_is_refused(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    assert submit(client, url, _progress(2025, 3, "26000", "26000")).status_code == 302
    refused = submit(client, url, _progress(2025, 4, "27000", "5000"))
    assert refused.status_code == 422
    assert "即1,000.00万元，而不是5,000.00万元" in _text(refused) and "26,000.00" in _text(refused)
    assert 'value="27000"' in _text(refused), "the typed figures stay in the form"
    saved = submit(client, url, _progress(2025, 4, "27000"))
    assert saved.status_code == 302
    assert _quarters(in_app, project.id)[-1] == (2025, 4, Decimal("27000.00"), Decimal("1000.00"))


def test_editing_an_earlier_quarter_recomputes_the_next_ones_this_quarter(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    submit(client, url, _progress(2025, 3, "26000", "26000"))
    submit(client, url, _progress(2025, 4, "27000"))
    q3 = in_app(lambda s: s.scalar(select(ProgressReport.id).where(ProgressReport.project_id == project.id,
                                                                  ProgressReport.quarter == 3)))
    edit = f"/projects/{project.id}/progress/{q3}/edit"
    response = submit(client, edit, _progress(2025, 3, "25500", "25500") | {"version": "1"})
    assert response.status_code == 302, _text(response)
    assert _quarters(in_app, project.id)[-1] == (2025, 4, Decimal("27000.00"), Decimal("1500.00"))


def test_falling_physical_progress_needs_a_note(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    submit(client, url, _progress(2025, 3, "100", "100", percent="55"))
    refused = submit(client, url, _progress(2025, 4, "200", percent="50"))
    assert refused.status_code == 422 and "工程进度由2025年第3季度的55%降至50%" in _text(refused)
    assert submit(client, url, _progress(2025, 4, "200", percent="50", problems="设计变更，部分拆除重建")).status_code == 302


def test_over_plan_figures_are_saved_with_a_warning(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    response = submit(client, url, _progress(2025, 3, "5000", "5000"))
    assert response.status_code == 302
    page = _text(client.get(f"/projects/{project.id}"))
    assert "超计划投资" in page
    annual = submit(client, f"/projects/{project.id}/annual-plans", {"year": "2026", "planned_investment": "60000"},
                    form_url=f"/projects/{project.id}")
    assert annual.status_code == 302
    page = _text(client.get(f"/projects/{project.id}"))
    assert "2026年度计划投资60,000.00万元超过尚未完成的投资" in page
    assert in_app(lambda s: s.scalar(select(func.count(AnnualPlan.id)))) == 1


def test_a_quarter_long_before_the_planned_start_cannot_be_reported(client, project):
    response = submit(client, f"/projects/{project.id}/progress/new", _progress(2019, 4, "10", "10"))
    assert response.status_code == 422 and "两年以上" in _text(response)


def test_the_project_page_honours_as_of(client, project, in_app):
    assert "截至2024年6月30日" in _text(client.get(f"/projects/{project.id}?as_of=2024-06-30"))
    assert "截至2026年11月22日" in _text(client.get(f"/projects/{project.id}?as_of=2026-11-22"))


def test_status_is_judged_as_of_the_date_on_list_and_report(client, project, in_app):
    """A project completed on 2025-10-15 was 在建 on 2025-09-30: the Q3 report says so, made any time later."""
    rows = {kind.value: {"planned_date": "", "actual_date": "", "note": ""} for kind in MilestoneKind}
    rows["commencement"]["actual_date"] = "2022-03-01"
    rows["acceptance"]["actual_date"] = "2025-10-15"
    data = {f"{kind}-{field}": value for kind, fields in rows.items() for field, value in fields.items()}
    assert submit(client, f"/projects/{project.id}/milestones", data).status_code == 302
    assert in_app(lambda s: s.get(Project, project.id).status) is ProjectStatus.COMPLETED
    before = _text(client.get("/projects/?as_of=2025-09-30&status=under_way"))
    after = _text(client.get("/projects/?as_of=2025-10-16&status=completed"))
    assert NAME in before and NAME in after
    facts = in_app(lambda s: facts_for(s, [s.get(Project, project.id)])[project.id])
    assert assess(facts, date(2025, 9, 30)).status is ProjectStatus.UNDER_WAY
    assert assess(facts, date(2025, 10, 15)).light is Light.DONE


def test_a_report_for_a_quarter_not_yet_ended_says_as_of_today(client, seeded):
    quarter = quarter_of(TODAY)
    page = _text(client.get(f"/reports/?year={TODAY.year}&quarter={quarter}"))
    assert f"截至{TODAY.year}年{TODAY.month}月{TODAY.day}日" in page


def test_issue_a_report_keep_it_and_count_what_changed_since(client, seeded, in_app):
    query = "year=2026&quarter=3"
    page = _text(client.get(f"/reports/?{query}"))
    assert "印发本报告" in page
    issued = submit(client, "/reports/issue", {"year": "2026", "quarter": "3"}, form_url=f"/reports/?{query}")
    assert issued.status_code == 302
    stored = in_app(lambda s: s.scalars(select(IssuedReport)).one())
    assert stored.issue_number == "季报〔2026〕1号" and stored.pdf.startswith(b"%PDF")
    assert json.loads(stored.figures)["合计·合计·项目数"] == "13"
    page = _text(client.get(f"/reports/?{query}"))
    assert "季报〔2026〕1号" in page and "现在生成的版本与印发版本一致" in page and "印发本报告" not in page
    again = submit(client, "/reports/issue", {"year": "2026", "quarter": "3"}, form_url=f"/reports/?{query}")
    assert again.status_code == 409 and "不能重复印发" in _text(again)
    # figures change after issue: the issued file stays, the page counts the differences
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    assert submit(client, f"/projects/{project_id}/progress/new", _progress(2026, 3, "1000", "1000")).status_code == 302
    page = _text(client.get(f"/reports/?{query}"))
    assert re.search(r"有(\d+)项数字不同", page) and int(re.search(r"有(\d+)项数字不同", page).group(1)) > 0
    download = client.get(f"/reports/issued/{stored.id}.pdf")
    assert download.data == stored.pdf
    current = in_app(lambda s: s.get(IssuedReport, stored.id))
    assert (current.pdf, current.figures) == (stored.pdf, stored.figures)


def test_a_quarter_not_yet_ended_cannot_be_issued(client, seeded):
    quarter = quarter_of(TODAY)
    url = f"/reports/?year={TODAY.year}&quarter={quarter}"
    response = submit(client, "/reports/issue", {"year": str(TODAY.year), "quarter": str(quarter)}, form_url=url)
    assert response.status_code == 409 and "季度结束后才能印发" in _text(response)


def test_the_trail_records_stored_values_with_labels(client, project, in_app):
    submit(client, f"/projects/{project.id}/progress/new", _progress(2025, 3, "100", "100"))
    entries = in_app(lambda s: s.scalars(select(AuditEntry).where(AuditEntry.table_name == "progress_reports")).all())
    changes = json.loads(entries[-1].changes)
    assert "review_comment" not in changes, "nothing that was not stored"
    assert changes["project_id"] == [None, NAME] and changes["review_state"] == [None, "草稿"]
    assert changes["generated"] == [None, "否"]
    page = _text(client.get(f"/projects/{project.id}"))
    assert "项目: — → 4" not in page and "→ False" not in page


def test_the_project_page_shows_ten_changes_and_links_to_the_rest(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    for step, (year, quarter) in enumerate([(y, q) for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)], start=1):
        assert submit(client, url, _progress(year, quarter, str(100 * step), "100" if step == 1 else "")).status_code == 302
    submit(client, f"/projects/{project.id}/annual-plans", {"year": "2025", "planned_investment": "300"},
           form_url=f"/projects/{project.id}")
    page = _text(client.get(f"/projects/{project.id}"))
    history_table = page[page.index('id="history"'):]
    assert history_table.count("<td>新增</td>") + history_table.count("<td>修改</td>") == 10
    assert "查看全部修改记录" in page
    history = _text(client.get(f"/projects/{project.id}/history"))
    assert "共" in history and "修改记录" in history


def test_demo_data_obeys_the_rules_goes_through_the_trail_and_leaves_real_rows(session, seeded, make_project):
    for start in (2025, 2026, 2027):
        make_project(start_year=start, end_year=start + 2, status=ProjectStatus.PREPARING)
    real = session.scalar(select(Project).where(Project.name == NAME))
    session.add(ProgressReport(project=real, year=2026, quarter=1, cumulative_investment=Decimal(10),
                               quarter_investment=Decimal(10), physical_progress=Decimal(1)))
    session.commit()
    assert add_demo_progress(session, date(2026, 11, 22)) == 15
    session.commit()
    generated = session.scalar(select(func.count(ProgressReport.id)).where(ProgressReport.generated))
    assert generated > 0
    for project in session.scalars(select(Project).where(Project.demo_data)):
        reached = {m.kind for m in project.milestones if m.actual_date}
        if MilestoneKind.ACCEPTANCE in reached:
            assert project.status in (ProjectStatus.COMPLETED, ProjectStatus.IN_USE)
        if project.status is ProjectStatus.UNDER_WAY:
            assert MilestoneKind.COMMENCEMENT in reached
    facts = facts_for(session, session.scalars(select(Project)).all())
    lights = {assess(f, date(2026, 11, 22)).light for f in facts.values()}
    assert {Light.RED, Light.DONE} <= lights and len(lights) >= 3, lights
    created = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "create"))
    assert created >= generated
    assert remove_demo_progress(session) == 15
    session.commit()
    assert session.scalar(select(func.count(ProgressReport.id))) == 1, "the report a person entered stays"
    assert session.scalar(select(func.count(Milestone.id))) == 0
    assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "delete")) >= generated
    assert {p.name: p.status for p in session.scalars(select(Project)) if p.status is not ProjectStatus.UNDER_WAY} == {
        p.name: ProjectStatus.PREPARING for p in session.scalars(select(Project)) if p.name.startswith("生成项目")}


def test_oc4ids_milestones_and_metrics_as_design_says(client, project, in_app):
    rows = {kind.value: {"planned_date": "", "actual_date": "", "note": ""} for kind in MilestoneKind}
    rows["project_approval"] = {"planned_date": "2021-06-01", "actual_date": "2021-06-10", "note": ""}
    rows["commencement"] = {"planned_date": "2022-03-01", "actual_date": "", "note": ""}
    data = {f"{kind}-{field}": value for kind, fields in rows.items() for field, value in fields.items()}
    submit(client, f"/projects/{project.id}/milestones", data)
    package = json.loads(client.get("/projects/export.json?as_of=2024-06-30").data)
    exported = next(p for p in package["projects"] if p["title"] == NAME)
    milestones = {m["id"]: m for m in exported["milestones"]}
    assert milestones["project_approval"]["type"] == "approval" and milestones["project_approval"]["status"] == "met"
    assert milestones["project_approval"]["code"] == "projectApproval"
    assert milestones["commencement"]["status"] == "notMet" and milestones["commencement"]["type"] == "delivery"
    metric = exported["metrics"][0]
    assert metric["observations"][0]["period"]["startDate"].startswith("2024-06-30")
    assert "purpose" not in exported


def test_csv_rates_are_percent_with_one_decimal(client, project, in_app):
    submit(client, f"/projects/{project.id}/progress/new", _progress(2025, 3, "1000", "1000"))
    text = client.get("/projects/export.csv?as_of=2025-12-31").data.decode("utf-8-sig")
    line = next(line for line in text.splitlines() if NAME in line)
    assert ",25.0%," in line and "E+" not in text and "0.2500" not in text


def test_numbers_are_never_split_across_lines_in_the_pdf():
    from portfolio.reports.fonts import register_font
    from portfolio.reports.pdf import Wrapper

    wrap = Wrapper(register_font().name)
    lines = wrap.lines("工期进度100%，累计投资完成率24.8%，计划投资1,234,567.89万元" * 3, 60)
    text = "".join(lines)
    for number in ("100%", "24.8%", "1,234,567.89"):
        assert text.count(number) == 3 and all(number in line or not any(
            number.startswith(line[-k:]) for k in range(1, len(number))) for line in lines)


def test_dates_in_the_list_say_the_reporting_period(client, seeded):
    page = _text(client.get("/projects/?as_of=2026-11-22"))
    assert "截至2026年11月22日（报告期2026年第3季度）" in page
    yesterday = TODAY - timedelta(days=1)
    assert _text(client.get(f"/?as_of={yesterday.isoformat()}")).count("报告期") >= 1
