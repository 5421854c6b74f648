"""Whatever arrives — a form, a file, a query string, many requests at once — the answer is a page
in Chinese, never a 500 (under TESTING an exception would fail the test), and nothing is written
when the input is refused. Property-based: Hypothesis generates thousands of values."""
import threading
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.core.audit import AuditEntry
from portfolio.cycle.models import Reminder
from portfolio.imports import uploads
from portfolio.indicators.models import IndicatorValue, PlanIndicator
from portfolio.messages.models import Message
from portfolio.problems.models import Problem, SupervisionNotice
from portfolio.programmes.models import ProgrammeTask, TaskProgress, task_projects
from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport, ReviewState
from portfolio.registry.models import Project
from tests.factories import PASSWORD, csrf_token, csv_bytes, form_fields, login, xlsx_bytes

FUZZ = settings(max_examples=250, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40), st.sampled_from(["1e309", "1e30", "9" * 25, " ", "\r\n", "2026²", "①", "-0", "NaN",
                                           "=HYPERLINK(\"http://evil\")", "\x00\x01", "9999999999999999999999",
                                           "１２３", "1,000.005", "0x10", "" "<script>", "' OR 1=1 --"]),
    st.integers(min_value=-10**30, max_value=10**30).map(str), st.decimals(allow_nan=True).map(str),
)
NAME = "山阳区黄龙山体育公园项目"


def _once(client, url: str, read=csrf_token):
    """What a fuzzed test reads from a page (its CSRF token, or with `read=fields` its form's fields), fetched
    once per test: Hypothesis runs every example with the same logged-in client, whose token stays valid."""
    pages = client.__dict__.setdefault("fuzzed_pages", {})
    if (url, read) not in pages:
        pages[url, read] = read(client, url)
    return pages[url, read]


def fields(client, url: str) -> dict[str, str]:
    return form_fields(client.get(url).get_data(as_text=True))


def _no_pending_uploads(app) -> None:
    """Each generated file is a fresh upload (a preview that could be confirmed stays pending, capped per account)."""
    for waiting in uploads.folder(app.instance_path).iterdir():
        waiting.unlink()


def _counts(in_app) -> tuple:
    return in_app(lambda s: tuple(s.scalar(select(func.count()).select_from(model))
                                  for model in (Project, ProgressReport, AuditEntry)))


