"""Money, rates and dates as DESIGN.md writes them: 万元 with two decimals in tables, whole 万元 in
sentences, 亿元 with two decimals, rates and lags with one decimal, dates as 2026年9月30日."""
from datetime import date
from decimal import Decimal

import pytest

from portfolio.core.formatting import (
    format_date,
    format_points,
    format_rate,
    format_share,
    format_wan,
    format_wan_whole,
    format_yi,
)


@pytest.mark.parametrize(
    ("amount", "table", "sentence"),
    [
        (Decimal("626457"), "626,457.00", "626,457"),
        (Decimal("653457.50"), "653,457.50", "653,458"),
        (Decimal("12.5"), "12.50", "13"),
        (Decimal("0"), "0.00", "0"),
        (Decimal("1234567.891"), "1,234,567.89", "1,234,568"),
        (None, "—", "—"),
    ],
)
def test_wan_in_tables_and_sentences(amount, table, sentence):
    assert (format_wan(amount), format_wan_whole(amount)) == (table, sentence)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("626457"), "62.65"), (Decimal("10000"), "1.00"), (Decimal("4999"), "0.50"), (None, "—")],
)
def test_yi(amount, expected):
    assert format_yi(amount) == expected


@pytest.mark.parametrize(
    ("fraction", "rate", "share"),
    [(Decimal("0.51"), "51.0%", "51%"), (Decimal("0.4504"), "45.0%", "45%"), (Decimal("0.0404"), "4.0%", "4%"),
     (Decimal("0.31649"), "31.6%", "31.6%"), (Decimal("0.75"), "75.0%", "75%"), (None, "—", None)],
)
def test_rates_one_decimal(fraction, rate, share):
    assert format_rate(fraction) == rate
    if share:
        assert format_share(fraction) == share


@pytest.mark.parametrize(("points", "text"), [(Decimal("30.04"), "30.0"), (Decimal("9.95"), "10.0"),
                                              (Decimal("10"), "10.0"), (Decimal("-0.04"), "0.0")])
def test_points_one_decimal(points, text):
    assert format_points(points).lstrip("-") == text


def test_dates_in_documents():
    assert format_date(date(2026, 9, 30)) == "2026年9月30日" and format_date(None) == "—"
