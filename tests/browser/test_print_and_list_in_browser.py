"""On paper and in the compact list, in a real Chromium: printing hides the navigation, filters and
buttons, keeps the lights' colours and heads the page with what was printed and when; the list's
其他原因 open from 等N项 without JavaScript."""
import re

import pytest

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


def test_the_other_reasons_open_from_the_compact_list(list_page):
    page = list_page
    row = page.locator("tr[data-light='red']").filter(has=page.locator("details.more-reasons")).first
    more = row.locator("details.more-reasons")
    summary = more.locator("summary")
    assert re.fullmatch(r"等\d+项", summary.inner_text())
    assert not more.locator("li").first.is_visible()
    summary.click()
    assert more.locator("li").first.is_visible()
