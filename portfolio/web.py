"""Small helpers the blueprints share."""
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import NoReturn

from flask import abort, current_app, request
from flask_login import current_user

from portfolio.extensions import db
from portfolio.models import AuditEntry
from portfolio.rules import Thresholds
from portfolio.security import audit_log
from portfolio.services import history


def today() -> date:
    return date.today()


def thresholds() -> Thresholds:
    """The investment-lag thresholds set by LAG_YELLOW_PP / LAG_RED_PP (README)."""
    return Thresholds(lag_yellow_pp=Decimal(str(current_app.config["LAG_YELLOW_PP"])),
                      lag_red_pp=Decimal(str(current_app.config["LAG_RED_PP"])))


def refuse() -> NoReturn:
    """403, written to the security log with who tried what."""
    audit_log("access_refused", path=request.path, method=request.method)
    abort(403)


def require(predicate: Callable[..., bool]):
    """Route decorator: only users for whom `predicate(user)` holds get through."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not predicate(current_user):
                refuse()
            return view(*args, **kwargs)

        return guarded

    return decorate


def conflicts_since_opened(form, table_name: str, record) -> list:
    """What others changed since the form was opened; then the form takes the current version,
    so saving again (after reading the changes) applies the user's input."""
    opened = int(form.version.data) if str(form.version.data or "").isdigit() else 0
    if record is None or opened == record.version:
        return []
    form.version.data = str(record.version)
    return history.changes_since(db.session, table_name, record.id, opened) or [_unknown_change(record)]


def _unknown_change(record):
    """A placeholder entry when the trail holds no newer version (a change made outside the app)."""
    return AuditEntry(username="其他用户", created_dt=record.modified_dt, changes='{"version": [0, 0]}',
                      table_name=record.__tablename__, record_id=record.id, action="update")
