"""规划实施监测 and 专栏任务 in a real Chromium: a value refused for its unit and kept, then saved and
judged; a task's progress with its bar."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_enter_an_indicator_value_and_a_task_progress(page, seeded):
    page.goto("/indicators/?plan=&nature=expected")
    page.get_by_role("link", name="人均预期寿命(岁)").first.click()
    page.get_by_label("年份").fill("2024")
    page.get_by_label("实际值").fill("79.1%")
    page.get_by_label("数据来源").fill("2024年焦作市国民经济和社会发展统计公报")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error .errors")).to_contain_text("单位应为“岁”")
    expect(page.get_by_label("实际值")).to_have_value("79.1%")
    page.get_by_label("实际值").fill("79.1")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#status")).to_contain_text("2024年实际79.1岁，按线性进度应达79.27岁，低于0.17岁")

    page.goto("/programmes/")
    page.get_by_role("link", name="专栏2:公共教育服务工程").click()
    task = page.locator("section.task", has_text="新建17所中小学校")
    task.get_by_text("录入进展、关联项目").click()
    task.get_by_label("截至日期").fill("2026-10-31")
    task.get_by_label("累计完成").fill("12")
    task.get_by_role("button", name="保存进展").click()
    task = page.locator("section.task", has_text="新建17所中小学校")
    expect(task.locator(".task-state")).to_have_text("已完成17所中的12所（70.6%）")
    expect(task.locator("progress")).to_have_attribute("value", "70")
