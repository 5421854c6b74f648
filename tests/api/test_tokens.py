"""API tokens: made on the account's own page and shown once, kept only as a digest, listed with
their last use, revoked by their owner or an administrator; a token never opens a page and a
session cookie never opens the API; a disabled account's tokens stop; every use is logged; a
per-token rate limit."""
import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.api import views
from portfolio.api.models import ApiToken
from portfolio.core.audit import AuditEntry
from tests.factories import csrf_token, login, submit

SECRET = re.compile(r'<code class="secret">(pf_[A-Za-z0-9_-]+)</code>')


def _tokens(in_app) -> list[tuple]:
    return in_app(lambda session: session.execute(
        select(ApiToken.name, ApiToken.digest, ApiToken.use_count, ApiToken.last_used_dt, ApiToken.revoked_dt)
        .order_by(ApiToken.id)).all())


def test_a_token_is_made_on_the_account_page_shown_once_and_kept_as_a_digest(app, api, seeded, make_user, in_app):
    make_user("county", Role.COUNTY, "山阳区")
    browser = app.test_client()
    login(browser, "county")
    page = submit(browser, "/account/tokens", {"name": "县级台账同步"})
    assert page.status_code == 201
    secret = SECRET.search(page.get_data(as_text=True)).group(1)
    ((name, digest, uses, last_used, revoked),) = _tokens(in_app)
    assert (name, digest, uses, last_used, revoked) == ("县级台账同步", hashlib.sha256(secret.encode()).hexdigest(),
                                                        0, None, None)
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and secret[:8] in listing and "从未使用" in listing
    assert secret not in str(in_app(lambda session: session.execute(select(AuditEntry.changes)).all()))

    assert api.get("/api/v1/regions", secret).status_code == 200
    assert api.get("/api/v1/plans", secret).status_code == 200
    ((_, _, uses, last_used, _),) = _tokens(in_app)
    assert uses == 2 and last_used is not None
    assert "从未使用" not in browser.get("/account/tokens").get_data(as_text=True)


def test_a_refused_name_stays_on_the_page_and_nothing_is_made(app, make_user, in_app):
    make_user("city", Role.CITY)
    browser = app.test_client()
    login(browser, "city")
    assert submit(browser, "/account/tokens", {"name": "省平台"}).status_code == 201
    for name, message in (("", "请填写令牌名称"), ("省平台", "已有名为“省平台”的有效令牌"), ("长" * 51, "不能超过50个字"),
                          ("台账\x07", "控制字符")):
        page = submit(browser, "/account/tokens", {"name": name})
        html = page.get_data(as_text=True)
        assert page.status_code == 422 and message in html and 'class="secret"' not in html
        assert f'value="{name}"' in html or name == "" or "\x07" in name
    assert len(_tokens(in_app)) == 1


def test_revoking_stops_the_token_at_once_and_only_owner_or_admin_may(app, api, seeded, make_user, in_app):
    make_user("county", Role.COUNTY, "山阳区")
    make_user("other", Role.COUNTY, "孟州市")
    make_user("admin", Role.ADMIN)
    first, second = api.token("county", "一"), api.token("county", "二")
    first_id, second_id = in_app(lambda session: session.scalars(select(ApiToken.id).order_by(ApiToken.id)).all())

    other = app.test_client()
    login(other, "other")
    refused = other.post(f"/account/tokens/{first_id}/revoke", data={"csrf_token": csrf_token(other, "/account/tokens")})
    assert refused.status_code == 404 and api.get("/api/v1/regions", first).status_code == 200
    assert "一" not in other.get("/account/tokens").get_data(as_text=True).split('id="tokens"')[1]
    assert other.get("/admin/tokens").status_code == 403

    owner = app.test_client()
    login(owner, "county")
    done = owner.post(f"/account/tokens/{first_id}/revoke", data={"csrf_token": csrf_token(owner, "/account/tokens")})
    assert done.status_code == 302
    assert api.get("/api/v1/regions", first).status_code == 401
    assert api.get("/api/v1/regions", second).status_code == 200

    admin = app.test_client()
    login(admin, "admin")
    everyone = admin.get("/admin/tokens").get_data(as_text=True)
    assert "county" in everyone and "已撤销" in everyone and "二" in everyone
    admin.post(f"/account/tokens/{second_id}/revoke", data={"csrf_token": csrf_token(admin, "/admin/tokens"),
                                                            "from": "all"})
    assert api.get("/api/v1/regions", second).status_code == 401
    trail = in_app(lambda session: session.execute(
        select(AuditEntry.username, AuditEntry.action).where(AuditEntry.table_name == "api_tokens")
        .order_by(AuditEntry.id)).all())
    assert trail[-2:] == [("county", "update"), ("admin", "update")]


