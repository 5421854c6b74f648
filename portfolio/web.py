"""Small helpers the blueprints share."""
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import NoReturn

from flask import abort, current_app, request
from flask_login import current_user

from portfolio.rules import Thresholds
from portfolio.security import audit_log


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
