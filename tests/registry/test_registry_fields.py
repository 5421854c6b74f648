"""What real registries keep: 项目代码 and the other project fields, 资金来源 with its filter and
roll-up, and 归档 (archive) instead of delete — through the pages, with CSRF on."""
import json
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.core.audit import AuditEntry
from portfolio.cycle.queries import quarter_round, round_entries
from portfolio.problems.queries import problem_figures, round_window
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.progress.review import ReviewAction, review_refusals
from portfolio.registry.models import FundingSource, Plan, Project, ProjectFunding, Region
from portfolio.reports.data import ReportFilters, build_quarterly_report
from portfolio.reports.issue import report_figures
from tests.oc4ids import oc4ids_errors
from tests.factories import add_problem, login, submit

CODE = "2101-410800-04-01-123456"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(response) -> list[str]:
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', _text(response))


def _form_data(in_app, **overrides) -> dict:
    plan_id, region_id = in_app(lambda s: (
        s.scalar(select(Plan.id).where(Plan.city == "焦作市")),
        s.scalar(select(Region.id).where(Region.name == "马村区", Region.city == "焦作市"))))
    data = {
        "plan_id": plan_id, "name": "马村区托育综合服务中心", "region_id": region_id, "site": "",
        "sector": "childcare", "status": "under_way", "programme_id": "", "planned_investment": "10,000",
        "start_year": "2025", "end_year": "2027", "content": "", "responsible_unit": "马村区卫健委",
        "project_code": "２１０１－410800-04-01-123456", "nature": "new", "owner_unit": "马村区妇幼保健院",
        "responsible_leader": "王某某", "contact_person": "李某", "contact_phone": "0391 3568888",
        "longitude": "113.3152459", "latitude": "35.2661", "funding_special_bonds": "6,000",
        "funding_central_budget": "3000",
    }
    return data | overrides


def _project(in_app, name: str = "马村区托育综合服务中心") -> Project | None:
    return in_app(lambda s: s.scalar(select(Project).where(Project.name == name)))


def _funding(in_app, project_id: int) -> dict:
    return in_app(lambda s: dict(s.execute(select(ProjectFunding.source, ProjectFunding.amount)
                                           .where(ProjectFunding.project_id == project_id)).all()))


def test_the_new_fields_are_saved_normalized_and_shown(client, seeded, in_app):
    response = submit(client, "/projects/new", _form_data(in_app))
    assert response.status_code == 302, _text(response)
    project = _project(in_app)
    assert (project.project_code, project.nature.label, project.owner_unit, project.responsible_leader,
            project.contact_person, project.contact_phone) == (CODE, "新建", "马村区妇幼保健院", "王某某", "李某",
                                                               "0391-3568888")
    assert (project.longitude, project.latitude) == (Decimal("113.315246"), Decimal("35.266100"))
    assert _funding(in_app, project.id) == {FundingSource.SPECIAL_BONDS: Decimal("6000.00"),
                                            FundingSource.CENTRAL_BUDGET: Decimal("3000.00")}
    page = _text(client.get(f"/projects/{project.id}"))
    assert f'<dd id="project-code">{CODE}</dd>' in page and "包联领导</dt><dd>王某某" in page
    assert "东经113.315246°，北纬35.266100°" in page
    assert "尚有1,000.00万元未落实资金来源。" in page
    assert re.search(r"<td>地方政府专项债券</td><td class=\"num\">6,000.00</td><td class=\"num\">60.0%</td>", page)
    # the edit form shows the amounts again
    edit = _text(client.get(f"/projects/{project.id}/edit"))
    assert 'name="funding_special_bonds" type="text" value="6000.00"' in edit


@pytest.mark.parametrize(("typed", "kept"), [
    ("(0391)3568888", "0391-3568888"), ("+86 139 1234 5678", "13912345678"), ("139-1234-5678", "13912345678"),
    ("０３９１－３５６８８８８转１２", "0391-3568888-12"), ("0391–3568888", "0391-3568888"), ("03913568888", "03913568888"),
])
def test_phone_numbers_as_people_type_them(client, seeded, in_app, typed, kept):
    assert submit(client, "/projects/new", _form_data(in_app, contact_phone=typed)).status_code == 302
    assert _project(in_app).contact_phone == kept


def test_a_refused_code_is_shown_as_typed(client, seeded, in_app):
    response = submit(client, "/projects/new", _form_data(in_app, project_code="2101 4108 04 01 123456"))
    assert response.status_code == 422 and 'value="2101 4108 04 01 123456"' in _text(response)
    assert "项目代码“2101-4108-04-01-123456”格式不对" in _text(response)


