"""Hardening: CSRF, cookies, headers, the secret key, error pages, hostile input, backups."""
import hashlib
import re
import subprocess
import tarfile

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portfolio.core import media
from portfolio.core.settings import ROOT
from portfolio.registry.models import Project
from tests.factories import form_fields, login

HOSTILE = "<script>alert('x')</script>'; DROP TABLE projects; --"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_forged_form_without_csrf_token_changes_nothing(client, seeded, in_app):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == "孟州市全民健身中心")))
    for url, data in ((f"/projects/{project_id}/delete", {}), ("/projects/new", {"name": "伪造"}),
                      (f"/projects/{project_id}/progress/new", {"year": "2025", "quarter": "1"})):
        response = client.post(url, data=data)
        assert response.status_code == 400 and "CSRF" in _text(response)
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Project))) == 13


def test_session_cookie_flags_and_security_headers(anonymous_client, make_user):
    response = login(anonymous_client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = anonymous_client.get("/projects/")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    scripts = re.findall(r"<script[^>]*>", _text(page))
    assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts), \
        "only the app's own script files, no inline script"


def test_secure_cookie_when_configured(make_user, make_app):
    secure = make_app(TESTING=True, SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    response = login(client, make_user())
    assert "Secure" in response.headers["Set-Cookie"]


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch, make_app):
    monkeypatch.setenv("PORTFOLIO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = make_app().config["SECRET_KEY"], make_app().config["SECRET_KEY"]
    assert first == second == (tmp_path / "secret_key").read_text() and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert "instance/" in (ROOT / ".gitignore").read_text()


def test_errors_are_friendly_pages_without_stack_traces(make_app, make_user):
    broken = make_app(TESTING=False)

    @broken.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    client = broken.test_client()
    login(client, make_user())
    response = client.get("/boom")
    assert response.status_code == 500 and "服务器出错" in _text(response)
    assert "secret internals" not in _text(response) and "Traceback" not in _text(response)
    assert client.get("/no/such/page").status_code == 404 and "页面不存在" in _text(client.get("/no/such/page"))


def test_hostile_text_is_stored_and_shown_escaped(client, seeded, in_app):
    form = form_fields(_text(client.get("/projects/new")))
    response = client.post("/projects/new", data=form | {"name": HOSTILE, "planned_investment": "10", "start_year": "2025",
                                                        "end_year": "2026", "content": HOSTILE, "sector": "other"})
    assert response.status_code == 302, re.findall(r"<li>(.*?)</li>", _text(response))
    page = _text(client.get(response.headers["Location"]))
    assert HOSTILE not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert in_app(lambda s: s.scalar(select(Project.content).where(Project.name == HOSTILE))) == HOSTILE
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Project))) == 14
    listed = _text(client.get("/projects/?q=" + "%27%3B DROP"))
    assert "共 <strong>1</strong> 个项目" in listed


@pytest.mark.parametrize(("field", "length", "message"), [("name", 201, "不能超过200个字"),
                                                          ("responsible_unit", 201, "不能超过200个字"),
                                                          ("content", 5001, "不能超过5000个字")])
def test_over_long_fields_are_refused(client, seeded, in_app, field, length, message):
    form = form_fields(_text(client.get("/projects/new")))
    data = form | {"name": "长字段测试", "planned_investment": "10", "start_year": "2025", "end_year": "2026",
                   "sector": "other", field: "长" * length}
    response = client.post("/projects/new", data=data)
    assert response.status_code == 422 and message in _text(response)
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Project))) == 13


def test_county_cannot_import_another_regions_progress(app, seeded, make_user, in_app):
    from io import BytesIO

    from openpyxl import load_workbook

    from portfolio.accounts.models import Role
    from portfolio.registry.models import Region

    county = app.test_client()
    login(county, make_user("shanyang", Role.COUNTY, "山阳区"))
    other = in_app(lambda s: s.scalar(select(Region.id).where(Region.name == "孟州市")))
    workbook = load_workbook(BytesIO(county.get(
        f"/imports/progress-template.xlsx?template-region={other}&template-year=2025&template-quarter=4").data))
    sheet = workbook.active
    sheet["I3"], sheet["J3"], sheet["K3"] = 100, 100, 10  # row 1 the title, row 2 the header
    buffer = BytesIO()
    workbook.save(buffer)
    token = form_fields(_text(county.get("/imports/")))
    response = county.post("/imports/progress", data={**{k: v for k, v in token.items() if k.startswith("progress")},
                                                      "progress-file": (BytesIO(buffer.getvalue()), "进展.xlsx")},
                           content_type="multipart/form-data")
    assert "不属于您可填报的县(市、区)" in _text(response) and "确认导入" not in _text(response)


def _every_table(engine) -> dict[str, tuple[int, str]]:
    """Each table's row count and a SHA-256 of its rows (sorted, as text): equal means the same data."""
    from portfolio.core.db import db

    with engine.connect() as connection:
        return {table.name: (len(rows := sorted(repr(tuple(map(str, row))) for row in connection.execute(select(table)))),
                             hashlib.sha256("\n".join(rows).encode()).hexdigest())
                for table in db.metadata.sorted_tables}


def test_backup_archive_restores_database_and_media(runner, seeded, app, tmp_path, in_app, make_app, monkeypatch):
    """Back up, then restore as README.md says (unpack; SQLite: put the file in place; PostgreSQL:
    pg_restore into an empty database; put the media folder in place) and compare every table's rows
    by a checksum, and the photo bytes — on both databases."""
    from portfolio.core.db import db

    media_dir = tmp_path / "live-media"
    monkeypatch.setitem(app.config, "MEDIA_DIR", media_dir)
    with app.app_context():
        digest = media.store(b"\xff\xd8 a stored photo")
        live = _every_table(db.engine)
    assert live["projects"][0] == 13 and live["judgements"][0] > 0
    out = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1个照片、文件" in result.output
    restored = tmp_path / "restored"
    with tarfile.open(out) as archive:
        archive.extractall(restored, filter="data")
    assert (restored / "media" / digest[:2] / digest[2:4] / digest).read_bytes() == b"\xff\xd8 a stored photo"
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        restored_url = f"sqlite:///{restored / 'portfolio.sqlite3'}"
    else:
        name = f"{url.database}_restored"
        server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            server.dispose()
        subprocess.run(["pg_restore", "--no-owner", "-h", url.host, "-p", str(url.port), "-U", url.username or "postgres",
                        "-d", name, str(restored / "portfolio.dump")], check=True, capture_output=True)
        restored_url = url.set(database=name).render_as_string(hide_password=False)
    copy = create_engine(restored_url)  # read as restored, before an app's start-up judges anything again
    try:
        assert _every_table(copy) == live
    finally:
        copy.dispose()
    restored_app = make_app(SQLALCHEMY_DATABASE_URI=restored_url, MEDIA_DIR=restored / "media")
    with restored_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Project)) == 13
        assert media.read(digest) == b"\xff\xd8 a stored photo"