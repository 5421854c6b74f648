"""How figures and dates are written for people (DESIGN.md, "Money and rounding", "Chinese text").

万元 with two decimals in tables, whole 万元 in sentences, 亿元 with two decimals, rates and
lags with one decimal, dates in documents as 2026年9月30日.
"""
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from unicodedata import east_asian_width
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from flask import Flask

WAN_PER_YI = Decimal(10000)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def format_wan(amount: Decimal | None) -> str:
    """万元 in a table: 626457 → "626,457.00"."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(CENT, ROUND_HALF_UP):,.2f}"


def format_change(amount: Decimal | None) -> str:
    """A change from one quarter to the next: 200 → "+200.00", −50 → "−50.00", 0 → "0.00"."""
    if amount is None:
        return "—"
    text = format_wan(abs(Decimal(amount)))
    return text if amount == 0 else ("+" if amount > 0 else "−") + text


def format_wan_whole(amount: Decimal | None) -> str:
    """万元 in a sentence: 653457.5 → "653,458"."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(Decimal(1), ROUND_HALF_UP):,.0f}"


def format_yi(amount_wan: Decimal | None) -> str:
    """万元 shown in 亿元 with two decimals: 626457 → "62.65"."""
    if amount_wan is None:
        return "—"
    return f"{(Decimal(amount_wan) / WAN_PER_YI).quantize(CENT, ROUND_HALF_UP):,.2f}"


def percent_tenths(fraction: Decimal) -> Decimal:
    """A fraction as percent rounded to one decimal: 0.4504 → 45.0."""
    return (Decimal(fraction) * HUNDRED).quantize(TENTH, ROUND_HALF_UP)


def format_rate(fraction: Decimal | None) -> str:
    """A rate with one decimal: 0.452 → "45.2%", 0.51 → "51.0%"; no rate → "—"."""
    return "—" if fraction is None else f"{percent_tenths(fraction):f}%"


def format_share(fraction: Decimal) -> str:
    """序时进度 and 工期进度：whole percents stay whole ("75%"), others one decimal ("62.3%")."""
    value = percent_tenths(fraction)
    return f"{value.to_integral_value():f}%" if value == value.to_integral_value() else f"{value:f}%"


def format_points(points: Decimal) -> str:
    """A lag in percentage points, one decimal: 30.04 → "30.0"."""
    return f"{Decimal(points).quantize(TENTH, ROUND_HALF_UP):f}"


def format_date(day: date | None) -> str:
    """2026-09-30 → "2026年9月30日"."""
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


BEIJING = ZoneInfo("Asia/Shanghai")


def format_datetime(moment: datetime | None) -> str:
    """A stored UTC time in Beijing time: 2026-11-23 02:30 UTC → "2026年11月23日 10:30"."""
    if moment is None:
        return "—"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BEIJING)
    return f"{format_date(local.date())} {local:%H:%M}"


def display_width(text: str) -> int:
    """How wide a text is in a table or a spreadsheet column, in half-width characters: a Chinese
    (wide or full-width) character counts two, and so does one a Chinese font draws wide (—, “”, ·)."""
    return sum(2 if east_asian_width(character) in "WFA" else 1 for character in text)


def register(app: "Flask") -> None:
    app.add_template_filter(format_wan, "wan")
    app.add_template_filter(format_wan_whole, "wan_whole")
    app.add_template_filter(format_change, "change")
    app.add_template_filter(format_datetime, "chinese_datetime")
    app.add_template_filter(format_yi, "yi")
    app.add_template_filter(format_rate, "rate")
    app.add_template_filter(format_date, "chinese_date")
