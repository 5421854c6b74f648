from decimal import Decimal

import pytest

from portfolio.core.parsing import ParseError, parse_amount, parse_build_years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015—2024", (2015, 2024)),
        ("2021-2024", (2021, 2024)),
        ("2021–2024", (2021, 2024)),
        ("2021~2024", (2021, 2024)),
        ("2021～2024", (2021, 2024)),
        ("2021年—2024年", (2021, 2024)),
        ("2021至2024年", (2021, 2024)),
        (" 2021 — 2024 ", (2021, 2024)),
        ("２０２１—２０２４", (2021, 2024)),
        ("2023年", (2023, 2023)),
        ("2023", (2023, 2023)),
    ],
)
def test_build_years_as_plans_print_them(text, expected):
    assert parse_build_years(text) == expected


@pytest.mark.parametrize("text", ["", "2021—", "21—24", "二〇二一", "2021/2024", "2021—2024—2025"])
def test_build_years_refused(text):
    with pytest.raises(ParseError, match="建设年限"):
        parse_build_years(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("105465", Decimal("105465")),
        ("1,054.65", Decimal("1054.65")),
        ("１２３４.５", Decimal("1234.5")),
        (" 0 ", Decimal("0")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("-1", "不能为负数"), ("abc", "不是数字"), ("NaN", "不是数字"), ("Infinity", "不是数字"), ("1.234", "最多保留2位小数")],
)
def test_amounts_refused(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_amount(text)
