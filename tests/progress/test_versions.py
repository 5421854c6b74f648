"""Annual plans and milestones carry a version check too: a save based on what someone else has
changed since the page was shown is refused with a 409 that keeps the input; saving again applies it."""
import re

from sqlalchemy import select

from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind
from portfolio.registry.models import Project
from tests.factories import form_fields

NAME = "山阳区黄龙山体育公园项目"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _annual_form(page: str) -> dict:
    form = page[page.index('action="/projects/'):]
    form = form[:form.index("</form>")]
    return dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))


def test_annual_plan_saved_by_someone_else_meanwhile(client, seeded, in_app):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    page = f"/projects/{project_id}"
    mine = _annual_form(_text(client.get(page)))
    first = client.post(f"/projects/{project_id}/annual-plans", data=mine | {"year": "2026", "planned_investment": "300"})
    assert first.status_code == 302
    stale = client.post(f"/projects/{project_id}/annual-plans", data=mine | {"year": "2026", "planned_investment": "900"})
    assert stale.status_code == 409 and "其他人修改了这个项目的年度计划" in _text(stale) and 'value="900"' in _text(stale)
    assert in_app(lambda s: s.scalar(select(AnnualPlan.planned_investment))) == 300
    again = form_fields(_text(stale))
    assert client.post(f"/projects/{project_id}/annual-plans", data=again).status_code == 302
    assert in_app(lambda s: s.scalar(select(AnnualPlan.planned_investment))) == 900


def test_milestones_saved_by_someone_else_meanwhile(client, seeded, in_app):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    url = f"/projects/{project_id}/milestones"
    mine = form_fields(_text(client.get(url)))
    assert client.post(url, data=mine | {"commencement-planned_date": "2022-03-01"}).status_code == 302
    stale = client.post(url, data=mine | {"commencement-planned_date": "2022-05-01"})
    assert stale.status_code == 409 and "其他人修改了这个项目的节点" in _text(stale) and "2022-05-01" in _text(stale)
    assert client.post(url, data=form_fields(_text(stale))).status_code == 302
    planned = in_app(lambda s: s.scalar(select(Milestone.planned_date).where(Milestone.kind == MilestoneKind.COMMENCEMENT)))
    assert planned.isoformat() == "2022-05-01"
