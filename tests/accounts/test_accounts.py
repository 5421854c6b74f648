"""Accounts: login, sessions ended on the server, idle expiry, passwords, throttling, the log."""
import logging
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.accounts.passwords import hash_password, password_problem
from tests.factories import PASSWORD, login, submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_every_page_but_login_needs_a_login(anonymous_client):
    for url in ("/", "/projects/", "/reports/", "/imports/", "/reviews/", "/admin/users", "/projects/export.csv"):
        response = anonymous_client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert anonymous_client.get("/login").status_code == 200
    with anonymous_client.get("/static/css/app.css") as stylesheet:
        assert stylesheet.status_code == 200


def test_login_and_logout_end_the_session_on_the_server(anonymous_client, make_user, app):
    username = make_user("city-staff", Role.CITY)
    response = login(anonymous_client, username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = anonymous_client.get_cookie("session").value
    assert anonymous_client.get("/projects/").status_code == 200

    token = re.search(r'name="csrf_token" value="([^"]+)"', _text(anonymous_client.get("/"))).group(1)
    assert anonymous_client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert anonymous_client.get("/projects/").status_code == 302

    copied = app.test_client()
    copied.set_cookie("session", cookie)
    assert copied.get("/projects/").status_code == 302, "a copied cookie of the ended session no longer works"


def test_disabling_an_account_ends_its_sessions(client, make_user, app):
    other = app.test_client()
    login(other, make_user("viewer-1", Role.VIEWER))
    assert other.get("/projects/").status_code == 200
    with app.app_context():
        from portfolio.core.db import db

        user_id = db.session.scalar(select(User.id).where(User.username == "viewer-1"))
    response = submit(client, f"/admin/users/{user_id}/enabled", {"enable": "0"}, form_url="/admin/users")
    assert response.status_code == 302
    assert other.get("/projects/").status_code == 302
    assert login(other, "viewer-1").status_code == 401


def test_idle_sessions_expire(anonymous_client, make_user, app):
    login(anonymous_client, make_user())
    with anonymous_client.session_transaction() as session:
        session["last_seen"] = datetime.now(UTC).timestamp() - 31 * 60
    response = anonymous_client.get("/projects/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _from(app, address: str):
    """A browser at another address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_lock_the_account_for_that_address_only(anonymous_client, make_user, app):
    username = make_user("county-a", Role.CITY)
    for _ in range(5):
        assert login(anonymous_client, username, "wrong-password-123").status_code == 401
    locked = login(anonymous_client, username)
    assert locked.status_code == 429 and "暂时锁定" in _text(locked)
    assert login(_from(app, "10.0.0.2"), username).status_code == 302, "the same account from elsewhere logs in"


def test_a_flood_of_unknown_names_does_not_lock_out_the_office(anonymous_client, make_user, app):
    """One address (an office behind NAT): 8 wrong passwords on two accounts and 12 unknown names; then
    every further failure from there is answered "too many", for known and unknown names alike, while
    both accounts' right passwords still log in from the same address."""
    admin, colleague = make_user("admin-a", Role.ADMIN), make_user("city-b", Role.CITY)
    for attempt in range(4):
        assert login(anonymous_client, admin, "wrong-password-123").status_code == 401
        assert login(anonymous_client, colleague, "wrong-password-123").status_code == 401
    for attempt in range(12):
        assert login(anonymous_client, f"nobody{attempt}", "wrong-password-123").status_code == 401
    unknown, known_wrong = login(anonymous_client, "anyone", "whatever-password"), login(anonymous_client, colleague, "x" * 12)
    assert unknown.status_code == known_wrong.status_code == 429
    assert "失败次数过多" in _text(unknown) and "失败次数过多" in _text(known_wrong)
    assert login(app.test_client(), admin).status_code == 302
    assert login(app.test_client(), make_user("city-c", Role.CITY)).status_code == 302
    assert login(_from(app, "10.0.0.9"), colleague).status_code == 302  # its 5 tries from the office are spent


def test_guessing_one_account_from_many_addresses_locks_it(make_user, app):
    username = make_user("county-c", Role.CITY)
    limit = app.config["LOGIN_ACCOUNT_LOCK_AFTER"]
    for attempt in range(limit):
        assert login(_from(app, f"10.1.{attempt // 4}.{attempt % 4}"), username, "wrong-password-123").status_code == 401
    locked = login(_from(app, "10.2.0.1"), username)
    assert locked.status_code == 429 and "暂时锁定" in _text(locked)


def test_one_time_password_must_be_changed_first(anonymous_client, app, runner):
    result = runner.invoke(args=["users", "ensure-admin"])
    password = re.search(r"一次性密码：(\S+?)（", result.output).group(1)
    assert runner.invoke(args=["users", "ensure-admin"]).output == "", "printed once, only when there is no account"
    assert login(anonymous_client, "admin", password).status_code == 302
    assert anonymous_client.get("/projects/").headers["Location"] == "/account/password"
    weak = submit(anonymous_client, "/account/password", {"current_password": password, "new_password": "123456789012",
                                                          "confirm": "123456789012"})
    assert weak.status_code == 422 and "常见密码" in _text(weak)
    changed = submit(anonymous_client, "/account/password", {"current_password": password,
                                                             "new_password": "a-new-long-passphrase",
                                                             "confirm": "a-new-long-passphrase"})
    assert changed.status_code == 302 and anonymous_client.get("/projects/").status_code == 200


@pytest.mark.parametrize(
    ("password", "username", "problem"),
    [("short-pass", "", "至少12个字符"), ("password1234", "", "常见密码"), ("aaaaaaaaaaaaaa", "", "常见密码"),
     ("zhangsan-secret-1", "zhangsan", "不能包含用户名"), ("correct-horse-battery", "zhangsan", None)],
)
def test_password_policy(password, username, problem):
    found = password_problem(password, username)
    assert (found is None) if problem is None else problem in found


def test_passwords_are_argon2id_at_owasp_parameters(owasp_hashing):
    assert hash_password(PASSWORD).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_cli_create_and_list_users(runner, seeded, anonymous_client):
    result = runner.invoke(args=["users", "create", "--username", "shanyang", "--role", "county", "--region", "山阳区",
                                 "--password-stdin"], input="county-password-2026\n")
    assert result.exit_code == 0, result.output
    assert "shanyang" in runner.invoke(args=["users", "list"]).output
    assert login(anonymous_client, "shanyang", "county-password-2026").status_code == 302
    missing_region = runner.invoke(args=["users", "create", "--username", "x1", "--role", "county", "--password-stdin"],
                                   input="county-password-2026\n")
    assert missing_region.exit_code != 0 and "必须指定县(市、区)" in missing_region.output
    prompted = runner.invoke(args=["users", "create", "--username", "x2", "--role", "viewer"],
                             input="viewer-password-2026\nviewer-password-2026\n")
    assert prompted.exit_code == 0, prompted.output


def test_security_events_are_logged(anonymous_client, make_user, caplog):
    caplog.set_level(logging.INFO, logger="portfolio.security")
    username = make_user("logger-1", Role.VIEWER)
    login(anonymous_client, username, "wrong-password-123")
    login(anonymous_client, username)
    anonymous_client.get("/projects/new")
    messages = [record.getMessage() for record in caplog.records if record.name == "portfolio.security"]
    assert any(m.startswith("login_failed user=logger-1 address=127.0.0.1") for m in messages)
    assert any(m.startswith("login user=logger-1") for m in messages)
    assert any(m.startswith("access_refused user=logger-1") and "path=/projects/new" in m for m in messages)
