"""Small helpers the views share: today and the as-of date, thresholds, access refusals,
optimistic-locking conflicts and URLs that keep the current filters."""
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import wraps
from typing import NoReturn, TypeVar

from flask import Flask, abort, current_app, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from portfolio.core import audit
from portfolio.core.db import db, utc_now
from portfolio.core.limits import FIRST_YEAR, LAST_YEAR, MAX_ID
from portfolio.core.errors import render_error
from portfolio.core.parsing import CONTROL_CHARACTERS, date_problem
from portfolio.rules import Thresholds, round_quarter

E = TypeVar("E", bound=Enum)


def today() -> date:
    return date.today()


def as_of_arg() -> date:
    """The `as_of` query parameter (YYYY-MM-DD) within the years the app knows, else today."""
    try:
        day = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return today()
    return today() if date_problem("截至日期", day) else day


def int_arg(name: str, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number from the query string or form, or None when it is missing, not a number or
    outside [low, high] — never an error."""
    text = request.values.get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if low <= value <= high else None


def enum_arg(name: str, kind: type[E], default: E) -> E:
    """A code of `kind` from the query string, else `default` — never an error."""
    try:
        return kind(request.args.get(name, ""))
    except ValueError:
        return default


def quarter_args() -> tuple[int, int]:
    """`year` and `quarter` from the query string or form, each defaulting to the quarter whose
    progress is being gathered (`rules.round_quarter`)."""
    default_year, default_quarter = round_quarter(today())
    return (int_arg("year", FIRST_YEAR, LAST_YEAR) or default_year), (int_arg("quarter", 1, 4) or default_quarter)


def page_arg() -> int:
    return int_arg("page") or 1


def whole_numbers_up_to(largest: int) -> str:
    """A regular expression matching exactly the whole numbers 0…`largest` (no leading zeros)."""
    digits = str(largest)
    shorter = [r"0", r"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    same_length = []
    for place, digit in enumerate(digits):
        low = "1" if place == 0 else "0"
        if digit > low:
            top = str(int(digit) - 1)
            same_length.append(f"{digits[:place]}[{low}-{top}]" + (r"\d{%d}" % (len(digits) - place - 1)))
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in URLs: numbers beyond MAX_ID are not found (404, whatever the method), not an
    overflow (500) — the bound is in the pattern, so a PUT to a number too large is not "405"."""

    regex = whole_numbers_up_to(MAX_ID)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def thresholds() -> Thresholds:
    """The rules' thresholds set by LAG_YELLOW_PP / LAG_RED_PP / REPORT_DUE_DAYS (README)."""
    return Thresholds(lag_yellow_pp=Decimal(str(current_app.config["LAG_YELLOW_PP"])),
                      lag_red_pp=Decimal(str(current_app.config["LAG_RED_PP"])),
                      report_due_days=int(current_app.config["REPORT_DUE_DAYS"]))


def refuse() -> NoReturn:
    """403; the error handler writes it to the security log with who tried what (once)."""
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
    return audit.changes_since(db.session, table_name, record.id, opened) or [_unknown_change(record)]


def _unknown_change(record):
    """A placeholder entry when the trail holds no newer version (a change made outside the app)."""
    return audit.AuditEntry(username="其他用户", created_dt=record.modified_dt, changes='{"version": [0, 0]}',
                      table_name=record.__tablename__, record_id=record.id, action="update")


def url_with(**changes) -> str:
    """The current page's URL with some query parameters changed; `None` removes one."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def control_character_problem() -> str | None:
    """Why the request's query string or an uploaded file's name is refused: a character no one types
    (a NUL, which PostgreSQL cannot store, a lone surrogate), named by the parameter; None if fine.
    Form fields are refused by their own forms (`core.forms.refuse_control_characters`), which keep
    the typed text on the page; JSON bodies by the API (`api.views.json_object`)."""
    for name, value in request.args.items(multi=True):
        if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
            return f"网址参数“{CONTROL_CHARACTERS.sub('', name)[:30]}”含有不可见的控制字符，请删除后重试。"
    for name, upload in request.files.items(multi=True):
        if CONTROL_CHARACTERS.search(upload.filename or ""):
            return f"上传的文件（{CONTROL_CHARACTERS.sub('', name)[:30]}）的文件名含有不可见的控制字符，请改名后再上传。"
    return None


def register(app: Flask) -> None:
    @app.before_request
    def refuse_control_characters():
        if problem := control_character_problem():
            return render_error(400, problem)
        return None

    app.add_template_global(url_with)
    app.add_template_global(utc_now, "now")  # the printed page's header says when it was printed