@pytest.mark.parametrize(("overrides", "label", "message"), [
    ({"project_code": "2101-4108-04-01-123456"}, "项目代码", "格式不对，应如2101-410800-04-01-123456"),
    ({"project_code": "项目代码待定"}, "项目代码", "格式不对"),
    ({"contact_phone": "12345"}, "联系电话", "不是手机号或带区号的固定电话"),
    ({"contact_phone": "2391-3568888"}, "联系电话", "不是手机号或带区号的固定电话"),
    ({"longitude": "13.3", "latitude": "35.2"}, "经度", "不在中国境内"),
    ({"longitude": "113.3", "latitude": "-35.2"}, "纬度", "不在中国境内"),
    ({"latitude": ""}, "纬度", "经度和纬度应同时填写"),
    ({"longitude": "东经113度"}, "经度", "不是以度为单位的数字"),
    ({"funding_special_bonds": "-5"}, "地方政府专项债券(万元)", "不能为负数"),
    ({"funding_other": "很多"}, "其他(万元)", "不是数字"),
    ({"funding_bank_loans": "100000001"}, "银行贷款(万元)", "应在0–100,000,000万元之间"),
    ({"nature": "demolish"}, "建设性质", "选择无效"),
    ({"responsible_leader": "王" * 51}, "包联领导", "不能超过50个字"),
])
def test_bad_fields_are_refused_naming_the_field_and_keeping_the_input(client, seeded, in_app, overrides, label,
                                                                       message):
    before = in_app(lambda s: s.scalar(select(func.count()).select_from(Project)))
    response = submit(client, "/projects/new", _form_data(in_app, **overrides))
    text = _text(response)
    assert response.status_code == 422
    assert f"<li>{label}：" in text and message in text
    assert 'value="马村区妇幼保健院"' in text, "what the user typed is shown again"
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Project))) == before


def test_a_project_code_is_unique(client, seeded, in_app):
    assert submit(client, "/projects/new", _form_data(in_app)).status_code == 302
    response = submit(client, "/projects/new", _form_data(in_app, name="另一个项目"))
    assert response.status_code == 422
    assert f"项目代码{CODE}已用于项目“马村区托育综合服务中心”" in _text(response)
    # empty codes are not duplicates of each other
    for name in ("无代码项目一", "无代码项目二"):
        assert submit(client, "/projects/new", _form_data(in_app, name=name, project_code="")).status_code == 302


def test_sources_over_the_planned_investment_are_saved_with_a_warning(client, seeded, in_app):
    response = submit(client, "/projects/new", _form_data(in_app, funding_other="1000.02"))
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "已保存，但资金来源合计10,000.02万元，超过计划投资10,000.00万元0.02万元，请核对。" in page
    assert "资金来源合计超过计划投资0.02万元" in page
    # a fen over is within rounding: no warning
    project = _project(in_app)
    form = _form_data(in_app, funding_other="1000.01", version=str(project.version))
    response = submit(client, f"/projects/{project.id}/edit", form)
    page = _text(client.get(response.headers["Location"]))
    assert "已保存，但" not in page and "请核对" not in page
    assert "资金来源合计超过计划投资0.01万元（1分以内，视为舍入差）。" in page


def test_the_list_filters_by_source_and_the_dashboard_rolls_up(client, seeded, in_app):
    submit(client, "/projects/new", _form_data(in_app))
    submit(client, "/projects/new", _form_data(in_app, name="只有专项债的项目", project_code="",
                                               funding_central_budget="", funding_special_bonds="500"))
    assert sorted(_listed(client.get("/projects/?funding=special_bonds"))) == ["只有专项债的项目", "马村区托育综合服务中心"]
    assert _listed(client.get("/projects/?funding=central_budget")) == ["马村区托育综合服务中心"]
    assert _listed(client.get("/projects/?funding=bank_loans")) == []
    home = _text(client.get("/"))
    assert re.search(r'funding=special_bonds[^>]*>地方政府专项债券</a></td>\s*<td class="num">6,500.00</td>', home)
    # 626,457 万元 of the 13 seeded projects + 10,000 + 10,000; no source exceeds its project
    assert '<th class="num" id="funding-total">646,457.00</th>' in home


