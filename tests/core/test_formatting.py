from decimal import Decimal

import pytest

from portfolio.core.formatting import format_wan, format_yi


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("626457"), "626,457"),
        (Decimal("626457.00"), "626,457"),
        (Decimal("12.5"), "12.50"),
        (Decimal("0"), "0"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (None, "—"),
    ],
)
def test_wan(amount, expected):
    assert format_wan(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("626457"), "62.65"), (Decimal("10000"), "1.00"), (Decimal("4999"), "0.50"), (None, "—")],
)
def test_yi(amount, expected):
    assert format_yi(amount) == expected