@given(field=st.sampled_from(["name", "planned_investment", "start_year", "end_year", "site", "content",
                              "responsible_unit", "region_id", "plan_id", "sector", "status", "programme_id",
                              "project_code", "nature", "owner_unit", "responsible_leader", "contact_person",
                              "contact_phone", "longitude", "latitude", "funding_special_bonds", "funding_other"]),
       value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_project_form(client, seeded, in_app, field, value):
    form = _once(client, "/projects/new", fields)
    valid = form | {"name": "模糊测试项目", "planned_investment": "100", "start_year": "2025", "end_year": "2026"}
    before = _counts(in_app)
    response = client.post("/projects/new", data=valid | {field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _counts(in_app) == before, "nothing written on refusal"
    else:
        in_app(lambda s: [s.delete(p) for p in s.scalars(select(Project).where(Project.name.like("模糊测试项目%")))]
               and s.commit())


@given(field=st.sampled_from(["year", "quarter", "cumulative_investment", "quarter_investment", "physical_progress",
                              "works_status", "problems", "next_steps"]),
       value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_progress_form(client, seeded, in_app, field, value):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    url = f"/projects/{project_id}/progress/new"
    valid = {"year": "2025", "quarter": "4", "cumulative_investment": "100", "quarter_investment": "100",
             "physical_progress": "10", "works_status": "", "problems": "", "next_steps": ""}
    before = _counts(in_app)
    response = client.post(url, data={"csrf_token": _once(client, url), **valid, field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _counts(in_app) == before, "nothing written on refusal"
    else:
        in_app(lambda s: s.execute(ProgressReport.__table__.delete()) and s.commit())


@given(cells=st.lists(HOSTILE_TEXT, min_size=6, max_size=6))
@FUZZ
def test_fuzz_the_project_table_import(app, client, seeded, in_app, cells):
    _no_pending_uploads(app)
    plan_id = in_app(lambda s: s.scalar(select(Project.plan_id).where(Project.name == NAME)))
    data = csv_bytes([cells])  # CSV carries any character; openpyxl would refuse to write some
    token = _once(client, "/imports/")
    response = client.post("/imports/projects", content_type="multipart/form-data", data={
        "projects-csrf_token": token, "projects-plan": str(plan_id), "projects-file": (BytesIO(data), "表.csv")})
    assert response.status_code in (200, 422), (cells, response.status_code)


@given(figures=st.lists(HOSTILE_TEXT, min_size=5, max_size=5))
@FUZZ
def test_fuzz_the_progress_import(app, client, seeded, in_app, figures):
    _no_pending_uploads(app)
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    header = ["项目编号", "项目名称", "年份", "季度", "累计完成投资(万元)", "本季度完成投资(万元)", "工程进度(%)"]
    data = csv_bytes([[str(project_id), NAME, *figures]], header=header)
    before = _counts(in_app)
    response = client.post("/imports/progress", content_type="multipart/form-data", data={
        "progress-csrf_token": _once(client, "/imports/"), "progress-file": (BytesIO(data), "进展.csv")})
    assert response.status_code in (200, 422), (figures, response.status_code)
    assert _counts(in_app) == before, "a preview writes nothing"


@given(field=st.sampled_from(["year", "planned_investment"]), value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_annual_plan_form(client, seeded, in_app, field, value):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    before = in_app(lambda s: s.scalar(select(func.count()).select_from(AnnualPlan)))
    response = client.post(f"/projects/{project_id}/annual-plans", data={
        "csrf_token": _once(client, f"/projects/{project_id}"), "year": "2026", "planned_investment": "10",
        field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert in_app(lambda s: s.scalar(select(func.count()).select_from(AnnualPlan))) == before
    in_app(lambda s: s.execute(AnnualPlan.__table__.delete()) and s.commit())


@given(kind=st.sampled_from([kind.value for kind in MilestoneKind]),
       part=st.sampled_from(["planned_date", "actual_date", "note"]),
       value=st.one_of(HOSTILE_TEXT, st.dates().map(str)))
@FUZZ
def test_fuzz_the_milestones_form(client, seeded, in_app, kind, part, value):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    url = f"/projects/{project_id}/milestones"
    before = in_app(lambda s: s.scalar(select(func.count()).select_from(Milestone)))
    response = client.post(url, data={"csrf_token": _once(client, url), f"{kind}-{part}": value})
    assert response.status_code in (302, 422), (kind, part, value, response.status_code)
    if response.status_code != 302:
        assert in_app(lambda s: s.scalar(select(func.count()).select_from(Milestone))) == before
    in_app(lambda s: s.execute(Milestone.__table__.delete()) and s.commit())


@pytest.mark.parametrize("query", [
    "/projects/?page=9999999999999999999999", "/projects/?region=9999999999999999999999&year=99999",
    "/reviews/?year=9999999999999999999999&quarter=7&region=9999999999999999999999",
    "/admin/audit?page=9999999999999999999999", "/projects/99999999999999999999999",
    "/projects/?as_of=9999-99-99&light=purple", "/reports/?year=99999999999999999&quarter=1",
    "/projects/?as_of=0001-01-01", "/?as_of=0001-01-01", "/projects/1?as_of=0001-01-01",
    "/projects/export.xlsx?as_of=0001-01-01", "/projects/?as_of=9999-12-31", "/?as_of=9999-12-31",
])
def test_absurd_query_parameters_are_answered_not_crashed(client, seeded, query):
    assert client.get(query).status_code in (200, 404, 422)


def test_a_county_cannot_change_an_approved_report_through_the_import(app, client, seeded, in_app, make_user):
    project_id, region_id = in_app(lambda s: s.execute(select(Project.id, Project.region_id)
                                                       .where(Project.name == NAME)).one())

    def approved(s):
        s.add(ProgressReport(project_id=project_id, year=2025, quarter=4, cumulative_investment=Decimal(100),
                             quarter_investment=Decimal(100), physical_progress=Decimal(10),
                             review_state=ReviewState.APPROVED))
        s.commit()
    in_app(approved)
    county = app.test_client()
    login(county, make_user("county-test", Role.COUNTY, "山阳区"))
    header = ["项目编号", "项目名称", "年份", "季度", "累计完成投资(万元)", "本季度完成投资(万元)", "工程进度(%)"]
    data = xlsx_bytes([[str(project_id), NAME, 2025, 4, "999", "999", "50"]], header=header)
    response = county.post("/imports/progress", content_type="multipart/form-data", data={
        "progress-csrf_token": csrf_token(county, "/imports/"), "progress-file": (BytesIO(data), "进展.xlsx")})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "已审核，已锁定" in text and "确认导入" not in text
    assert in_app(lambda s: s.scalar(select(ProgressReport.cumulative_investment))) == Decimal(100)


def test_rows_of_one_project_in_one_file_are_checked_together(client, seeded, in_app):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    header = ["项目编号", "项目名称", "年份", "季度", "累计完成投资(万元)", "本季度完成投资(万元)", "工程进度(%)"]
    data = xlsx_bytes([[str(project_id), NAME, 2025, 3, "1004999", "1004999", "10"],
                       [str(project_id), NAME, 2025, 4, "1000000", "", "12"]], header=header)
    response = client.post("/imports/progress", content_type="multipart/form-data", data={
        "progress-csrf_token": csrf_token(client, "/imports/"), "progress-file": (BytesIO(data), "进展.xlsx")})
    assert "累计投资不能减少" in response.get_data(as_text=True) and "确认导入" not in response.get_data(as_text=True)


def test_control_characters_are_refused_and_spreadsheets_keep_text_as_text(client, seeded, in_app):
    form = form_fields(client.get("/projects/new").get_data(as_text=True))
    refused = client.post("/projects/new", data=form | {"name": "坏\x00名字", "planned_investment": "1",
                                                         "start_year": "2025", "end_year": "2025"})
    assert refused.status_code == 422 and "控制字符" in refused.get_data(as_text=True)
    in_app(lambda s: (setattr(s.scalar(select(Project).where(Project.name == NAME)), "name",
                              "  =HYPERLINK(\"http://evil.invalid\",\"x\")\x0b"), s.commit()))
    region_id = in_app(lambda s: s.scalar(select(Project.region_id).where(Project.name.like("%HYPERLINK%"))))
    template = client.get(f"/imports/progress-template.xlsx?template-region={region_id}&template-year=2026"
                          f"&template-quarter=3")
    assert template.status_code == 200
    sheet = load_workbook(BytesIO(template.data)).active
    cell = next(c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and "\x0b" not in cell.value
    assert client.get("/projects/export.xlsx").status_code == 200
    csv_text = client.get("/projects/export.csv").data.decode("utf-8-sig")
    assert "'  =HYPERLINK" in csv_text


def test_parallel_wrong_passwords_check_at_most_the_limit(app, make_user, committed, clean_db, monkeypatch):
    """Sixty tries at once from one address, each from its own thread and connection: at most
    LOGIN_LOCK_AFTER passwords are checked, the rest are refused as locked, and that address ends
    locked out of the account."""
    from portfolio.accounts import auth_views

    username = make_user("victim", Role.CITY)
    checked = []
    real_verify = auth_views.verify_password

    def counting(password_hash, password):
        checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth_views, "verify_password", counting)
    app.config["LOGIN_ADDRESS_LIMIT"] = 1000
    statuses = []
    try:
        def attempt():
            client = app.test_client()
            statuses.append(client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                                        "username": username, "password": "wrong-password-1"}).status_code)
        workers = [threading.Thread(target=attempt) for _ in range(60)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = 20
    assert len(checked) <= app.config["LOGIN_LOCK_AFTER"], len(checked)
    assert statuses.count(401) == len(checked) and statuses.count(429) == 60 - len(checked)
    with app.app_context():
        from portfolio.accounts.models import LoginThrottle
        from portfolio.core.db import db
        assert db.session.scalar(select(LoginThrottle.locked_until_dt).where(LoginThrottle.username == username))
    ok = app.test_client()
    response = ok.post("/login", data={"csrf_token": csrf_token(ok, "/login"), "username": username,
                                       "password": PASSWORD})
    assert response.status_code == 429, "locked even for the right password until the lock ends"


def _problem_counts(in_app) -> tuple:
    return in_app(lambda s: tuple(s.scalar(select(func.count()).select_from(model))
                                  for model in (Problem, SupervisionNotice, Reminder, Message, AuditEntry)))


@given(field=st.sampled_from(["kind", "description", "responsible_units", "deadline"]), value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_problem_form(client, seeded, in_app, field, value):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    url = f"/problems/new?project={project_id}"
    valid = _once(client, url, fields) | {
        "kind": "land", "description": "用地指标未落实", "responsible_units": "市自然资源和规划局", "deadline": ""}
    before = _problem_counts(in_app)
    response = client.post(url, data=valid | {field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _problem_counts(in_app) == before, "nothing written on refusal"


@given(field=st.sampled_from(["region_id", "unit", "reply_deadline", "requirement", "problem_ids"]),
       value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_notice_form(client, seeded, in_app, field, value):
    if not in_app(lambda s: s.scalar(select(func.count()).select_from(Problem))):
        project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
        url = f"/problems/new?project={project_id}"
        client.post(url, data=_once(client, url, fields) | {
            "kind": "land", "description": "用地指标未落实", "responsible_units": "市自然资源和规划局"})
    problem_id, region_id = in_app(lambda s: s.execute(select(Problem.id, Project.region_id).join(Problem.project)).first())
    valid = fields(client, "/problems/notices/new") | {  # fresh each time: the form's one-time token
        "problem_ids": str(problem_id), "region_id": str(region_id), "unit": "", "requirement": "请报告进展",
        "reply_deadline": (date.today() + timedelta(days=7)).isoformat()}
    before = _problem_counts(in_app)
    response = client.post("/problems/notices/new", data=valid | {field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _problem_counts(in_app) == before, "nothing written on refusal"


@given(field=st.sampled_from(["which", "region", "note", "year", "quarter", "confirmed"]), value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_reminder_and_review_posts(client, seeded, in_app, field, value):
    token = _once(client, "/round/")
    base = {"csrf_token": token, "which": "late", "note": "请尽快报送", "confirmed": "y"}
    response = client.post("/round/remind", data=base | {field: value})
    assert response.status_code in (200, 302, 422), (field, value, response.status_code)
    review = {"csrf_token": token, "action": "approve", "report": "1", "seen": "1:1", "comment": "意见",
              "confirmed": "y"}
    review_field = {"which": "action", "region": "report", "note": "comment", "confirmed": "seen"}.get(field, field)
    response = client.post("/reviews/act", data=review | {review_field: value})
    assert response.status_code in (200, 302, 400, 409, 422), (review_field, value, response.status_code)


def _plan_monitoring_counts(in_app) -> tuple:
    return in_app(lambda s: tuple(s.scalar(select(func.count()).select_from(model))
                                  for model in (IndicatorValue, TaskProgress, task_projects)))


@given(field=st.sampled_from(["year", "value", "source"]), value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_indicator_value_form(client, seeded, in_app, field, value):
    indicator_id = in_app(lambda s: s.scalar(select(PlanIndicator.id).where(PlanIndicator.name == "人均预期寿命(岁)")))
    url = f"/indicators/{indicator_id}"
    valid = _once(client, url, fields) | {"year": "2024", "value": "79.1", "source": "统计公报"}
    before = _plan_monitoring_counts(in_app)
    response = client.post(url, data=valid | {field: value})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _plan_monitoring_counts(in_app) == before, "nothing written on refusal"


@given(field=st.sampled_from(["recorded_on", "quantity", "note", "project_id"]), value=HOSTILE_TEXT)
@FUZZ
def test_fuzz_the_task_forms(client, seeded, in_app, field, value):
    task = in_app(lambda s: s.scalar(select(ProgrammeTask).where(ProgrammeTask.text == "1所普通高中学校")))
    page = f"/programmes/{task.programme_id}"
    token = _once(client, page)
    before = _plan_monitoring_counts(in_app)
    if field == "project_id":
        response = client.post(f"{page}/tasks/{task.id}/projects",
                               data={"csrf_token": token, f"t{task.id}l-project_id": value})
    else:
        valid = {"recorded_on": "2025-06-30", "quantity": "1", "note": ""} | {field: value}
        response = client.post(f"{page}/tasks/{task.id}/progress",
                               data={"csrf_token": token, **{f"t{task.id}p-{k}": v for k, v in valid.items()}})
    assert response.status_code in (302, 422), (field, value, response.status_code)
    if response.status_code != 302:
        assert _plan_monitoring_counts(in_app) == before, "nothing written on refusal"
