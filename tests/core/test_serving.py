"""`make serve`'s server for real: gunicorn with two worker processes on the test database. The
workers agree on the generated secret key (a session made by one is honoured by the other), and
behind one proxy the client's address comes from X-Forwarded-For (the security log names it)."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from portfolio.core.settings import ROOT
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("committed")  # other threads, processes or connections

GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _open(opener, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str, str]:
    """(status, final URL, body) of a request, its connection closed."""
    request = urllib.request.Request(url, urllib.parse.urlencode(data).encode() if data else None, headers or {})
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.geturl(), response.read().decode()


CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def test_gunicorn_workers_share_the_key_and_trust_one_proxy(database_url, make_user, tmp_path):
    make_user("city-user")
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environment = os.environ | {"DATABASE_URL": database_url, "PORTFOLIO_INSTANCE_PATH": str(tmp_path / "instance"),
                                "PORTFOLIO_PROXY_HOPS": "1", "SECRET_KEY": ""}
    with log.open("w") as output:
        # started from another folder: pages and assets are found from the package, not the working directory
        server = subprocess.Popen([str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                   "--pythonpath", str(ROOT), "wsgi:app"],
                                  cwd=tmp_path, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for _ in range(120):
            try:
                if _open(browser, f"{base}/login")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        token = CSRF.search(_open(browser, f"{base}/login")[2]).group(1)
        wrong = _open(browser, f"{base}/login", {"csrf_token": token, "username": "city-user", "password": "wrong"},
                      {"X-Forwarded-For": "203.0.113.7"})
        assert wrong[0] == 401
        token = CSRF.search(_open(browser, f"{base}/login")[2]).group(1)
        assert _open(browser, f"{base}/login", {"csrf_token": token, "username": "city-user",
                                                "password": PASSWORD})[1] == f"{base}/"
        assert _open(browser, f"{base}/static/css/app.css")[0] == 200
        answers = [_open(browser, f"{base}/projects/") for _ in range(20)]
        assert all((status, url) == (200, f"{base}/projects/") for status, url, _ in answers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text()
    assert "Booting worker" in output and output.count("Booting worker") >= 2
    assert "login_failed user=city-user address=203.0.113.7" in output
    assert len(list((tmp_path / "instance").glob("secret_key*"))) == 1


def test_forwarded_headers_count_only_behind_a_configured_proxy(make_app, make_user, caplog):
    make_user("city-user")
    for hops, address in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        client = make_app(PROXY_HOPS=hops, WTF_CSRF_ENABLED=False).test_client()
        with caplog.at_level("INFO", logger="portfolio.security"):
            client.post("/login", data={"username": "city-user", "password": "wrong"},
                        headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert f"login_failed user=city-user address={address}" in caplog.text
        caplog.clear()
