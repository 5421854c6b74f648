"""How figures are written for people: 万元 with thousands separators, 亿元, percentages."""
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from portfolio.rules import format_percent

if TYPE_CHECKING:
    from flask import Flask

WAN_PER_YI = Decimal(10000)
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def format_wan(amount: Decimal | None) -> str:
    """626457 → "626,457"; 12.5 → "12.50". Whole amounts drop the ".00"."""
    if amount is None:
        return "—"
    amount = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def format_yi(amount_wan: Decimal | None) -> str:
    """万元 shown in 亿元 with two decimals: 626457 → "62.65"."""
    if amount_wan is None:
        return "—"
    return f"{(Decimal(amount_wan) / WAN_PER_YI).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def format_rate(fraction: Decimal | None) -> str:
    """A completion rate: 0.452 → "45.2%"; no rate (no planned amount) → "—"."""
    return "—" if fraction is None else format_percent(fraction)


def register(app: "Flask") -> None:
    app.add_template_filter(format_wan, "wan")
    app.add_template_filter(format_yi, "yi")
    app.add_template_filter(format_rate, "rate")
