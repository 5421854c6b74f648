"""Every role against every route, on its own region's project and another's: 200, 302/403, or login.
Review actions and uploads included; where a route writes, the write happens exactly when it is allowed."""
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.imports.progress_templates import progress_template
from portfolio.problems.models import Problem
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Plan, Project, Region
from tests.factories import appendix_rows, csrf_token, login, xlsx_bytes

OWN, OTHER = "山阳区黄龙山体育公园项目", "孟州市全民健身中心"
OWN_REGION, OTHER_REGION = "山阳区", "孟州市"
ROLES = ["anonymous", "viewer", "county", "city", "admin"]
EVERYONE = {"viewer", "county", "city", "admin"}
EDITORS = {"city", "admin"}
PROGRESS_WRITERS = {"city", "admin", "county-own"}
"""Also who raises a problem (登记问题) on a project."""
REVIEWERS = {"city", "admin"}
SUBMITTERS = {"city", "admin", "county-own"}
"""A county submits its own region's quarter only."""
PROGRESS_IMPORTERS = {"city", "admin", "county"}
"""Everyone but viewers uploads progress (a county only its own region's rows); project tables: EDITORS."""
IMPORT_PLAN = "焦作市权限测试规划"

# (method, url template, who may, success code); {id} is a project, {report} a progress report of that project,
# {region} (in POST_DATA) that project's region: all on the user's own region, or another's
CASES = [
    ("GET", "/", EVERYONE, 200),
    ("GET", "/projects/", EVERYONE, 200),
    ("GET", "/projects/{id}", EVERYONE, 200),
    ("GET", "/projects/export.xlsx", EVERYONE, 200),
    ("GET", "/reports/", EVERYONE, 200),
    ("GET", "/reports/quarterly.pdf?year=2026&quarter=1", EVERYONE, 200),
    ("GET", "/imports/", EVERYONE, 200),
    ("GET", "/reviews/", EVERYONE, 200),
    ("GET", "/projects/new", EDITORS, 200),
    ("GET", "/projects/{id}/edit", EDITORS, 200),
    ("GET", "/projects/{id}/archive", EDITORS, 200),
    ("GET", "/projects/{id}/delete", {"admin"}, 200),
    ("POST", "/projects/{id}/delete", {"admin"}, 302),
    ("GET", "/projects/{id}/progress/new", PROGRESS_WRITERS, 200),
    ("POST", "/projects/{id}/progress/new", PROGRESS_WRITERS, 302),
    ("GET", "/projects/{id}/milestones", PROGRESS_WRITERS, 200),
    ("POST", "/projects/{id}/annual-plans", PROGRESS_WRITERS, 302),
    ("POST", "/reviews/submit", SUBMITTERS, 302),
    ("POST", "/reviews/act?only={report}&case=approve", REVIEWERS, 302),
    ("POST", "/reviews/act?only={report}&case=return", REVIEWERS, 302),
    ("POST", "/reviews/act?only={report}&case=reopen", REVIEWERS, 302),
    ("POST", "/imports/projects", EDITORS, 200),
    ("POST", "/imports/projects/confirm", EDITORS, 302),
    ("POST", "/imports/progress", PROGRESS_IMPORTERS, 200),
    ("POST", "/imports/progress/confirm", PROGRESS_IMPORTERS, 302),
    ("GET", "/messages/", EVERYONE, 200),
    ("POST", "/round/remind", EDITORS, 200),
    ("POST", "/round/retry", EDITORS, 302),
    ("GET", "/problems/", EVERYONE, 200),
    ("GET", "/problems/export.xlsx", EVERYONE, 200),
    ("GET", "/problems/notices/", EVERYONE, 200),
    ("GET", "/problems/notices/new", EDITORS, 200),
    ("GET", "/problems/new?project={id}", PROGRESS_WRITERS, 200),
    ("POST", "/problems/new?project={id}", PROGRESS_WRITERS, 302),
    ("GET", "/indicators/", EVERYONE, 200),
    ("GET", "/indicators/monitoring.xlsx", EVERYONE, 200),
    ("GET", "/programmes/", EVERYONE, 200),
    ("GET", "/admin/users", {"admin"}, 200),
    ("GET", "/admin/audit", {"admin"}, 200),
]
POST_DATA = {
    "/projects/{id}/progress/new": {"year": "2025", "quarter": "4", "cumulative_investment": "100",
                                    "quarter_investment": "100", "physical_progress": "10"},
    "/projects/{id}/annual-plans": {"year": "2026", "planned_investment": "500"},
    "/projects/{id}/delete": {},
    "/round/remind": {"which": "late"},
    "/round/retry": {},
    "/problems/new?project={id}": {"kind": "land", "description": "用地指标未落实", "responsible_units": "市自然资源和规划局"},
    "/reviews/submit": {"region": "{region}", "year": "2026", "quarter": "1"},
    # the confirmed step of each review action (`seen`: the version the confirmation showed)
    "/reviews/act?only={report}&case=approve": {"action": "approve", "confirmed": "y", "seen": "{report}:1"},
    "/reviews/act?only={report}&case=return": {"action": "return", "confirmed": "y", "seen": "{report}:1",
                                               "comment": "请补充形象进度"},
    "/reviews/act?only={report}&case=reopen": {"action": "reopen", "confirmed": "y", "seen": "{report}:1"},
}
REVIEW_STATES = {
    # url: (the report's state before, its state after an allowed request)
    "/reviews/submit": (ReviewState.DRAFT, ReviewState.SUBMITTED),
    "/reviews/act?only={report}&case=approve": (ReviewState.SUBMITTED, ReviewState.APPROVED),
    "/reviews/act?only={report}&case=return": (ReviewState.SUBMITTED, ReviewState.RETURNED),
    "/reviews/act?only={report}&case=reopen": (ReviewState.APPROVED, ReviewState.RETURNED),
}
PLACED = ("{id}", "{report}", "/reviews/submit")
"""Routes about one project or region: tried on the user's own region and on another's."""


