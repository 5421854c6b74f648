"""Every role against every route, on its own region's project and another's: 200, 302/403, or login."""
import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.registry.models import Project
from tests.conftest import csrf_token, login

OWN, OTHER = "山阳区黄龙山体育公园项目", "孟州市全民健身中心"
ROLES = ["anonymous", "viewer", "county", "city", "admin"]
EVERYONE = {"viewer", "county", "city", "admin"}
EDITORS = {"city", "admin"}
PROGRESS_WRITERS = {"city", "admin", "county-own"}

# (method, url template, who may, success code)
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
    ("GET", "/projects/{id}/delete", EDITORS, 200),
    ("POST", "/projects/{id}/delete", EDITORS, 302),
    ("GET", "/projects/{id}/progress/new", PROGRESS_WRITERS, 200),
    ("POST", "/projects/{id}/progress/new", PROGRESS_WRITERS, 302),
    ("GET", "/projects/{id}/milestones", PROGRESS_WRITERS, 200),
    ("POST", "/projects/{id}/annual-plans", PROGRESS_WRITERS, 302),
    ("GET", "/admin/users", {"admin"}, 200),
    ("GET", "/admin/audit", {"admin"}, 200),
]
POST_DATA = {
    "/projects/{id}/progress/new": {"year": "2025", "quarter": "4", "cumulative_investment": "100",
                                    "quarter_investment": "100", "physical_progress": "10"},
    "/projects/{id}/annual-plans": {"year": "2026", "planned_investment": "500"},
    "/projects/{id}/delete": {},
}


def _expected(role: str, allowed: set[str], success: int, own: bool) -> int:
    if role == "anonymous":
        return 302
    own_county = role == "county" and own and "county-own" in allowed
    return success if role in allowed or own_county else 403


MATRIX = [
    pytest.param(role, method, url, allowed, success, own,
                 id=f"{role}-{method} {url}" + ("" if "{id}" not in url else "-own" if own else "-other"))
    for method, url, allowed, success in CASES
    for role in ROLES
    for own in ((True, False) if "{id}" in url else (True,))
]


@pytest.mark.parametrize(("role", "method", "url", "allowed", "success", "own"), MATRIX)
def test_role_route_matrix(app, seeded, make_user, in_app, role, method, url, allowed, success, own):
    client = app.test_client()
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == (OWN if own else OTHER))))
    if role != "anonymous":
        username = make_user(f"{role}-user", Role(role), "山阳区" if role == "county" else None)
        assert login(client, username).status_code == 302
    target = url.format(id=project_id)
    if method == "GET":
        response = client.get(target)
    else:
        token_page = f"/projects/{project_id}" if role != "anonymous" else "/login"
        data = {key: value for key, value in POST_DATA[url].items()}
        data["csrf_token"] = csrf_token(client, token_page) if role != "anonymous" else ""
        response = client.post(target, data=data)
    expected = _expected(role, allowed, success, own)
    assert response.status_code == expected, (role, method, target, response.status_code)
    if expected == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")
    if expected == 403:
        assert "没有权限" in response.get_data(as_text=True)