def test_oc4ids_carries_code_sources_parties_and_point(client, seeded, in_app):
    submit(client, "/projects/new", _form_data(in_app))
    package = json.loads(client.get("/projects/export.json?funding=special_bonds").data)
    assert oc4ids_errors(package) == []
    (project,) = package["projects"]
    assert project["identifiers"] == [{"id": CODE, "scheme": "CN-TZXM"}]
    breakdown = project["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    assert [(b["description"], b["amount"]["amount"]) for b in breakdown] == [
        ("中央预算内投资", 30_000_000.0), ("地方政府专项债券", 60_000_000.0)]
    assert project["locations"][0]["geometry"] == {"type": "Point", "coordinates": [113.315246, 35.2661]}
    assert [(p["name"], p["roles"]) for p in project["parties"]] == [
        ("马村区妇幼保健院", ["publicAuthority"]), ("马村区卫健委", ["administrativeEntity"])]
    assert project["parties"][0]["contactPoint"] == {"name": "李某", "telephone": "0391-3568888"}
    assert project["publicAuthority"]["name"] == "马村区妇幼保健院"


def _audit_changes(in_app, project_id: int) -> list[dict]:
    return in_app(lambda s: [json.loads(entry.changes) for entry in s.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "projects", AuditEntry.record_id == project_id,
                                 AuditEntry.action == "update").order_by(AuditEntry.id))])


def test_archive_and_restore(client, seeded, in_app):
    project = _project(in_app, "孟州市全民健身中心")
    url = f"/projects/{project.id}/archive"
    refused = submit(client, url, {"reason": "   ", "version": str(project.version)})
    assert refused.status_code == 422 and "请填写归档原因" in _text(refused)
    done = submit(client, url, {"reason": "已并入市全民健身中心项目", "version": str(project.version)})
    assert done.status_code == 302
    page = _text(client.get(done.headers["Location"]))
    assert "已归档项目“孟州市全民健身中心”" in page and "原因：已并入市全民健身中心项目" in page
    assert ">编辑</a>" not in page and ">归档</a>" not in page and ">恢复</button>" in page
    # out of the list, the totals, the dashboard and the report; listed when asked for
    listed = client.get("/projects/")
    assert "孟州市全民健身中心" not in _listed(listed) and "共 <strong>12</strong> 个项目" in _text(listed)
    assert _listed(client.get("/projects/?archive=archived")) == ["孟州市全民健身中心"]
    assert len(_listed(client.get("/projects/?archive=all"))) == 13
    assert '<strong id="kpi-count">12</strong>' in _text(client.get("/"))
    # read only while archived; archiving again says it is done already
    assert client.get(f"/projects/{project.id}/edit").status_code == 302
    again = client.get(url, follow_redirects=True)
    assert "无需再次归档" in _text(again)
    assert client.get(f"/projects/{project.id}/progress/new").status_code == 403
    restored = submit(client, f"/projects/{project.id}/restore", {}, form_url=f"/projects/{project.id}")
    assert "已恢复项目“孟州市全民健身中心”" in _text(client.get(restored.headers["Location"]))
    assert len(_listed(client.get("/projects/"))) == 13
    changes = _audit_changes(in_app, project.id)
    assert changes[-2]["archive_reason"][1] == "已并入市全民健身中心项目" and changes[-1]["archived_on"][1] is None


def test_delete_only_by_an_administrator_and_only_with_nothing_recorded(app, client, seeded, in_app, make_user):
    project = _project(in_app, "孟州市全民健身中心")
    in_app(lambda s: s.add(ProgressReport(project_id=project.id, year=2025, quarter=1,
                                          cumulative_investment=Decimal(10), quarter_investment=Decimal(10),
                                          physical_progress=Decimal(1))) or s.commit())
    refused = client.get(f"/projects/{project.id}/delete", follow_redirects=True)
    assert "已有季度进展1份，不能删除，只能归档" in _text(refused)
    assert f'/projects/{project.id}/delete">删除</a>' not in _text(client.get(f"/projects/{project.id}"))
    empty = _project(in_app, "焦作市业余篮球学校改建项目")
    assert f'/projects/{empty.id}/delete">删除</a>' in _text(client.get(f"/projects/{empty.id}"))
    city = app.test_client()
    login(city, make_user("city-staff", Role.CITY))
    assert city.get(f"/projects/{empty.id}/delete").status_code == 403
    city_page = _text(city.get(f"/projects/{empty.id}"))
    assert f'/projects/{empty.id}/delete">删除</a>' not in city_page and ">归档</a>" in city_page
    response = submit(client, f"/projects/{empty.id}/delete", {})
    assert response.status_code == 302 and _project(in_app, "焦作市业余篮球学校改建项目") is None
    assert in_app(lambda s: s.scalar(select(AuditEntry.action).where(AuditEntry.table_name == "projects",
                                                                     AuditEntry.record_id == empty.id)
                                     .order_by(AuditEntry.id.desc()).limit(1))) == "delete"


