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


def test_sources_filter_archive_and_restore(page, seeded):
    page.goto("/projects/")
    page.get_by_role("link", name="孟州市全民健身中心").click()
    page.get_by_role("link", name="编辑", exact=True).click()
    page.get_by_label("项目代码").fill("2101-410883-04-01-000009")
    page.get_by_label("联系电话").fill("1391234")
    page.get_by_label("地方政府专项债券(万元)").fill("2,000")
    page.get_by_label("中央预算内投资(万元)").fill("1000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error .errors")).to_contain_text("不是手机号或带区号的固定电话")
    expect(page.get_by_label("地方政府专项债券(万元)")).to_have_value("2,000")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#funding-unallocated")).to_have_text("尚有600.00万元未落实资金来源。")

    for source in ("地方政府专项债券", "中央预算内投资"):
        page.goto("/projects/")
        page.get_by_label("资金来源").select_option(label=source)
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("table.data tbody tr")).to_have_count(1)
        expect(page.locator("#totals")).to_contain_text("共 1 个项目")

    page.get_by_role("link", name="孟州市全民健身中心").click()
    page.get_by_role("link", name="归档", exact=True).click()
    page.get_by_role("button", name="确认归档").click()
    expect(page.locator(".field.has-error .errors")).to_have_text("请填写归档原因")
    page.get_by_label("归档原因").fill("已并入市级全民健身中心")
    page.get_by_role("button", name="确认归档").click()
    expect(page.locator("#archived")).to_contain_text("已并入市级全民健身中心")
    expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(0)
    page.goto("/projects/")
    expect(page.locator("#totals")).to_contain_text("共 12 个项目")
    page.get_by_label("归档").select_option(label="已归档项目")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="孟州市全民健身中心").click()
    page.get_by_role("button", name="恢复").click()
    expect(page.locator(".flash-success")).to_contain_text("已恢复项目")
    page.goto("/projects/")
    expect(page.locator("#totals")).to_contain_text("共 13 个项目")