def _expected(role: str, allowed: set[str], success: int, own: bool) -> int:
    if role == "anonymous":
        return 302
    own_county = role == "county" and own and "county-own" in allowed
    return success if role in allowed or own_county else 403


MATRIX = [
    pytest.param(role, method, url, allowed, success, own,
                 id=f"{role}-{method} {url}" + ("" if not any(p in url for p in PLACED) else "-own" if own else "-other"))
    for method, url, allowed, success in CASES
    for role in ROLES
    for own in ((True, False) if any(p in url for p in PLACED) else (True,))
]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _add_report(session, project_name: str, state: ReviewState) -> int:
    project = session.scalar(select(Project).where(Project.name == project_name))
    report = ProgressReport(project=project, year=2026, quarter=1, cumulative_investment=Decimal("100"),
                            quarter_investment=Decimal("100"), physical_progress=Decimal("10"), review_state=state)
    session.add(report)
    session.flush()
    session.commit()
    return report.id


def _review_state(session, report_id: int) -> ReviewState:
    return session.get(ProgressReport, report_id).review_state


def _import_plan(session) -> int:
    plan = Plan(title=IMPORT_PLAN, city="焦作市", start_year=2021, end_year=2025)
    session.add(plan)
    session.commit()
    return plan.id


def _projects_in(session, plan_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Project).where(Project.plan_id == plan_id))


def _progress_file(session) -> bytes:
    """The own region's template for 2026 Q3 with its first project's figures filled in."""
    region = session.scalar(select(Region).where(Region.name == OWN_REGION))
    workbook = load_workbook(BytesIO(progress_template(session, region, 2026, 3)))
    sheet = workbook.active
    sheet["I3"], sheet["J3"], sheet["K3"] = 1000, 200, 30  # row 1 the title, row 2 the header
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, kind: str, data: bytes, token: str, plan_id: int | None):
    fields = {f"{kind}-csrf_token": token, f"{kind}-file": (BytesIO(data), "上传.xlsx")}
    if kind == "projects":
        fields["projects-plan"] = str(plan_id)
    return client.post(f"/imports/{kind}", data=fields, content_type="multipart/form-data")


