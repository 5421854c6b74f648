"""Reading figures as Chinese plan tables print them."""
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from portfolio.core.limits import FIRST_YEAR, LAST_YEAR

_YEAR_RANGE = re.compile(r"^(\d{4})年?(?:\s*(?:—|–|-|~|～|至|到)+\s*(\d{4})年?)?$")


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Characters no one types on purpose, which Excel refuses in a cell (line breaks and tabs are fine),
and lone surrogates, which no database can store (only a JSON body can carry them)."""


def control_character_message(label: str) -> str:
    return f"{label}含有不可见的控制字符，请删除后再保存"


def text_problem(label: str, text: str | None, limit: int, one_line: bool = False) -> str | None:
    """Why a typed text is refused: too long, with control characters, or (`one_line`: a title, a
    name) with a line break or tab; None if it is fine."""
    if not text:
        return None
    if len(text) > limit:
        return f"{label}不能超过{limit}个字"
    if CONTROL_CHARACTERS.search(text):
        return control_character_message(label)
    if one_line and any(character in text for character in "\r\n\t"):
        return f"{label}只能写一行，不能含换行或制表符"
    return None


def date_problem(label: str, day: date) -> str | None:
    """A date outside the years a plan, a project or a report may name (year 1 would even break
    the quarter arithmetic); None if it is fine."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"{label}应在{FIRST_YEAR}年至{LAST_YEAR}年之间"
    return None


TOO_LARGE = Decimal("1e15")
"""Far beyond any amount a form accepts (the limits are in `core.limits`), but small enough to
compare and round exactly."""


class ParseError(ValueError):
    """The text is not what the field expects; the message says why, in Chinese."""


def parse_build_years(text: str) -> tuple[int, int]:
    """建设年限 → (start year, end year): "2021—2024", "2021-2024", "2021年至2024年", "2023年"."""
    normalized = unicodedata.normalize("NFKC", text or "").strip()
    match = _YEAR_RANGE.match(normalized)
    if not match:
        raise ParseError(f"建设年限“{text}”应写作“2021—2024”或“2023”")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    return start, end


def parse_degrees(text) -> Decimal:
    """A longitude or latitude in decimal degrees ("113.241876", full-width digits), kept to six
    decimals (about 0.1 m): more digits, as GPS apps give, are rounded, not refused."""
    normalized = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip().rstrip("°")
    try:
        degrees = Decimal(normalized)
    except InvalidOperation:
        raise ParseError(f"“{str(text)[:30]}”不是以度为单位的数字（如113.241876）") from None
    if not degrees.is_finite() or abs(degrees) > 360:
        raise ParseError(f"“{str(text)[:30]}”不是有效的经纬度")
    return degrees.quantize(Decimal("0.000001"))


def parse_amount(text, places: int = 2) -> Decimal:
    """An amount: "105465", "1,054.65", full-width digits; not negative, `places` decimals at most."""
    normalized = unicodedata.normalize("NFKC", str(text if text is not None else "")).replace(",", "").strip()
    shown = str(text)[:30]
    try:
        amount = Decimal(normalized)
    except InvalidOperation:
        raise ParseError(f"“{shown}”不是数字") from None
    if not amount.is_finite():
        raise ParseError(f"“{shown}”不是数字")
    if amount < 0:
        raise ParseError(f"“{shown}”不能为负数")
    if amount >= TOO_LARGE:
        raise ParseError(f"“{shown}”过大")
    rounded = amount.quantize(Decimal(1).scaleb(-places)).copy_abs()  # "-0" is 0.00
    if amount != rounded:
        raise ParseError(f"“{shown}”最多保留{places}位小数")
    return rounded  # "0e-99999999" is 0.00, not a zero written with a hundred million places
