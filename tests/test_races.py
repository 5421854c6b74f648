"""Two clicks at once, against real servers: two server processes on the test database, and many
simultaneous first saves of the same quarter's progress, year's annual plan and project's
milestones. No request may fail with a 500; the loser gets a 409 page that keeps its input; one
row is stored."""
import http.cookiejar
import multiprocessing
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.registry.models import Project
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("committed")  # other threads, processes or connections

NAME = "山阳区黄龙山体育公园项目"
TRIES = 8


def _serve(database_url: str, instance: str, port: int) -> None:
    import os

    os.environ["PORTFOLIO_INSTANCE_PATH"] = instance
    from werkzeug.serving import make_server

    from portfolio import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "race-secret",
                      "LOGIN_ADDRESS_LIMIT": 10_000})
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def servers(app, seeded, tmp_path):
    context = multiprocessing.get_context("spawn")
    ports = [_free_port(), _free_port()]
    processes = [context.Process(target=_serve, args=(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), port),
                                 daemon=True) for port in ports]
    for process in processes:
        process.start()
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for process in processes:
        process.terminate()
        process.join(5)


class Browser:
    """One person's browser: its own cookies, following nothing, reading CSRF tokens from forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict, form_path: str | None = None) -> tuple[int, str]:
        _, page = self.get(form_path or path)
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _at_once(calls) -> list[tuple[int, str]]:
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


FIRST_SAVES = {
    "progress": (lambda pid: f"/projects/{pid}/progress/new", None,
                 {"year": "2025", "quarter": "4", "cumulative_investment": "100", "quarter_investment": "100",
                  "physical_progress": "10", "works_status": "", "problems": "", "next_steps": ""},
                 ProgressReport),
    "annual plan": (lambda pid: f"/projects/{pid}/annual-plans", lambda pid: f"/projects/{pid}",
                    {"year": "2026", "planned_investment": "500"}, AnnualPlan),
    "milestones": (lambda pid: f"/projects/{pid}/milestones", None,
                   {"commencement-planned_date": "2022-03-01", "commencement-actual_date": "2022-03-05"},
                   Milestone),
}


@pytest.mark.parametrize("what", list(FIRST_SAVES))
def test_simultaneous_first_saves_on_two_servers(servers, make_user, in_app, what):
    path, form_path, data, model = FIRST_SAVES[what]
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == NAME)))
    username = make_user("racer", Role.CITY)
    browsers = []
    for index in range(TRIES):
        browser = Browser(servers[index % 2])
        status, _ = browser.post("/login", {"username": username, "password": PASSWORD})
        assert status == 302
        browsers.append(browser)
    results = _at_once([lambda b=b: b.post(path(project_id), data, form_path(project_id) if form_path else None)
                        for b in browsers])
    statuses = [status for status, _ in results]
    assert 500 not in statuses, statuses
    assert set(statuses) <= {302, 409, 422}, statuses
    assert statuses.count(302) >= 1
    for status, page in results:
        if status == 409:
            assert "其他人刚刚" in page or "其他人修改了" in page, page[:500]
    rows = in_app(lambda s: s.scalar(select(func.count()).select_from(model).where(model.project_id == project_id)))
    assert rows == 1