def _confirm_fields(preview) -> dict[str, str]:
    """What the preview's confirm form sends back: the stored upload's token."""
    assert preview.status_code == 200 and "确认导入" in _text(preview), _text(preview)
    hidden = dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', _text(preview)))
    return {"token": hidden["token"]}


@pytest.mark.parametrize(("role", "method", "url", "allowed", "success", "own"), MATRIX)
def test_role_route_matrix(app, seeded, make_user, in_app, role, method, url, allowed, success, own):
    client = app.test_client()
    project_name = OWN if own else OTHER
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == project_name)))
    region_id = in_app(lambda s: s.scalar(select(Project.region_id).where(Project.id == project_id)))
    report_id = None
    if url in REVIEW_STATES:
        report_id = in_app(lambda s: _add_report(s, project_name, REVIEW_STATES[url][0]))
    plan_id = in_app(_import_plan) if url.startswith("/imports/projects") else None
    upload = None
    if url.startswith("/imports/") and method == "POST":
        kind = url.split("/")[2]
        upload = xlsx_bytes(appendix_rows()) if kind == "projects" else in_app(_progress_file)
    if role != "anonymous":
        username = make_user(f"{role}-user", Role(role), OWN_REGION if role == "county" else None)
        assert login(client, username).status_code == 302
    confirm = None
    if url.endswith("/confirm"):
        # an upload to confirm: the role's own when it may upload (an upload is its uploader's only),
        # else one stored by an administrator, which this role must not be able to apply
        uploader = client if role in allowed else app.test_client()
        if uploader is not client:
            assert login(uploader, make_user("uploader", Role.ADMIN)).status_code == 302
        confirm = _confirm_fields(_upload(uploader, kind, upload, csrf_token(uploader, "/imports/"), plan_id))
    target = url.format(id=project_id, report=report_id)
    token = csrf_token(client, f"/projects/{project_id}" if role != "anonymous" else "/login")
    if method == "GET":
        response = client.get(target)
    elif confirm is not None:
        response = client.post(target, data={"csrf_token": token, **confirm})
    elif upload is not None:
        response = _upload(client, kind, upload, token, plan_id)
    else:
        data = {key: value.format(region=region_id, report=report_id) for key, value in POST_DATA[url].items()}
        data["csrf_token"] = token if role != "anonymous" else ""
        response = client.post(target, data=data)
    expected = _expected(role, allowed, success, own)
    assert response.status_code == expected, (role, method, target, response.status_code)
    if expected == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")
    if expected == 403:
        assert "没有权限" in _text(response)
    done = expected == success and role != "anonymous"

    if url in REVIEW_STATES:
        before, after = REVIEW_STATES[url]
        assert in_app(lambda s: _review_state(s, report_id)) is (after if done else before)
    if url == "/imports/projects" and done:
        assert re.search(r"新增 <strong>13</strong>", _text(response)) and "确认导入" in _text(response)
    if url == "/imports/projects/confirm":
        assert in_app(lambda s: _projects_in(s, plan_id)) == (13 if done else 0)
    if url == "/imports/progress" and done:
        assert re.search(r"新增 <strong>1</strong>", _text(response)) and "确认导入" in _text(response)
    if url == "/problems/new?project={id}" and method == "POST":
        assert in_app(lambda s: s.scalar(select(func.count(Problem.id)))) == (1 if done else 0)
    if url == "/imports/progress/confirm":
        stored = in_app(lambda s: s.scalar(select(func.count()).select_from(ProgressReport)
                                           .where(ProgressReport.year == 2026, ProgressReport.quarter == 3)))
        assert stored == (1 if done else 0)
