"""A NUL (which PostgreSQL cannot store) or another character no one types, sent to every page's
query string and to every field of every form the app shows, and to the API's JSON: refused with a
Chinese message naming the field, never a 500 (under TESTING an exception fails the test), and no
such character is ever written. Runs on both databases like the whole suite."""
import re
from datetime import date
from io import BytesIO
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import String, Text, select

from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.core.parsing import CONTROL_CHARACTERS
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project
from tests.factories import add_problem, api_token, csrf_token, csv_bytes, post_forms

POISON = "坏\x00\x01\x0b值"
"""A NUL, another control character and a vertical tab (what Word writes for a manual line break)."""
LINK = re.compile(r'href="(/[^"#]*)"')
GET_FORM = re.compile(r'<form(?![^>]*method="post")[^>]*>(.*?)</form>', re.S)
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"')
NOT_PAGES = re.compile(r"\.(pdf|docx|xlsx|csv|json|jpg|png|js|css)(\?|$)|^/(static|media|jobs|api)/|^/logout")
NAME = "山阳区黄龙山体育公园项目"


def _endpoint(app, path: str, method: str = "GET") -> str:
    return app.url_map.bind("localhost").match(path, method=method)[0]


def _pages(app, client, first: str) -> dict[str, str]:
    """Every kind of page an administrator reaches by following links from `first` and the dashboard:
    path → its HTML (the first path of each endpoint; downloads and files left out)."""
    seen: dict[str, str] = {}
    endpoints = set()
    waiting = [first, "/"]
    while waiting:
        url = waiting.pop(0)
        path = urlsplit(url).path
        if NOT_PAGES.search(url) or _endpoint(app, path) in endpoints:
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        endpoints.add(_endpoint(app, path))
        seen[path] = html = response.get_data(as_text=True)
        waiting.extend(link.replace("&amp;", "&") for link in LINK.findall(html))
    return seen


def _stored_control_characters(session) -> list[tuple[str, str]]:
    """(table.column, value) of every stored text holding a control character."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for value in session.scalars(select(column).where(column.is_not(None))):
                    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                        found.append((f"{table.name}.{column.name}", value))
    return found


@pytest.fixture
def crawled(app, client, seeded, in_app):
    def prepare(session):
        project = session.scalar(select(Project).where(Project.name == NAME))
        session.add(ProgressReport(project=project, year=2026, quarter=2, cumulative_investment=Decimal("100"),
                                   quarter_investment=Decimal("100"), physical_progress=Decimal("5")))
        add_problem(session, project, raised_on=date(2026, 5, 1))
        session.commit()
        return project.id
    return _pages(app, client, f"/projects/{in_app(prepare)}")


def test_every_query_parameter_of_every_page_refuses_control_characters(client, crawled):
    assert len(crawled) >= 20, sorted(crawled)  # the crawl reached the app, not only the dashboard
    for path, html in crawled.items():
        names = {"q"} | {name for form in GET_FORM.findall(html) for name in FIELD_NAME.findall(form)}
        for name in names:
            response = client.get(f"{path}?{urlencode({name: POISON})}")
            text = response.get_data(as_text=True)
            assert response.status_code == 400 and "控制字符" in text and f"“{name}”" in text, (path, name)
    assert client.get("/projects/?" + urlencode({"q\x00": "a"})).status_code == 400


def test_every_field_of_every_form_refuses_control_characters(app, client, crawled, in_app):
    forms = {}

    def collect(page: str, html: str) -> None:
        for action, fields, files in post_forms(html):
            key = _endpoint(app, urlsplit(action or page).path, "POST"), frozenset(fields)
            forms.setdefault(key, (action or page, fields, files))

    for page, html in crawled.items():
        collect(page, html)
    tried = set()
    while untried := [key for key in forms if key not in tried]:
        for key in untried:  # also the forms a post answers with (the 催报 round's confirmation)
            tried.add(key)
            action, fields, files = forms[key]
            if key[0].endswith(("delete", "restore", "enabled", "reset", "unlink", "revoke")):
                continue  # forms of one button: nothing typed, and pressing them would change the pages crawled
            for name in [name for name in fields if name != "csrf_token"]:
                response = client.post(action, data=fields | {name: fields[name] + POISON},
                                       content_type="multipart/form-data" if files else None)
                assert response.status_code != 500, (action, name)
                if response.mimetype == "text/html":
                    collect(action, response.get_data(as_text=True))
            if response := client.post(action, data=fields, content_type="multipart/form-data" if files else None):
                if response.mimetype == "text/html":
                    collect(action, response.get_data(as_text=True))
    assert {"projects.create", "progress.new_progress", "progress.upload_photos", "problems.create",
            "problems.new_notice", "admin.create_user", "programmes.record", "indicators.detail",
            "imports.upload"} <= {endpoint for endpoint, _ in tried}
    assert in_app(_stored_control_characters) == []


def test_file_names_with_control_characters_are_refused(client, seeded):
    response = client.post("/imports/projects", content_type="multipart/form-data", data={
        "projects-csrf_token": csrf_token(client, "/imports/"), "projects-file": (BytesIO(csv_bytes([])), "表\x00.csv")})
    assert response.status_code == 400 and "文件名含有不可见的控制字符" in response.get_data(as_text=True)


def test_the_api_refuses_control_characters_and_repeated_keys(app, seeded, in_app, make_user):
    username = make_user("api-user", Role.CITY)
    token = in_app(lambda s: (api_token(s, username), s.commit())[0])
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/projects?q=a%00", headers=headers)
    assert listed.status_code == 400 and "“q”" in listed.json["error"]["message"]
    url = f"/api/v1/projects/{project_id}/progress/2026Q3"
    for body, status, field in (('{"works_status": "甲\\u0000乙"}', 422, "works_status"),
                                ('{"works\\u0000": "1"}', 422, "works\x00"),
                                ('{"works_status": ["\\u0000"]}', 422, "works_status"),
                                ('{"cumulative_investment": "1", "cumulative_investment": "2"}', 400,
                                 "cumulative_investment")):
        response = client.put(url, data=body, headers=headers | {"Content-Type": "application/json"})
        assert response.status_code == status, body
        assert field in [f["field"] for f in response.json["error"]["fields"]], body
    assert in_app(lambda s: s.scalar(select(ProgressReport.id).where(ProgressReport.project_id == project_id))) is None


def test_the_login_form_refuses_control_characters(anonymous_client):
    response = anonymous_client.post("/login", data={"csrf_token": csrf_token(anonymous_client, "/login"),
                                                     "username": "admin\x00", "password": "x\x00"})
    assert response.status_code in (200, 422) and "用户名含有不可见的控制字符" in response.get_data(as_text=True)
