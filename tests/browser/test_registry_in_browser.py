"""A person's path through the registry, in a real Chromium."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_filter_open_refuse_fix_and_save(page, seeded):
    page.goto("/projects/")
    expect(page.locator("#totals")).to_contain_text("626,457.00 万元")

    page.get_by_label("县(市、区)").select_option(label="山阳区")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#totals")).to_contain_text("共 3 个项目")
    assert "region=" in page.url, "the filter is in the URL, so the list can be bookmarked"

    page.get_by_role("link", name="山阳区黄龙山体育公园项目").click()
    expect(page.locator("#planned-investment")).to_have_text("4,000.00")
    page.get_by_role("link", name="编辑", exact=True).click()

    investment = page.get_by_label("计划投资(万元)")
    investment.fill("-4500")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error .errors")).to_have_text("“-4500”不能为负数")
    expect(investment).to_have_value("-4500")

    investment.fill("4,500.5")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("已保存项目")
    expect(page.locator("#planned-investment")).to_have_text("4,500.50")