def test_tokens_never_open_pages_and_cookies_never_open_the_api(app, api, make_user):
    make_user("city", Role.CITY)
    secret = api.token("city")
    page = app.test_client().get("/projects/", headers={"Authorization": f"Bearer {secret}"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]

    browser = app.test_client()
    login(browser, "city")
    assert browser.get("/projects/").status_code == 200
    answer = browser.get("/api/v1/projects")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthenticated"
    assert "Set-Cookie" not in api.get("/api/v1/regions", secret).headers


def test_bad_tokens_and_a_disabled_account_are_refused(app, api, make_user, in_app):
    make_user("city", Role.CITY)
    secret = api.token("city")
    for header in ("", "Bearer", f"Basic {secret}", "Bearer pf_nothing", f"Bearer {secret}x", "Bearer " + "x" * 5000):
        answer = api.get("/api/v1/regions", headers={"Authorization": header} if header else {})
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")

    def disable(session):
        session.scalar(select(User).where(User.username == "city")).is_enabled = False
        session.commit()

    in_app(disable)
    assert api.get("/api/v1/regions", secret).status_code == 401


def test_a_token_pauses_while_its_password_must_be_changed(api, make_user, in_app):
    make_user("city", Role.CITY)
    secret = api.token("city")

    def reset(session):
        session.scalar(select(User).where(User.username == "city")).must_change_password = True
        session.commit()

    in_app(reset)
    answer = api.get("/api/v1/regions", secret)
    assert answer.status_code == 403 and "修改密码" in answer.get_json()["error"]["message"]


def test_the_page_showing_a_new_secret_is_not_cached(app, make_user):
    make_user("city", Role.CITY)
    browser = app.test_client()
    login(browser, "city")
    assert submit(browser, "/account/tokens", {"name": "一次"}).headers["Cache-Control"] == "no-store"


def test_every_use_is_logged(api, make_user, caplog):
    make_user("city", Role.CITY)
    secret = api.token("city")
    with caplog.at_level(logging.INFO, logger="portfolio.api"):
        api.get("/api/v1/regions", secret)
        api.get("/api/v1/projects?light=purple", secret)
        api.get("/api/v1/plans")
        api.get("/api/v1/projects/1/progress/x%0Aapi_request token=1 user=admin", secret)
    lines = [record.getMessage() for record in caplog.records if record.name == "portfolio.api"]
    assert len(lines) == 4 and all("\n" not in line for line in lines)
    assert "user=city method=GET path='/api/v1/regions' status=200" in lines[0]
    assert "path='/api/v1/projects?light=purple' status=400" in lines[1]
    assert "token=- user=- method=GET path='/api/v1/plans' status=401" in lines[2]
    assert "path='/api/v1/projects/1/progress/x\\napi_request token=1 user=admin' status=" in lines[3]


def test_each_token_has_its_own_rate_limit(app, api, make_user, monkeypatch):
    make_user("city", Role.CITY)
    busy, quiet = api.token("city", "忙"), api.token("city", "闲")
    monkeypatch.setitem(app.config, "API_RATE_PER_MINUTE", 3)
    clock = [datetime(2026, 11, 23, 9, 30, 10, tzinfo=UTC)]
    monkeypatch.setattr(views, "utc_now", lambda: clock[0])
    assert [api.get("/api/v1/regions", busy).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = api.get("/api/v1/regions", busy)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "50"
    assert "每分钟最多3次" in limited.get_json()["error"]["message"]
    assert api.get("/api/v1/regions", quiet).status_code == 200
    clock[0] += timedelta(seconds=50)
    assert api.get("/api/v1/regions", busy).status_code == 200
