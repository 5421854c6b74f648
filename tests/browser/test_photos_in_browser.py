"""A county attaches photos to its quarter in a real Chromium (files really uploaded through the
file input), sees them in the gallery, and the reviewer sees them on the review page."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project
from tests.browser.test_quarter_in_browser import _tab
from tests.media.test_photos_and_documents import jpeg, png

pytestmark = pytest.mark.browser


def test_county_uploads_photos_and_the_reviewer_sees_them(browser, live_server, seeded, in_app, make_user, tmp_path):
    def add_report(session):
        project = session.scalar(select(Project).where(Project.name == "山阳区黄龙山体育公园项目"))
        report = ProgressReport(project=project, year=2026, quarter=3, cumulative_investment=Decimal(100),
                                quarter_investment=Decimal(100), physical_progress=Decimal(10))
        session.add(report)
        session.commit()
        return project.id, report.id

    project_id, report_id = in_app(add_report)
    phone, screenshot = tmp_path / "IMG_2034.JPG", tmp_path / "现场.png"
    phone.write_bytes(jpeg(size=(3000, 4000)))
    screenshot.write_bytes(png())
    page = _tab(browser, live_server, make_user("county-browser", Role.COUNTY, "山阳区"))
    page.goto(f"/projects/{project_id}/progress/{report_id}/edit")
    page.get_by_label("选择照片").set_input_files([str(phone), str(screenshot)])
    page.get_by_label("说明（可选").fill("看台钢结构吊装")
    page.get_by_role("button", name="上传照片").click()
    expect(page.locator(".flash-success")).to_contain_text("已上传2张照片")
    expect(page.locator("#photos .photo")).to_have_count(2)
    expect(page.locator("#photos .photo-date").first).to_have_text("2026年9月12日")
    page.goto(f"/projects/{project_id}")
    expect(page.locator("#gallery img")).to_have_count(2)
    size = page.locator("#gallery img").first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert max(size) == 320, "the thumbnail, served to a logged-in user"

    in_app(lambda s: setattr(s.get(ProgressReport, report_id), "review_state", ReviewState.SUBMITTED) or s.commit())
    page = _tab(browser, live_server, make_user("city-browser", Role.CITY))
    page.goto("/reviews/?year=2026&quarter=3")
    expect(page.locator(".review-photos img")).to_have_count(2)
    expect(page.locator(".review-photos")).to_contain_text("看台钢结构吊装")
