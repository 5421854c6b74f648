"""Review of a county's quarter, the audit trail, and no lost updates between two people."""
import json
import re

from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.core.audit import AuditEntry
from portfolio.progress import review
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project
from tests.factories import form_fields, login, submit

OWN = "山阳区黄龙山体育公园项目"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _project_id(in_app, name=OWN) -> int:
    return in_app(lambda s: s.scalar(select(Project.id).where(Project.name == name)))


def _report(in_app) -> ProgressReport:
    return in_app(lambda s: s.scalar(select(ProgressReport)))


def _progress(cumulative="1000"):
    return {"year": "2025", "quarter": "4", "cumulative_investment": cumulative, "quarter_investment": "100",
            "physical_progress": "30", "works_status": "主体施工"}


def _people(app, make_user):
    county, city = app.test_client(), app.test_client()
    login(county, make_user("shanyang", Role.COUNTY, "山阳区"))
    login(city, make_user("city", Role.CITY))
    return county, city


def _review(client, report, action: str, **fields):
    """A review action as the page does it: the confirmation, then the confirmed post."""
    data = {"action": action, "report": str(report.id), "year": "2025", "quarter": "4", **fields}
    first = submit(client, "/reviews/act", data, form_url="/reviews/?year=2025&quarter=4")
    if first.status_code != 200:
        return first
    assert f"确认{review.ReviewAction(action).label}1条进展" in _text(first)
    return submit(client, "/reviews/act", data | {"confirmed": "y", "seen": f"{report.id}:{report.version}"},
                  form_url="/reviews/?year=2025&quarter=4")


def test_county_quarter_goes_draft_submitted_returned_approved(app, seeded, make_user, in_app):
    county, city = _people(app, make_user)
    project_id = _project_id(in_app)
    assert submit(county, f"/projects/{project_id}/progress/new", _progress()).status_code == 302
    region_id = in_app(lambda s: s.get(Project, project_id).region_id)
    assert _report(in_app).review_state is ReviewState.DRAFT

    assert submit(county, "/reviews/submit", {"region": region_id, "year": 2025, "quarter": 4},
                  form_url="/reviews/?year=2025&quarter=4").status_code == 302
    report = _report(in_app)
    assert report.review_state is ReviewState.SUBMITTED
    edit = f"/projects/{project_id}/progress/{report.id}/edit"
    refused = submit(county, edit, _progress("1100"), form_url=f"/projects/{project_id}")
    assert refused.status_code == 409 and "请市级退回" in _text(refused) and 'value="1100"' in _text(refused), \
        "nothing saved; the reason, who can unlock it, and what was typed are on the page"

    returned = _review(city, report, "return", comment="累计投资与台账不符")
    assert returned.status_code == 302 and _report(in_app).review_state is ReviewState.RETURNED
    assert "累计投资与台账不符" in _text(county.get(edit))
    assert submit(county, edit, _progress("1100") | {"version": str(_report(in_app).version)}).status_code == 302
    assert _report(in_app).review_state is ReviewState.DRAFT

    submit(county, "/reviews/submit", {"region": region_id, "year": 2025, "quarter": 4},
           form_url="/reviews/?year=2025&quarter=4")
    assert _review(city, _report(in_app), "approve").status_code == 302
    assert _report(in_app).review_state is ReviewState.APPROVED
    assert submit(city, edit, _progress("1200"), form_url=f"/projects/{project_id}").status_code == 409, "locked"
    assert _review(county, _report(in_app), "approve").status_code == 403

    _review(city, _report(in_app), "reopen")
    assert _report(in_app).review_state is ReviewState.RETURNED
    assert "已审核" not in re.sub(r"<option.*?</option>", "", _text(city.get("/projects/")))


def test_county_cannot_submit_another_region(app, seeded, make_user, in_app):
    county, _ = _people(app, make_user)
    other_region = in_app(lambda s: s.get(Project, _project_id(in_app, "孟州市全民健身中心")).region_id)
    response = submit(county, "/reviews/submit", {"region": other_region, "year": 2025, "quarter": 4},
                      form_url="/reviews/")
    assert response.status_code == 403


