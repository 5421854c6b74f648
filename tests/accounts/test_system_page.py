"""The 系统 page: an administrator sees how the installation is set up (font, database, media,
last backup, jobs) and the server commands; staff pages no longer show any of it, and no one but
an administrator reaches the page."""
from pathlib import Path

import pytest

from portfolio.accounts.models import Role
from portfolio.core import media
from portfolio.core.backup import LAST_BACKUP
from tests.factories import login


def test_an_administrator_sees_the_installation(committed, client, seeded, app, runner, tmp_path, monkeypatch):
    """`flask backup` reads the database through a connection of its own: committed."""
    monkeypatch.setitem(app.config, "MEDIA_DIR", tmp_path / "media")
    (Path(app.instance_path) / LAST_BACKUP).unlink(missing_ok=True)  # another test's backup
    with app.app_context():
        media.store(b"\xff\xd8 a photo of the site")
    page = client.get("/admin/system").get_data(as_text=True)
    assert "portfolio 0.1.0" in page and "结构版本 0016" in page and "13个" in page
    assert "PORTFOLIO_PDF_FONT" in page and "demo --remove" in page and "CJK-" in page
    assert "1个文件" in page and "没有记录" in page
    out = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    backed_up = client.get("/admin/system").get_data(as_text=True)
    assert str(out) in backed_up and "没有记录" not in backed_up
    assert 'href="/admin/system"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CITY, Role.COUNTY, Role.VIEWER])
def test_staff_do_not_reach_it_nor_see_operator_text(app, seeded, make_user, role):
    browser = app.test_client()
    login(browser, make_user(f"staff-{role.value}", role, "山阳区" if role is Role.COUNTY else None))
    assert browser.get("/admin/system").status_code == 403
    for url in ("/", "/reports/?year=2026&quarter=3"):
        page = browser.get(url).get_data(as_text=True)
        assert "PORTFOLIO_" not in page and "flask" not in page and "/admin/system" not in page
        assert ".ttc" not in page and ".ttf" not in page


def test_an_unreadable_backup_record_is_no_record(client, app):
    (Path(app.instance_path) / LAST_BACKUP).write_text("{not json", encoding="utf-8")
    assert "没有记录" in client.get("/admin/system").get_data(as_text=True)
    (Path(app.instance_path) / LAST_BACKUP).unlink()
