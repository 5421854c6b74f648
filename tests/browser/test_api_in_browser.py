"""An account makes an API token on its page and tries the API from the documentation page, which
Swagger UI renders offline from the vendored files: no request leaves the app, no script is refused."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_make_a_token_and_try_the_api_on_the_docs_page(page, live_server, seeded):
    outside, refused = [], []
    page.on("request", lambda request: None if request.url.startswith(live_server) or request.url.startswith("data:")
            else outside.append(request.url))
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)

    page.get_by_role("link", name="API令牌").click()
    page.get_by_label("令牌名称").fill("浏览器试用")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"pf_[A-Za-z0-9_-]{40}", secret)
    expect(page.locator("#tokens")).to_contain_text("浏览器试用")

    page.get_by_role("link", name="API文档").click()
    expect(page.locator(".opblock")).to_have_count(7)
    page.locator("button.authorize").click()
    page.locator(".auth-container input").fill(secret)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".btn-done").click()
    regions = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/regions$")))
    regions.locator(".opblock-summary").click()
    regions.locator("button.try-out__btn").click()
    regions.locator("button.execute").click()
    expect(regions.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(regions.locator(".live-responses-table")).to_contain_text("示范区")
    assert outside == [] and [text for text in refused if "Content Security Policy" in text] == []
