"""Writing a quarter's progress through the API: the issue's flow (a county reads its projects,
submits 2026 Q3, a stale ETag gets 412, a viewer and another county cannot write), the review lock,
the audit trail, and the same refusals as the form, message for message."""
import http.client
import json
import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portfolio.accounts.models import Role
from portfolio.core.audit import AuditEntry
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project, Region
from tests.factories import login, submit

OWN = "山阳区黄龙山体育公园项目"
OTHER = "孟州市全民健身中心"
Q3 = {"cumulative_investment": "1200.50", "quarter_investment": "1200.50", "physical_progress": 12,
      "works_status": "基础施工", "problems": "", "next_steps": "主体施工"}


@pytest.fixture
def people(seeded, make_user):
    make_user("county-shanyang", Role.COUNTY, "山阳区")
    make_user("county-mengzhou", Role.COUNTY, "孟州市")
    make_user("viewer", Role.VIEWER)
    make_user("city", Role.CITY)


def _project_id(in_app, name: str) -> int:
    return in_app(lambda session: session.scalar(select(Project.id).where(Project.name == name)))


def _reports(in_app, project_id: int) -> list[tuple]:
    return in_app(lambda session: session.execute(
        select(ProgressReport.year, ProgressReport.quarter, ProgressReport.cumulative_investment, ProgressReport.version)
        .where(ProgressReport.project_id == project_id)).all())


