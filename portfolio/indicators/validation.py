"""The one check of an indicator's actual value, for the form (and the seed loader's numbers).

A value is typed as a number, optionally followed by the indicator's own unit ("79.6", "79.6岁",
"96.5%"); a different unit ("79.6%" for 岁) is refused, not converted. Years are those of the
plan period; a percentage lies within 0–100.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from portfolio.core.parsing import ParseError, text_problem
from portfolio.indicators.models import PlanIndicator

LIMIT = Decimal("1e10")
SOURCE_LENGTH = 500
GROSS_RATE_CEILING = 200
VALUE_LABELS = {"year": "年份", "value": "实际值", "source": "数据来源"}
_NUMBER = re.compile(r"([+-]?\d+(?:\.\d+)?)(.*)")


def parse_number(text: str) -> Decimal:
    """A plain number ("78.34", full-width digits, thousands separators); four decimals at most."""
    normalized = unicodedata.normalize("NFKC", str(text)).replace(",", "").strip()
    try:
        number = Decimal(normalized)
    except InvalidOperation:
        raise ParseError(f"“{str(text)[:30]}”不是数字") from None
    if not number.is_finite() or abs(number) >= LIMIT:
        raise ParseError(f"“{str(text)[:30]}”不是有效的数值")
    if number != number.quantize(Decimal("0.0001")):
        raise ParseError(f"“{str(text)[:30]}”最多保留4位小数")
    return number


def parse_value(text: str | None, unit: str, gross: bool = False) -> Decimal:
    """The number of a typed value, its unit (if typed) checked against the indicator's. A rate
    lies within 0–100, a gross rate (毛入学率: enrolment of any age ÷ the age group) within 0–200."""
    typed = unicodedata.normalize("NFKC", text or "").replace(",", "").strip()
    if not typed:
        raise ParseError("请填写实际值")
    match = _NUMBER.fullmatch(typed)
    if match is None:
        raise ParseError(f"“{typed[:30]}”不是数字")
    typed_unit = match.group(2).strip()
    if typed_unit and typed_unit != unicodedata.normalize("NFKC", unit):
        expected = f"单位应为“{unit}”" if unit else "该指标没有单位"
        raise ParseError(f"“{typed[:30]}”的单位是“{typed_unit[:10]}”，{expected}，请只填数字")
    value = parse_number(match.group(1))
    ceiling = GROSS_RATE_CEILING if gross else 100
    if unit == "%" and not 0 <= value <= ceiling:
        raise ParseError(f"比率应在0–{ceiling}之间，不是{value.normalize():f}")
    return value


def value_errors(indicator: PlanIndicator, year: int | None, value_text: str | None,
                 source: str | None) -> tuple[dict[str, str], Decimal | None]:
    """{field: Chinese message} and the parsed value (None when refused)."""
    errors, value = {}, None
    plan = indicator.plan
    if year is None:
        errors["year"] = "请填写年份"
    elif not plan.start_year <= year <= plan.end_year:
        errors["year"] = f"{year}年不在规划期（{plan.start_year}–{plan.end_year}年）内"
    try:
        value = parse_value(value_text, indicator.unit, gross="毛" in indicator.name)
    except ParseError as error:
        errors["value"] = str(error)
    if not (source or "").strip():
        errors["source"] = "请填写数据来源（如统计公报、部门报表）"
    elif problem := text_problem("数据来源", source, SOURCE_LENGTH):
        errors["source"] = problem
    return errors, None if errors else value
