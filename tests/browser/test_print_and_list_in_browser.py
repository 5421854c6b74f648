"""On paper, in the compact list and on a phone, in a real Chromium: printing hides the navigation,
filters and buttons, keeps the lights' colours and heads the page with what was printed and when;
the list's other reasons open from 等N项 without JavaScript; at 390×844 no page a county uses at the
site scrolls sideways, the list is cards and the form's fields are large enough for a thumb."""
import re

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.registry.models import Project, Region
from tests.factories import PASSWORD
from tests.pdf import pdf_text


@pytest.fixture
def list_page(page, seeded):
    page.goto("/projects/?as_of=2026-09-30")
    return page


def test_printing_the_list_keeps_what_matters(list_page, tmp_path):
    page = list_page
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.topbar', 'form.filters', '.exports', 'button']
        .map(selector => [...document.querySelectorAll(selector)].every(e => getComputedStyle(e).display === 'none'))""")
    assert hidden == [True, True, True, True]
    assert page.locator(".print-header").is_visible()
    red = page.locator(".light-red").first
    assert red.evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"
    assert red.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    text = pdf_text(page.pdf(format="A4", landscape=True), tmp_path)
    assert "重大工程项目管理 · 项目库 · " in text and "打印" in text and "截至2026年9月30日" in text
    assert "筛选" not in text and "修改密码" not in text and "导出当前清单" not in text


def test_the_map_and_the_timeline_print(page, seeded, tmp_path):
    page.goto("/?as_of=2026-09-30")
    page.emulate_media(media="print")
    assert not page.locator(".map-switch").is_visible() and page.locator("svg.county-map").is_visible()
    text = pdf_text(page.pdf(format="A4"), tmp_path)
    assert "分县区地图" in text and "孟州市" in text and "单列地点（不在地图上）" in text
    page.goto("/timeline/?as_of=2026-09-30&by=lateness")
    page.emulate_media(media="print")
    text = pdf_text(page.pdf(format="A4", landscape=True), tmp_path)
    assert "时间轴" in text and "孟州市全民健身中心" in text and "排序" not in text


def test_the_other_reasons_open_from_the_compact_list(list_page):
    page = list_page
    row = page.locator("tr[data-light='red']").filter(has=page.locator("details.more-reasons")).first
    more = row.locator("details.more-reasons")
    summary = more.locator("summary")
    assert re.fullmatch(r"等\d+项", summary.inner_text())
    assert not more.locator("li").first.is_visible()
    summary.click()
    assert more.locator("li").first.is_visible()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, make_user, seeded):
    """A county user's phone: the pages they use at the site."""
    context = browser.new_context(locale="zh-CN", base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(make_user("county-phone", Role.COUNTY, "山阳区"))
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    yield page
    context.close()


def test_no_page_scrolls_sideways_on_a_phone(phone, app):
    with app.app_context():
        project = db.session.scalar(select(Project).join(Project.region).where(Region.name == "山阳区").limit(1))
        project_id = project.id
    for url in ("/", "/projects/?as_of=2026-09-30", f"/projects/{project_id}",
                f"/projects/{project_id}/progress/new?year=2026&quarter=3", "/reviews/", "/timeline/?as_of=2026-09-30"):
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (url, phone.evaluate(
            """() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391
                     && !e.closest('table.data')).slice(0, 5).map(e => e.tagName + '.' + e.className)"""))
    phone.goto("/")
    county_map = phone.locator("svg.county-map").bounding_box()
    assert 300 < county_map["width"] <= PHONE["width"]  # the map fits the phone, its table below it
    phone.goto("/projects/?as_of=2026-09-30")
    assert not phone.locator("form.filters").is_visible()  # folded: the list comes first
    phone.locator("details.filter-panel > summary").click()
    assert phone.locator("form.filters").is_visible()
    card = phone.locator("table.project-list tr[data-light]").first
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    assert card.locator(".col-name a").is_visible() and card.locator(".light").is_visible()
    assert not card.locator(".col-planned").is_visible()
    phone.goto(f"/projects/{project_id}/progress/new?year=2026&quarter=3")
    field = phone.locator("form input[type=text], form input:not([type]), form input[type=number]").first
    assert field.bounding_box()["height"] >= 44
