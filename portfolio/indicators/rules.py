"""Judging a plan indicator in a year: pure functions of the printed targets and the values entered.

- The expected value of a year lies on a straight path from the baseline (基期值, in the baseline
  year) to the target (目标值, in the target year), clamped to those years; for a 期间累计 indicator
  the path runs from 0 at the baseline year (the period's total grows from nothing).
- The latest value is the newest entered for the year or before.
- 已达标: the latest value has reached the target (in the indicator's direction);
  正常: it is on or ahead of the path for its year; 滞后: behind it. A 约束性 indicator that
  lags is red. Text targets ("应保尽保", "稳定增长") and rows whose numbers the document does not
  give cannot be judged and say why (无法评估); an indicator without values is 待填报.

About sixty indicators are judged in Python for each page; there is no SQL twin, as no list is
filtered or paginated by status in the database.
"""
from dataclasses import dataclass
from decimal import Decimal

from portfolio.core.enums import LabelledEnum
from portfolio.indicators.models import Direction, IndicatorNature, Measure

PLACES = Decimal("0.01")


class IndicatorStatus(LabelledEnum):
    REACHED = "reached", "已达标"
    ON_TRACK = "on_track", "正常"
    LAGGING = "lagging", "滞后"
    NO_VALUE = "no_value", "待填报"
    NOT_ASSESSED = "not_assessed", "无法评估"


@dataclass(frozen=True)
class IndicatorFacts:
    """What the rule needs of an indicator (the model, or a row built in a test)."""

    name: str
    unit: str
    nature: IndicatorNature
    direction: Direction
    measure: Measure
    baseline_year: int
    baseline_value: Decimal | None
    target_year: int
    target_value: Decimal | None
    target: str
    """The printed target, for the reason when it is text."""


@dataclass(frozen=True)
class Judgement:
    status: IndicatorStatus
    reason: str
    latest_year: int | None = None
    latest_value: Decimal | None = None
    expected: Decimal | None = None
    """The value on the straight path in the latest value's year (or the judged year when there is none)."""
    red: bool = False
    """A 约束性 indicator that lags."""


def format_value(value: Decimal, unit: str) -> str:
    """79.5岁, 96.5%, 248.7平方米: the number without trailing zeros, then the unit."""
    return f"{value.normalize():f}{unit}"


def expected_value(facts: IndicatorFacts, year: int) -> Decimal | None:
    """The value on the straight path from baseline to target in `year` (None without the numbers)."""
    if facts.target_value is None:
        return None
    start = Decimal(0) if facts.measure is Measure.CUMULATIVE else facts.baseline_value
    if start is None:
        return None
    span = facts.target_year - facts.baseline_year
    share = Decimal(1) if span <= 0 else min(max(Decimal(year - facts.baseline_year) / span, Decimal(0)), Decimal(1))
    return start + (facts.target_value - start) * share


def _better_or_equal(facts: IndicatorFacts, value: Decimal, than: Decimal) -> bool:
    return value >= than if facts.direction is Direction.UP else value <= than


def judge(facts: IndicatorFacts, values: dict[int, Decimal], year: int) -> Judgement:
    """The indicator's status as of the end of `year`, from the values entered for that year or before."""
    if facts.target_value is None:
        if not facts.target or facts.target == "-":
            reason = "规划文本未印目标值"
        elif any(character.isdigit() for character in facts.target):
            reason = f"目标“{facts.target}”未记为可比较的数值（见种子数据说明）"
        else:
            reason = f"目标为“{facts.target}”，不是可比较的数值"
        return Judgement(IndicatorStatus.NOT_ASSESSED, reason)
    known = {y: v for y, v in values.items() if y <= year}
    if not known:
        return Judgement(IndicatorStatus.NO_VALUE, f"尚未填报{year}年或以前的实际值",
                         expected=expected_value(facts, year))
    latest_year = max(known)
    latest = known[latest_year]
    target = format_value(facts.target_value, facts.unit)
    actual = f"{latest_year}年实际{format_value(latest, facts.unit)}"
    if facts.measure is Measure.CUMULATIVE:
        actual = f"{facts.baseline_year + 1}–{latest_year}年累计{format_value(latest, facts.unit)}"
    expected = expected_value(facts, latest_year)
    if _better_or_equal(facts, latest, facts.target_value):
        return Judgement(IndicatorStatus.REACHED, f"{actual}，已达到{facts.target_year}年目标{target}",
                         latest_year, latest, expected)
    if expected is None:
        return Judgement(IndicatorStatus.NOT_ASSESSED, f"{actual}，尚未达到目标{target}；规划文本未印基期值，无法按进度判断",
                         latest_year, latest)
    shown = format_value(expected.quantize(PLACES), facts.unit)
    gap = format_value(abs(latest - expected).quantize(PLACES), facts.unit)
    if _better_or_equal(facts, latest, expected):
        not_worse = "不低于" if facts.direction is Direction.UP else "不高于"
        return Judgement(IndicatorStatus.ON_TRACK, f"{actual}，{not_worse}按线性进度应达的{shown}（目标{target}）",
                         latest_year, latest, expected)
    worse = "低于" if facts.direction is Direction.UP else "高于"
    return Judgement(IndicatorStatus.LAGGING, f"{actual}，按线性进度应达{shown}，{worse}{gap}（目标{target}）",
                     latest_year, latest, expected, red=facts.nature is IndicatorNature.BINDING)
