"""Reading through the API: the list page's filters by the same names, pages that walk the whole
list, a project with everything recorded about it, regions and plans; refused parameters named in
Chinese; unknown paths and methods answered in the one JSON error shape."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.registry.models import Project, Region


@pytest.fixture
def reader(api, seeded, make_user) -> str:
    make_user("viewer", Role.VIEWER)
    return api.token("viewer")


def test_pages_walk_the_whole_list_in_the_list_pages_order(api, reader, in_app):
    ids = in_app(lambda session: session.scalars(select(Project.id).order_by(Project.plan_id, Project.id)).all())
    seen, url, pages = [], "/api/v1/projects?per_page=5", 0
    while url:
        answer = api.get(url, reader).get_json()
        assert (answer["total"], answer["pages"], answer["per_page"]) == (13, 3, 5)
        seen += [item["id"] for item in answer["items"]]
        url, pages = answer["next"], pages + 1
    assert seen == ids and pages == 3
    beyond = api.get("/api/v1/projects?per_page=5&page=9", reader).get_json()
    assert beyond["items"] == [] and beyond["next"] is None and beyond["previous"] is None


def test_filters_by_the_list_pages_names(api, reader, in_app):
    region_id = in_app(lambda session: session.scalar(select(Region.id).where(Region.name == "孟州市")))
    by_region = api.get(f"/api/v1/projects?region={region_id}", reader).get_json()
    assert {item["region"]["name"] for item in by_region["items"]} == {"孟州市"} and by_region["total"] == 2
    red = api.get("/api/v1/projects?light=red&as_of=2026-09-30", reader).get_json()
    assert red["total"] == red["totals"]["count"] == api.get(
        "/api/v1/figures?as_of=2026-09-30", reader).get_json()["total"]["lights"]["red"]
    assert {item["judgement"]["light"]["code"] for item in red["items"]} == {"red"}
    both = api.get("/api/v1/projects?warning=overdue&warning=not_reported&as_of=2026-09-30", reader).get_json()
    for item in both["items"]:
        assert {"overdue", "not_reported"} <= {warning["kind"]["code"] for warning in item["judgement"]["warnings"]}
    keyword = api.get("/api/v1/projects?q=体育公园", reader).get_json()
    assert [item["name"] for item in keyword["items"]] == ["山阳区黄龙山体育公园项目"]
    by_investment = api.get("/api/v1/projects?sort=investment&order=desc", reader).get_json()["items"]
    amounts = [Decimal(item["planned_investment"]) for item in by_investment]
    assert amounts == sorted(amounts, reverse=True)


@pytest.mark.parametrize(("query", "field", "label"), [
    ("region=abc", "region", "县(市、区)"),
    ("light=purple", "light", "预警"),
    ("warning=overdue&warning=nothing", "warning", "问题"),
    ("as_of=2026-13-01", "as_of", "截至日期"),
    ("as_of=0001-01-01", "as_of", "截至日期"),
    ("page=0", "page", "页码"),
    ("per_page=501", "per_page", "每页条数"),
    ("regoin=1", "regoin", "regoin"),
    ("funding=gold", "funding", "资金来源"),
    ("as_of=20260101", "as_of", "截至日期"),
    ("as_of=2026-1-1", "as_of", "截至日期"),
    ("as_of=", "as_of", "截至日期"),
    ("sort=name&sort=region", "sort", "排序"),
    ("page=1&page=abc", "page", "页码"),
])
def test_a_refused_parameter_is_named(api, reader, query, field, label):
    answer = api.get(f"/api/v1/projects?{query}", reader)
    assert answer.status_code == 400
    (item,) = answer.get_json()["error"]["fields"]
    assert (item["field"], item["label"]) == (field, label) and not item["message"].isascii()


@pytest.mark.parametrize("path", ["/api/v1/projects/1?bogus=1", "/api/v1/regions?x=1", "/api/v1/figures?sort=name",
                                  "/api/v1/projects/1?as_of=2026-W01", "/api/v1/projects/1?as_of=20260101",
                                  "/api/v1/projects/1/progress/2026Q2?x"])
def test_every_endpoint_refuses_what_it_does_not_take(api, reader, path):
    answer = api.get(path, reader)
    assert answer.status_code == 400 and answer.get_json()["error"]["fields"]


def test_a_project_with_everything_recorded(api, reader, in_app):
    def record(session):
        project = session.scalar(select(Project).where(Project.name == "山阳区黄龙山体育公园项目"))
        session.add(Milestone(project=project, kind=MilestoneKind.COMMENCEMENT, planned_date=date(2022, 3, 1),
                              actual_date=date(2022, 5, 10)))
        session.add(AnnualPlan(project=project, year=2026, planned_investment=Decimal("3000")))
        session.add(ProgressReport(project=project, year=2026, quarter=2, cumulative_investment=Decimal("2500.5"),
                                   quarter_investment=Decimal("800"), physical_progress=Decimal("40")))
        session.flush()
        session.flush()
        session.commit()
        return project.id

    project_id = in_app(record)
    detail = api.get(f"/api/v1/projects/{project_id}?as_of=2026-07-06", reader).get_json()  # 报告期 2026 Q2
    assert detail["milestones"] == [{"kind": {"code": "commencement", "label": "开工"}, "planned_date": "2022-03-01",
                                     "actual_date": "2022-05-10", "note": None}]
    assert detail["annual_plans"] == [{"year": 2026, "planned_investment": "3000.00"}]
    (report,) = detail["progress"]
    assert (report["period"], report["cumulative_investment"], report["version"]) == ("2026Q2", "2500.50", 1)
    judgement = detail["judgement"]
    assert judgement["as_of"] == "2026-07-06" and judgement["cumulative_investment"] == "2500.50"
    assert judgement["quarter_investment"] == "800.00" and judgement["annual_plan"] == "3000.00"
    assert api.get(f"/api/v1/projects/{project_id}/progress/2026Q2", reader).headers["ETag"] == '"1"'
    missing = api.get(f"/api/v1/projects/{project_id}/progress/2026Q1", reader)
    assert missing.status_code == 404 and "没有2026年第1季度的进展" in missing.get_json()["error"]["message"]


def test_regions_and_plans(api, reader):
    regions = api.get("/api/v1/regions", reader).get_json()["items"]
    assert len(regions) == 25 and {"name": "示范区"}.items() <= next(r for r in regions if r["name"] == "示范区").items()
    plans = api.get("/api/v1/plans", reader).get_json()["items"]
    assert len(plans) == 2 and sum(len(plan["programmes"]) for plan in plans) == 9


def test_unknown_projects_paths_and_methods_answer_in_json(api, reader):
    assert api.get("/api/v1/projects/999999", reader).get_json()["error"]["code"] == "not_found"
    for method, path, status in (("GET", "/api/v1/nothing", 404), ("POST", "/api/v1/projects", 405),
                                 ("DELETE", "/api/v1/projects/1/progress/2026Q3", 405),
                                 ("GET", "/api/v1/projects/99999999999", 404),
                                 ("PUT", "/api/v1/projects/2147483648/progress/2026Q3", 404),
                                 ("PUT", "/api/v1/projects/99999999999", 404)):
        answer = api.client.open(path, method=method, headers={"Authorization": f"Bearer {reader}"})
        assert answer.status_code == status and answer.get_json()["error"]["status"] == status
