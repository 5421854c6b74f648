"""Every API endpoint × every role × a project of the token's own region and of another's: the
same access as the pages (everyone signed in reads everything; the city and administrators write
every project's progress, a county its own region's, a viewer none), no token → 401, and a refused
write changes nothing."""
import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project

OWN, OTHER = "山阳区黄龙山体育公园项目", "孟州市全民健身中心"
ROLES = ["anonymous", "viewer", "county", "city", "admin"]
READERS = {"viewer", "county", "city", "admin"}
WRITERS = {"city", "admin", "county-own"}
ENDPOINTS = [
    ("GET", "/api/v1/projects", READERS, 200),
    ("GET", "/api/v1/projects?region={region}", READERS, 200),
    ("GET", "/api/v1/projects/{id}", READERS, 200),
    ("GET", "/api/v1/projects/{id}/progress/2026Q2", READERS, 200),
    ("PUT", "/api/v1/projects/{id}/progress/2026Q3", WRITERS, 201),
    ("GET", "/api/v1/figures?region={region}", READERS, 200),
    ("GET", "/api/v1/regions", READERS, 200),
    ("GET", "/api/v1/plans", READERS, 200),
]
USERS = {"viewer": (Role.VIEWER, None), "county": (Role.COUNTY, "山阳区"), "city": (Role.CITY, None),
         "admin": (Role.ADMIN, None)}


@pytest.fixture
def world(api, seeded, make_user, in_app) -> dict:
    """Both projects with a 2026 Q2 report; a token per role."""
    def second_quarter(session):
        ids = {}
        for name in (OWN, OTHER):
            project = session.scalar(select(Project).where(Project.name == name))
            session.add(ProgressReport(project=project, year=2026, quarter=2, cumulative_investment=100,
                                       quarter_investment=100, physical_progress=5))
            session.flush()
            session.flush()
            ids[name] = (project.id, project.region_id)
        session.commit()
        return ids

    projects = in_app(second_quarter)
    tokens = {}
    for username, (role, region) in USERS.items():
        make_user(username, role, region)
        tokens[username] = api.token(username)
    return {"projects": projects, "tokens": tokens}


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "allowed", "success"), ENDPOINTS,
                         ids=[f"{method} {template}" for method, template, _, _ in ENDPOINTS])
def test_endpoint_role_region(api, world, in_app, method, template, allowed, success, role, whose):
    project_id, region_id = world["projects"][OWN if whose == "own" else OTHER]
    url = template.format(id=project_id, region=region_id)
    token = world["tokens"].get(role)
    body = {"cumulative_investment": "160.00", "physical_progress": "9"} if method == "PUT" else None
    answer = api.request(method, url, token, json=body)
    who = f"{role}-own" if role == "county" and whose == "own" else role
    if role == "anonymous":
        expected = 401
    else:
        expected = success if (who in allowed or role in allowed) else 403
    assert answer.status_code == expected, answer.get_json()
    if method == "PUT":
        written = in_app(lambda session: session.scalar(select(ProgressReport.quarter_investment).where(
            ProgressReport.project_id == project_id, ProgressReport.quarter == 3)))
        assert (written is not None) == (expected == 201)
        if written is not None:
            assert f"{written:f}" == "60.00"  # 本季度 filled in as the rise since 2026 Q2, as the form does
