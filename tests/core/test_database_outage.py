"""PostgreSQL goes away while people work, for real: a server of this test's own (as .ci/run starts
one) is stopped and started again. Meanwhile pages answer a Chinese 503 page and the API a JSON 503,
nothing is half-written; once the server is back the app recovers by itself (pool_pre_ping)."""
import gc
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio import create_app
from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.registry.models import Region, RegionKind
from tests.factories import api_token, build_user, csrf_token, login

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A throw-away PostgreSQL cluster: initdb, then `start()` / `stop()` as often as wanted."""

    def __init__(self):
        self.bin = Path(BINARIES[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="portfolio-outage-"))
        self.port = _free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *arguments: str) -> None:
        subprocess.run([*self.as_owner, str(self.bin / program), *arguments], check=True, capture_output=True)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), "-w",
                  "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                        "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def server():
    if not BINARIES:
        pytest.skip("PostgreSQL is not installed (.ci/run installs it)")
    made = Server()
    made.start()
    yield made
    made.remove()


@pytest.fixture
def app(server):
    """The app on the test's own server (not the suite's databases)."""
    made = create_app({"TESTING": True, "SECRET_KEY": "outage", "JOB_WORKER": False,
                       "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres"})
    yield made
    with made.app_context():
        db.engine.dispose()
    del made
    with warnings.catch_warnings():  # the connections the outage broke are collected here, not in a later test
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_the_app_answers_503_while_postgresql_is_down_and_recovers_by_itself(app, server):
    with app.app_context():
        db.create_all()
        db.session.add(Region(name="山阳区", city="焦作市", kind=RegionKind.DISTRICT))
        build_user(db.session, "city", Role.CITY)
        token = api_token(db.session, "city")
        db.session.commit()
    browser, api = app.test_client(), app.test_client()
    assert login(browser, "city").status_code == 302
    form_token = csrf_token(browser, "/problems/new")
    headers = {"Authorization": f"Bearer {token}"}
    assert browser.get("/projects/").status_code == 200 and api.get("/api/v1/regions", headers=headers).status_code == 200

    server.stop()
    page = browser.get("/projects/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "数据库暂时不可用" in page.get_data(as_text=True) and "没有保存" in page.get_data(as_text=True)
    answer = api.get("/api/v1/regions", headers=headers)
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "service_unavailable"
    posted = browser.post("/problems/new", data={"csrf_token": form_token, "kind": "land", "description": "停机时提交"})
    assert posted.status_code == 503
    assert app.test_client().get("/login").status_code in (200, 503)  # no 500, not even before logging in

    server.start()
    assert browser.get("/projects/").status_code == 200, "reconnected by itself"
    assert api.get("/api/v1/regions", headers=headers).get_json()["items"][0]["name"] == "山阳区"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Region)) == 1
