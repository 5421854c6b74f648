"""The registry's pages through the test client, with CSRF on as in production."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.registry.models import Plan, Project, Region
from tests.factories import csrf_token, submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(response) -> list[str]:
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', _text(response))


def _region_id(in_app, name: str, city: str = "焦作市") -> int:
    return in_app(lambda s: s.scalar(select(Region.id).where(Region.name == name, Region.city == city)))


def _project(in_app, name: str):
    return in_app(lambda s: s.scalar(select(Project).where(Project.name == name)))


def test_list_shows_the_13_projects_and_their_total(client, seeded):
    response = client.get("/projects/")
    assert response.status_code == 200
    assert len(_listed(response)) == 13
    totals = re.sub(r"\s+", " ", re.search(r'<p class="totals".*?</p>', _text(response), re.S).group(0))
    assert "共 <strong>13</strong> 个项目" in totals
    assert "<strong>626,457.00</strong> 万元(<strong>62.65</strong> 亿元)" in totals


@pytest.mark.parametrize(("region", "count"), [("山阳区", 3), ("解放区", 3), ("示范区", 2)])
def test_filter_by_region_lives_in_the_url(client, seeded, in_app, region, count):
    response = client.get(f"/projects/?region={_region_id(in_app, region)}")
    assert len(_listed(response)) == count
    assert f"共 <strong>{count}</strong> 个项目" in _text(response)
    assert f'<option selected value="{_region_id(in_app, region)}">{region}' in _text(response)


def test_filters_combine_and_sort_links_keep_them(client, seeded, in_app):
    region = _region_id(in_app, "山阳区")
    response = client.get(f"/projects/?region={region}&sector=health&sort=investment&order=desc")
    assert _listed(response) == ["焦作市人民医院门急诊楼及医学研究中心项目", "焦作市中医院中医优势专科综合楼"]
    sort_links = re.findall(r'class="sort[^"]*"\s+href="([^"]+)"', _text(response))
    assert sort_links and all(f"region={region}" in link and "sector=health" in link for link in sort_links)
    assert _listed(client.get("/projects/?q=篮球")) == ["焦作市业余篮球学校改建项目", "孟州市全民健身中心"]


def test_unknown_filter_values_are_ignored_not_errors(client, seeded):
    response = client.get("/projects/?region=abc&sector=rocket&sort=drop&page=999")
    assert response.status_code == 200
    assert "共 <strong>13</strong> 个项目" in _text(response)


def test_pagination_keeps_filters(client, seeded, make_project, session):
    for number in range(30):
        make_project(name=f"分页测试项目{number:02d}", region="温县")
    session.commit()
    region = session.scalar(select(Region.id).where(Region.name == "温县"))
    first = client.get(f"/projects/?region={region}")
    assert len(_listed(first)) == 20 and "第 1 / 2 页" in _text(first)
    next_link = re.search(r'href="([^"]+)" rel="next"', _text(first)).group(1).replace("&amp;", "&")
    assert f"region={region}" in next_link and "page=2" in next_link
    second = client.get(next_link)
    assert len(_listed(second)) == 10
    assert set(_listed(first)).isdisjoint(_listed(second))


def test_detail_page(client, seeded, in_app):
    project = _project(in_app, "孟州市全民健身中心")
    text = _text(client.get(f"/projects/{project.id}"))
    assert "孟州市全民健身中心" in text and "3,600" in text and "2020—2022" in text and "2022年12月31日" in text
    assert client.get("/projects/999999").status_code == 404


def _form_data(in_app, **overrides) -> dict:
    plan_id = in_app(lambda s: s.scalar(select(Plan.id).where(Plan.city == "焦作市")))
    data = {
        "plan_id": plan_id, "name": "焦作市新建托育中心", "region_id": _region_id(in_app, "马村区"),
        "site": "", "sector": "childcare", "status": "preparing", "programme_id": "",
        "planned_investment": "1,250.50", "start_year": "2025", "end_year": "2027",
        "responsible_unit": "马村区卫健委", "content": "建筑面积5000平方米。",
    }
    return data | overrides


def _project_count(in_app) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(Project)))


def test_create_project(client, seeded, in_app):
    response = submit(client, "/projects/new", _form_data(in_app))
    assert response.status_code == 302
    project = _project(in_app, "焦作市新建托育中心")
    assert response.headers["Location"] == f"/projects/{project.id}"
    assert (project.planned_investment, project.site, project.start_year, project.end_year) == (
        Decimal("1250.50"), "马村区", 2025, 2027)
    assert "已新增项目" in _text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("overrides", "field_label", "message"),
    [
        ({"planned_investment": "-5"}, "计划投资(万元)", "不能为负数"),
        ({"planned_investment": "很多"}, "计划投资(万元)", "不是数字"),
        ({"planned_investment": "100000001"}, "计划投资(万元)", "应在0–100,000,000万元之间"),
        ({"planned_investment": ""}, "计划投资(万元)", "请填写金额"),
        ({"end_year": "2024", "start_year": "2025"}, "建设结束年", "2024年早于建设起始年(2025年)"),
        ({"start_year": "1900"}, "建设起始年", "年份应在1949–2100之间"),
        ({"end_year": "2101"}, "建设结束年", "年份应在1949–2100之间"),
        ({"start_year": "明年"}, "建设起始年", "不是有效的整数"),
        ({"name": "   "}, "项目名称", "请填写项目名称"),
        ({"name": "孟州市全民健身中心"}, "项目名称", "该规划中已有名为“孟州市全民健身中心”的项目"),
        ({"region_id": "999999"}, "县(市、区)", "不是有效的选择"),
        ({"sector": "rocketry"}, "领域", "选择无效"),
    ],
)
def test_bad_input_is_refused_with_typed_values_kept(client, seeded, in_app, overrides, field_label, message):
    before = _project_count(in_app)
    data = _form_data(in_app, **overrides)
    response = submit(client, "/projects/new", data)
    text = _text(response)
    assert response.status_code == 422
    assert f"<li>{field_label}：" in text and message in text
    assert 'value="马村区卫健委"' in text, "what the user typed is shown again"
    if overrides.get("planned_investment"):
        assert f'value="{overrides["planned_investment"]}"' in text
    assert _project_count(in_app) == before


def test_region_must_belong_to_the_plans_city(client, seeded, in_app):
    response = submit(client, "/projects/new", _form_data(in_app, region_id=_region_id(in_app, "红旗区", "新乡市")))
    assert response.status_code == 422 and "红旗区不属于焦作市" in _text(response)


def test_edit_project_and_refuse_bad_edit(client, seeded, in_app):
    project = _project(in_app, "山阳区黄龙山体育公园项目")
    url = f"/projects/{project.id}/edit"
    assert 'value="4000.00"' in _text(client.get(url))
    data = _form_data(in_app, name=project.name, region_id=project.region_id, site="山阳区",
                      planned_investment="4500", start_year="2022", end_year="2024", sector="sports")
    refused = submit(client, url, data | {"planned_investment": "-1"})
    assert refused.status_code == 422 and 'value="-1"' in _text(refused)
    assert _project(in_app, project.name).planned_investment == Decimal("4000")
    saved = submit(client, url, data)
    assert saved.status_code == 302
    assert _project(in_app, project.name).planned_investment == Decimal("4500")


def test_delete_needs_confirmation_and_csrf(client, seeded, in_app):
    project = _project(in_app, "孟州市全民健身中心")
    url = f"/projects/{project.id}/delete"
    confirm_page = client.get(url)
    assert confirm_page.status_code == 200 and "确认删除" in _text(confirm_page)
    assert _project_count(in_app) == 13
    forged = client.post(url, data={})
    assert forged.status_code == 400 and "CSRF" in _text(forged)
    assert _project_count(in_app) == 13
    deleted = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert deleted.status_code == 302 and _project_count(in_app) == 12
    assert client.get(f"/projects/{project.id}").status_code == 404
