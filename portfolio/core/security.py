"""Sessions (login required, idle timeout), security headers and the security log."""
import logging
from datetime import UTC, datetime, timedelta

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user, logout_user

from portfolio.core.db import login_manager

log = logging.getLogger("portfolio.security")

PUBLIC_ENDPOINTS = {"auth.login", "static"}
TOKEN_BLUEPRINTS = {"api"}
"""Blueprints that authenticate each request by its API token and never by the session cookie."""
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def client_address() -> str:
    return request.remote_addr or "unknown"


def security_log(event: str, username: str | None = None, **details) -> None:
    """One line per security event: what, who, from where (the log handler adds the time)."""
    extra = " ".join(f"{key}={value}" for key, value in details.items())
    who = username or (current_user.username if current_user.is_authenticated else "-")
    log.info("%s user=%s address=%s %s", event, who, client_address(), extra)


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "basic"
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.blueprint in TOKEN_BLUEPRINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        idle_limit = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]).total_seconds()
        now = datetime.now(UTC).timestamp()
        if now - session.get("last_seen", now) > idle_limit:
            security_log("session_expired")
            logout_user()
            session.clear()
            return login_manager.unauthorized()
        session["last_seen"] = now
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
