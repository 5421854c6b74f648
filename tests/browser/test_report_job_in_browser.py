"""The quarterly report of 10,000 projects, built as a background job: the page shows its progress
bar while a real worker thread lays it out, then offers the PDF, which is downloaded and read back."""
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from bench.generated import generate
from portfolio.jobs import runner

pytestmark = pytest.mark.browser


@pytest.fixture
def ten_thousand(app):
    with app.app_context():
        generate(10_000)


@pytest.fixture
def worker(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_POLL_SECONDS", 0.2)
    thread = runner.Worker(app)
    thread.start()
    yield thread
    thread.stop()


def test_the_10000_project_report_is_a_job_with_a_progress_bar(page, ten_thousand, worker, tmp_path):
    page.goto("/reports/?year=2026&quarter=3")
    expect(page.locator("#report-count")).to_have_text("10000")
    page.get_by_role("button", name="在后台生成PDF").click()
    expect(page.locator("#job-progress")).to_be_visible()
    seen = set()
    for _ in range(600):  # the page refreshes itself every two seconds until the job ends
        state = page.locator("#job").get_attribute("data-state")
        seen.add((state, page.locator("#job-progress").get_attribute("value")))
        if state in ("done", "failed"):
            break
        page.wait_for_timeout(500)
    assert state == "done", page.locator("#job").inner_text()
    assert any(state == "running" for state, _ in seen)
    with page.expect_download() as download:
        page.locator("#job-result").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    reader = PdfReader(path)
    assert len(reader.pages) > 100
    assert "2026年第3季度" in reader.pages[0].extract_text().replace(" ", "")