def test_county_reads_its_projects_submits_q3_and_a_stale_etag_is_refused(api, people, in_app):
    county = api.token("county-shanyang")
    region_id = in_app(lambda session: session.scalar(select(Region.id).where(Region.name == "山阳区")))
    listed = api.get(f"/api/v1/projects?region={region_id}", county).get_json()
    assert listed["total"] == 3 and {item["region"]["name"] for item in listed["items"]} == {"山阳区"}
    project_id = next(item["id"] for item in listed["items"] if item["name"] == OWN)
    url = f"/api/v1/projects/{project_id}/progress/2026Q3"

    created = api.put(url, county, json=Q3)
    assert created.status_code == 201, created.get_json()
    assert created.headers["ETag"] == '"1"' and created.headers["Location"].endswith(url)
    saved = created.get_json()["progress"]
    assert (saved["cumulative_investment"], saved["physical_progress"], saved["review_state"]) == (
        "1200.50", "12.00", {"code": "draft", "label": "草稿"})
    assert api.get(url, county).headers["ETag"] == '"1"'

    changed = api.put(url, county, json=Q3 | {"cumulative_investment": "1300", "quarter_investment": "1300"},
                      headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'

    stale = api.put(url, county, json=Q3 | {"cumulative_investment": "9999", "quarter_investment": "9999"},
                    headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["error"]["code"] == "precondition_failed"
    assert stale.headers["ETag"] == '"2"'
    assert _reports(in_app, project_id) == [(2026, 3, Decimal("1300.00"), 2)]
    # the stored judgement followed the write: the API reads it as of the day after the deadline
    judged = api.get(f"/api/v1/projects/{project_id}?as_of=2026-10-06", county).get_json()["judgement"]
    assert (judged["cumulative_investment"], judged["quarter_investment"]) == ("1300.00", "1300.00")

    for other in ("viewer", "county-mengzhou"):
        refused = api.put(url, api.token(other), json=Q3, headers={"If-Match": '"2"'})
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert _reports(in_app, project_id) == [(2026, 3, Decimal("1300.00"), 2)]

    # the same audit trail as the form: who, what
    trail = in_app(lambda session: session.execute(
        select(AuditEntry.username, AuditEntry.action).where(AuditEntry.table_name == "progress_reports")
        .order_by(AuditEntry.id)).all())
    assert trail == [("county-shanyang", "create"), ("county-shanyang", "update")]


def test_a_recorded_quarter_needs_if_match_and_a_new_one_must_not_have_it(api, people, in_app):
    city = api.token("city")
    project_id = _project_id(in_app, OWN)
    url = f"/api/v1/projects/{project_id}/progress/2026Q3"
    assert api.put(url, city, json=Q3, headers={"If-Match": '"1"'}).status_code == 412
    assert api.put(url, city, json=Q3).status_code == 201
    missing = api.put(url, city, json=Q3)
    assert missing.status_code == 428 and missing.headers["ETag"] == '"1"'
    assert api.put(url, city, json=Q3 | {"physical_progress": "15"}, headers={"If-Match": "*"}).status_code == 428
    assert api.put(url, city, json=Q3 | {"physical_progress": "15"}, headers={"If-Match": '"7", "1"'}).status_code == 200
    assert api.put(url, city, json=Q3, headers={"If-Match": 'W/"2"'}).status_code == 412
    assert _reports(in_app, project_id)[0][3] == 2


def test_the_review_lock_holds_for_the_api(api, people, in_app):
    county, city = api.token("county-shanyang"), api.token("city")
    project_id = _project_id(in_app, OWN)
    url = f"/api/v1/projects/{project_id}/progress/2026Q3"
    assert api.put(url, county, json=Q3).status_code == 201

    def set_state(state):
        def change(session):
            report = session.scalar(select(ProgressReport).where(ProgressReport.project_id == project_id))
            report.review_state = state
            report.version += 1
            session.commit()
            return report.version
        return in_app(change)

    version = set_state(ReviewState.SUBMITTED)
    locked = api.put(url, county, json=Q3, headers={"If-Match": f'"{version}"'})
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "locked"
    assert "正在审核" in locked.get_json()["error"]["message"]
    assert api.put(url, city, json=Q3, headers={"If-Match": f'"{version}"'}).status_code == 200  # the city may
    version = set_state(ReviewState.APPROVED)
    assert api.put(url, city, json=Q3, headers={"If-Match": f'"{version}"'}).status_code == 409
    version = set_state(ReviewState.RETURNED)
    assert api.put(url, county, json=Q3, headers={"If-Match": f'"{version}"'}).status_code == 200
    assert in_app(lambda session: session.scalar(select(ProgressReport.review_state))) is ReviewState.DRAFT


def test_an_archived_project_is_read_only(api, people, in_app):
    project_id = _project_id(in_app, OWN)

    def archive(session):
        project = session.get(Project, project_id)
        project.archived_on, project.archive_reason = date(2026, 1, 5), "并入其他项目"
        session.commit()

    in_app(archive)
    refused = api.put(f"/api/v1/projects/{project_id}/progress/2026Q3", api.token("city"), json=Q3)
    assert refused.status_code == 403 and "已归档" in refused.get_json()["error"]["message"]


# (what is sent, the field whose message is compared); the same values go through the form
BAD_INPUT = [
    ({"cumulative_investment": "abc"}, "cumulative_investment"),
    ({"cumulative_investment": "-5"}, "cumulative_investment"),
    ({"cumulative_investment": "1.234"}, "cumulative_investment"),
    ({"cumulative_investment": ""}, "cumulative_investment"),
    ({"cumulative_investment": "200000000"}, "cumulative_investment"),
    ({"physical_progress": "120"}, "physical_progress"),
    ({"physical_progress": ""}, "physical_progress"),
    ({"quarter_investment": ""}, "quarter_investment"),
    ({"quarter_investment": "5000"}, "quarter_investment"),
    ({"works_status": "第一段\x07"}, "works_status"),
    ({"next_steps": "长" * 2001}, "next_steps"),
]


def _form_errors(html: str) -> dict[str, list[str]]:
    return {name: re.findall(r"<li>([^<]*)</li>", items)
            for name, items in re.findall(r'<ul class="errors" id="([a-z_]+)-errors">(.*?)</ul>', html, re.S)}


@pytest.mark.parametrize(("change", "field"), BAD_INPUT, ids=[field + str(i) for i, (_, field) in enumerate(BAD_INPUT)])
def test_the_same_bad_input_gets_the_same_message_as_the_form(api, people, in_app, app, change, field):
    project_id = _project_id(in_app, OWN)
    body = Q3 | change
    answer = api.put(f"/api/v1/projects/{project_id}/progress/2026Q3", api.token("city"), json=body)
    assert answer.status_code == 422, answer.get_json()
    api_messages = {item["field"]: item["message"] for item in answer.get_json()["error"]["fields"]}
    label = next(item["label"] for item in answer.get_json()["error"]["fields"] if item["field"] == field)

    browser = app.test_client()
    login(browser, "city")
    form_url = f"/projects/{project_id}/progress/new"
    page = submit(browser, form_url, {"year": "2026", "quarter": "3", "version": ""} | {
        name: str(value) for name, value in body.items()})
    assert page.status_code == 422
    form_messages = _form_errors(page.get_data(as_text=True))
    assert form_messages[field] == [api_messages[field]]
    assert f">{label}</label>" in page.get_data(as_text=True)
    assert _reports(in_app, project_id) == []


def test_a_quarter_not_yet_begun_is_refused_as_the_form_refuses_it(api, people, in_app, app):
    project_id = _project_id(in_app, OWN)
    answer = api.put(f"/api/v1/projects/{project_id}/progress/2030Q1", api.token("city"), json=Q3)
    assert answer.status_code == 422
    (item,) = answer.get_json()["error"]["fields"]
    browser = app.test_client()
    login(browser, "city")
    page = submit(browser, f"/projects/{project_id}/progress/new",
                  {"year": "2030", "quarter": "1", "version": ""} | {name: str(value) for name, value in Q3.items()})
    assert (item["field"], [item["message"]]) == ("period", _form_errors(page.get_data(as_text=True))["quarter"])


@pytest.mark.parametrize(("request_kwargs", "status", "field"), [
    ({"data": "cumulative_investment=1", "content_type": "application/x-www-form-urlencoded"}, 415, None),
    ({"data": "{not json", "content_type": "application/json"}, 400, None),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, None),
    ({"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"}, 400, None),
    ({"data": "{}" + " " * (1024 * 1024), "content_type": "application/json"}, 413, None),
    ({"json": Q3 | {"cumulative_investmnt": "1"}}, 422, "cumulative_investmnt"),
    ({"json": Q3 | {"cumulative_investment": True}}, 422, "cumulative_investment"),
    ({"json": Q3 | {"cumulative_investment": [1]}}, 422, "cumulative_investment"),
    ({"json": Q3 | {"problems": 5}}, 422, "problems"),
    ({"data": '{"cumulative_investment": "1", "physical_progress": 5, "works_status": "\\ud800"}',
      "content_type": "application/json"}, 400, None),
    ({"data": '{"bad\\udc80key": 1}', "content_type": "application/json"}, 400, None),
    ({"data": '{"cumulative_investment": "\\ud800"}', "content_type": "application/json"}, 400, None),
], ids=["form-encoded", "broken", "array", "deep", "too-large", "unknown-field", "bool", "list", "number-as-text",
        "surrogate-text", "surrogate-key", "surrogate-value"])
def test_hostile_bodies_get_a_json_error_and_write_nothing(api, people, in_app, request_kwargs, status, field):
    project_id = _project_id(in_app, OWN)
    answer = api.put(f"/api/v1/projects/{project_id}/progress/2026Q3", api.token("city"), **request_kwargs)
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert error["message"] and not error["message"].isascii()
    if field:
        assert [item["field"] for item in error["fields"]] == [field]
    assert _reports(in_app, project_id) == []


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(app, api, people, in_app):
    """Through a real HTTP server: a chunked body has no Content-Length for a check to read first."""
    project_id = _project_id(in_app, OWN)
    secret = api.token("city")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        chunks = iter([b'{"problems": "'] + [b"x" * 65536] * 32 + [b'"}'])
        connection.request("PUT", f"/api/v1/projects/{project_id}/progress/2026Q3", body=chunks, encode_chunked=True,
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        answer = connection.getresponse()
        status, body = answer.status, json.loads(answer.read())
        connection.close()
    finally:
        server.shutdown()
    assert status == 413 and body["error"]["code"] == "too_large", body
    assert _reports(in_app, project_id) == []


@pytest.mark.parametrize("period", ["2026Q5", "2026q3", "26Q3", "2026-Q3", "%00", "%EF%BC%92026Q3", "2026Q3%0A"])
def test_a_malformed_period_is_named(api, people, in_app, period):
    project_id = _project_id(in_app, OWN)
    answer = api.put(f"/api/v1/projects/{project_id}/progress/{period}", api.token("city"), json=Q3)
    assert answer.status_code == 400 and answer.get_json()["error"]["fields"][0]["field"] == "period"


def test_amounts_keep_every_fen_as_json_numbers_or_strings(api, people, in_app):
    project_id = _project_id(in_app, OWN)
    url = f"/api/v1/projects/{project_id}/progress/2026Q3"
    body = '{"cumulative_investment": 1054.65, "quarter_investment": "1,054.65", "physical_progress": "１２.５"}'
    answer = api.put(url, api.token("city"), data=body, content_type="application/json")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["progress"]["cumulative_investment"] == "1054.65"
    assert answer.get_json()["progress"]["physical_progress"] == "12.50"


def test_a_zero_with_a_huge_exponent_is_stored_and_audited_as_0_00(api, people, in_app):
    project_id = _project_id(in_app, OWN)
    body = '{"cumulative_investment": "0e-99999999", "quarter_investment": 0e-99999999, "physical_progress": "-0"}'
    answer = api.put(f"/api/v1/projects/{project_id}/progress/2026Q3", api.token("city"), data=body,
                     content_type="application/json")
    assert answer.status_code == 201, answer.get_json()
    progress = answer.get_json()["progress"]
    assert (progress["cumulative_investment"], progress["quarter_investment"], progress["physical_progress"]) == (
        "0.00", "0.00", "0.00")
    changes = in_app(lambda session: session.scalar(select(AuditEntry.changes).where(
        AuditEntry.table_name == "progress_reports")))
    assert len(changes) < 1000