def test_an_archived_project_owes_no_progress_and_its_reports_are_not_reviewed(session, seeded):
    today = date(2026, 11, 23)
    project = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
    project.end_year = 2027  # under way in 2026 Q3, so it owes progress
    report = ProgressReport(project=project, year=2026, quarter=3, cumulative_investment=Decimal(10),
                            quarter_investment=Decimal(10), physical_progress=Decimal(1),
                            review_state=ReviewState.SUBMITTED)
    session.add(report)
    session.flush()
    before = quarter_round(session, 2026, 3, today, 5).total.expected
    assert project.id in {entry.project.id for entry in round_entries(session, 2026, 3, today)}
    project.archived_on, project.archive_reason = today, "测试"
    session.flush()
    assert quarter_round(session, 2026, 3, today, 5).total.expected == before - 1
    assert project.id not in {entry.project.id for entry in round_entries(session, 2026, 3, today)}
    assert review_refusals([report], ReviewAction.APPROVE) == ["孟州市全民健身中心已归档，不能审核通过其进展"]


def test_archiving_is_judged_as_of_the_date(session, seeded):
    """A report made again for a quarter before the project was archived still counts it; problems
    of projects archived by the end of the ledger's window leave its figures and the report's alike."""
    project = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
    add_problem(session, project, raised_on=date(2026, 10, 10))
    now = date(2026, 11, 23)

    def q3():
        return build_quarterly_report(session, 2026, 3, ReportFilters(), "测试", datetime(2026, 11, 23), now)

    before = q3()
    project.archived_on, project.archive_reason = now, "测试"
    session.flush()
    after = q3()
    assert after.total.count == before.total.count == 13
    ledger = problem_figures(session, *round_window(2026, 3, now))
    assert after.problems.total.raised == ledger.total.raised == before.problems.total.raised - 1
    q4 = build_quarterly_report(session, 2026, 4, ReportFilters(), "测试", datetime(2026, 11, 23), now)
    assert q4.total.count == 12


def test_an_archived_projects_problems_are_read_only(client, seeded, in_app):
    def archive_with_a_problem(session):
        project = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
        problem = add_problem(session, project, raised_on=date(2026, 10, 10))
        project.archived_on, project.archive_reason = date(2026, 11, 1), "测试"
        session.commit()
        return problem.id

    problem_id = in_app(archive_with_a_problem)
    response = submit(client, f"/problems/{problem_id}/update", {"body": "已协调", "state": "coordinating"},
                      form_url="/projects/new")
    assert response.status_code == 403
    assert "已协调" not in _text(client.get(f"/problems/{problem_id}"))
    assert "孟州市全民健身中心" not in _text(client.get("/problems/"))


def test_an_issued_report_keeps_its_funding_table(session, seeded):
    project = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
    report = build_quarterly_report(session, 2026, 3, ReportFilters(), "测试", datetime(2026, 11, 23), date(2026, 11, 23))
    figures = report_figures(report)
    assert figures["资金来源·未落实资金来源"] == "626,457.00" and figures["资金来源·合计"] == "626,457.00"
    project.funding = [ProjectFunding(source=FundingSource.SPECIAL_BONDS, amount=Decimal(1000))]
    session.flush()
    again = report_figures(build_quarterly_report(session, 2026, 3, ReportFilters(), "测试", datetime(2026, 11, 23),
                                                  date(2026, 11, 23)))
    assert again["资金来源·地方政府专项债券"] == "1,000.00" and again["资金来源·未落实资金来源"] == "625,457.00"


def test_archiving_a_project_changed_meanwhile_keeps_the_reason(client, seeded, in_app):
    project = _project(in_app, "孟州市全民健身中心")
    response = submit(client, f"/projects/{project.id}/archive", {"reason": "规划调整", "version": "0"})
    assert response.status_code == 409
    assert "规划调整</textarea>" in _text(response) and 'id="conflict"' in _text(response)
    assert _project(in_app, "孟州市全民健身中心").archived_on is None


def test_a_name_taken_by_an_archived_project_says_so(client, seeded, in_app):
    project = _project(in_app, "孟州市全民健身中心")
    submit(client, f"/projects/{project.id}/archive", {"reason": "规划调整", "version": str(project.version)})
    response = submit(client, "/projects/new", _form_data(in_app, name="孟州市全民健身中心"))
    assert response.status_code == 422 and "（已归档，可在项目库中按“已归档项目”查看并恢复）" in _text(response)
