"""The list's warning filters (and the dashboard's lights after a change), on the real seed projects."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from portfolio.registry.models import Project, Region
from tests.factories import submit

TODAY = date.today()
ENDED_BY_MID_2025 = 11
"""Seed projects whose build years ended before 2025 (two run 2023—2025 and 2022—2025)."""


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(response) -> list[str]:
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', _text(response))


def _count(response) -> int:
    return int(re.search(r"共 <strong>(\d+)</strong> 个项目", _text(response)).group(1))


def test_overdue_filter_lists_every_seed_project_whose_build_years_ended(client, seeded):
    assert _count(client.get("/projects/?warning=overdue&as_of=2026-11-22")) == 13
    mid_2025 = client.get("/projects/?warning=overdue&as_of=2025-06-30")
    assert _count(mid_2025) == ENDED_BY_MID_2025
    assert "市直普通高中迁建项目" not in _listed(mid_2025)
    assert "计划2024年底竣工，已超期6个月" in _text(mid_2025)


def test_light_and_warning_filters_combine_with_region(client, seeded, in_app):
    shanyang = in_app(lambda s: s.scalar(select(Region.id).where(Region.name == "山阳区")))
    response = client.get(f"/projects/?light=red&warning=overdue&warning=not_reported&region={shanyang}&as_of=2026-09-30")
    assert _count(response) == 3
    assert response.get_data(as_text=True).count('data-light="red"') == 3
    assert _count(client.get("/projects/?light=green&as_of=2026-09-30")) == 0
    assert '<input checked id="warning-0" name="warning" type="checkbox" value="overdue">' in _text(response)


def test_recording_completion_changes_the_light_on_list_and_dashboard(client, seeded, in_app):
    before = _text(client.get("/"))
    assert re.search(r'id="kpi-count">13<', before) and re.search(r'id="kpi-planned">626,457.00<', before)
    red_before = int(re.search(r'class="kpi kpi-red">.*?>(\d+)</a>', before, re.S).group(1))

    project = in_app(lambda s: s.scalar(select(Project).where(Project.name == "孟州市全民健身中心")))
    response = submit(client, f"/projects/{project.id}/milestones", {
        "commencement-actual_date": "2020-05-01", "acceptance-actual_date": "2022-12-20"})
    assert response.status_code == 302
    assert "项目状态由“在建”改为“已竣工”" in _text(client.get(response.headers["Location"]))

    overdue = client.get("/projects/?warning=overdue")
    assert _count(overdue) == 12 and "孟州市全民健身中心" not in _listed(overdue)
    done = client.get("/projects/?light=done")
    assert _listed(done) == ["孟州市全民健身中心"]
    after = _text(client.get("/"))
    assert int(re.search(r'class="kpi kpi-red">.*?>(\d+)</a>', after, re.S).group(1)) == red_before - 1


def test_progress_changes_reasons_on_the_list(client, seeded, in_app):
    project = in_app(lambda s: s.scalar(select(Project).where(Project.name == "市直普通高中迁建项目")))
    as_of = "2025-10-06"  # the day after 2025 Q3's 报送截止日: the 报告期 is 2025 Q3
    before = _text(client.get(f"/projects/?q=市直普通高中&as_of={as_of}"))
    assert "连续两个季度未报送进展（2025年第2季度、2025年第3季度）" in before
    for quarter, cumulative in [(2, "70000"), (3, "80000")]:
        assert submit(client, f"/projects/{project.id}/progress/new", {
            "year": "2025", "quarter": str(quarter), "cumulative_investment": cumulative,
            "quarter_investment": "10000", "physical_progress": "70"}).status_code == 302
    after = _text(client.get(f"/projects/?q=市直普通高中&as_of={as_of}"))
    assert "未报送进展" not in after and 'data-light="green"' in after
    assert "80,000" in after and "94.1%" in after


@pytest.mark.parametrize("bad", ["as_of=2026-13-01", "light=purple", "warning=nonsense"])
def test_bad_filter_values_fall_back(client, seeded, bad):
    plain = _text(client.get("/projects/"))
    response = client.get(f"/projects/?{bad}")
    assert response.status_code == 200
    page = _text(response)
    assert _count(response) == 13 and len(_listed(response)) == 13
    assert _listed(response) == re.findall(r'<a href="/projects/\d+">([^<]+)</a>', plain)
    assert re.findall(r'data-light="(\w+)"', page) == re.findall(r'data-light="(\w+)"', plain)
    light = re.search(r'<select[^>]*name="light".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option selected[^>]*>", light) == ['<option selected value="">'], "no light is chosen"
    warnings = re.search(r'<ul id="warning">.*?</ul>', page, re.S).group(0)
    assert "checked" not in warnings and "nonsense" not in warnings, "no warning is ticked"
    as_of = re.compile(r"截至(\d{4}年\d{1,2}月\d{1,2}日)")
    today = date.today()
    assert as_of.findall(page) == as_of.findall(plain) == [f"{today.year}年{today.month}月{today.day}日"], \
        "the list is as of today"


def test_the_list_shows_the_first_reason_and_the_rest_behind_a_details_element(client, seeded, in_app):
    """A compact list: the light, the first reason and 等N项, which opens without JavaScript to the
    others — together exactly the reasons the rules give (as the project page and exports list them)."""
    from portfolio.rules import assess
    from portfolio.rules.figures import facts_for

    as_of = date(2026, 9, 30)
    page = _text(client.get(f"/projects/?as_of={as_of}"))
    rows = re.findall(r'<tr data-light="\w+">(.*?)</tr>', page, re.S)
    assert rows

    def judged(session):
        projects = session.scalars(select(Project)).all()
        facts = facts_for(session, projects)
        return {p.name: [f"{w.kind.label}：{w.reason}" for w in assess(facts[p.id], as_of).warnings] for p in projects}

    expected = in_app(judged)
    several = 0
    for row in rows:
        name = re.search(r'<a href="/projects/\d+">([^<]+)</a>', row).group(1)
        first = re.search(r'class="reasons first-reason reason-\w+"><strong>(.+?)</strong>：(.+?)</p>', row)
        rest = [f"{kind}：{reason}" for kind, reason in re.findall(r'<li class="reason-\w+"><strong>(.+?)</strong>：(.+?)</li>', row)]
        shown = ([f"{first.group(1)}：{first.group(2)}"] if first else []) + rest
        assert shown == expected[name], name
        if len(shown) > 1:
            several += 1
            assert f"<summary>等{len(shown)}项</summary>" in row
        else:
            assert "<details" not in row
    assert several > 0