def test_report_can_count_only_approved_progress(app, seeded, make_user, in_app, tmp_path):
    from tests.pdf import joined, pdf_text

    county, city = _people(app, make_user)
    project_id = _project_id(in_app)
    submit(county, f"/projects/{project_id}/progress/new", _progress("2500"))
    everything = joined(pdf_text(city.get("/reports/quarterly.pdf?year=2025&quarter=4").data, tmp_path))
    approved = joined(pdf_text(city.get("/reports/quarterly.pdf?year=2025&quarter=4&approved_only=y").data, tmp_path))
    assert "2,500" in everything and "草稿" in everything
    assert "2,500" not in approved and "仅统计已审核的进展" in approved


def test_every_change_is_in_the_audit_trail(client, seeded, in_app, make_user):
    project_id = _project_id(in_app)
    edit = f"/projects/{project_id}/edit"
    data = form_fields(_text(client.get(edit))) | {"content": "新内容", "planned_investment": "4321"}
    assert client.post(edit, data=data).status_code == 302
    submit(client, f"/projects/{project_id}/progress/new", _progress())
    submit(client, f"/projects/{project_id}/milestones", {"commencement-planned_date": "2022-03-01"})
    entries = in_app(lambda s: s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all())
    update = next(e for e in entries if e.table_name == "projects" and e.action == "update")
    assert update.username == "admin-test"
    assert json.loads(update.changes)["planned_investment"] == ["4000.00", "4321.00"]
    assert {(e.table_name, e.action) for e in entries} >= {("progress_reports", "create"), ("milestones", "create"),
                                                          ("users", "create")}
    history = _text(client.get(f"/projects/{project_id}"))
    assert "修改记录" in history and "计划投资(万元): 4000.00 → 4321.00" in history
    assert "admin-test" in _text(client.get("/admin/audit"))
    for method in ("put", "delete", "post"):
        assert getattr(client, method)(f"/admin/audit/{entries[0].id}").status_code in (404, 405)


def test_two_people_editing_the_same_project(app, seeded, make_user, in_app):
    first, second = app.test_client(), app.test_client()
    login(first, make_user("first", Role.CITY))
    login(second, make_user("second", Role.ADMIN))
    project_id = _project_id(in_app)
    edit = f"/projects/{project_id}/edit"

    first_form, second_form = form_fields(_text(first.get(edit))), form_fields(_text(second.get(edit)))
    assert first.post(edit, data=first_form | {"planned_investment": "4500"}).status_code == 302
    refused = second.post(edit, data=second_form | {"planned_investment": "3900", "responsible_unit": "体育局"})
    text = _text(refused)
    assert refused.status_code == 409
    assert "其他人修改了这条记录" in text and "first" in text and "计划投资(万元): 4000.00 → 4500.00" in text
    assert 'value="3900"' in text and 'value="体育局"' in text, "the second person's input is kept"
    assert in_app(lambda s: s.get(Project, project_id).planned_investment) == 4500
    again = second.post(edit, data=form_fields(text))
    assert again.status_code == 302 and in_app(lambda s: s.get(Project, project_id).planned_investment) == 3900


def test_two_people_editing_the_same_progress_report(app, seeded, make_user, in_app):
    county, city = _people(app, make_user)
    project_id = _project_id(in_app)
    submit(county, f"/projects/{project_id}/progress/new", _progress())
    edit = f"/projects/{project_id}/progress/{_report(in_app).id}/edit"

    county_form, city_form = form_fields(_text(county.get(edit))), form_fields(_text(city.get(edit)))
    assert city.post(edit, data=city_form | {"cumulative_investment": "1200"}).status_code == 302
    refused = county.post(edit, data=county_form | {"cumulative_investment": "1300"})
    assert refused.status_code == 409 and "city" in _text(refused) and 'value="1300"' in _text(refused)
    assert _report(in_app).cumulative_investment == 1200
