"""The status rule of a plan indicator, as a table: baseline, target, values entered, year → status and reason."""
from decimal import Decimal

import pytest

from portfolio.indicators.models import Direction, IndicatorNature, Measure
from portfolio.indicators.rules import IndicatorFacts, IndicatorStatus, expected_value, judge

D = Decimal


def facts(baseline="78.34", target="79.5", unit="岁", nature=IndicatorNature.EXPECTED, direction=Direction.UP,
          measure=Measure.LEVEL, printed="79.5") -> IndicatorFacts:
    return IndicatorFacts("人均预期寿命(岁)", unit, nature, direction, measure, 2020,
                          D(baseline) if baseline is not None else None, 2025, D(target) if target else None, printed)


@pytest.mark.parametrize(("indicator", "values", "year", "status", "reason", "red"), [
    (facts(), {2024: D("79.1")}, 2024, IndicatorStatus.LAGGING,
     "2024年实际79.1岁，按线性进度应达79.27岁，低于0.17岁（目标79.5岁）", False),
    (facts(nature=IndicatorNature.BINDING), {2024: D("79.1")}, 2024, IndicatorStatus.LAGGING,
     "2024年实际79.1岁，按线性进度应达79.27岁，低于0.17岁（目标79.5岁）", True),
    (facts(), {2024: D("79.268")}, 2024, IndicatorStatus.ON_TRACK,
     "2024年实际79.268岁，不低于按线性进度应达的79.27岁（目标79.5岁）", False),
    (facts(), {2023: D("79.5")}, 2024, IndicatorStatus.REACHED, "2023年实际79.5岁，已达到2025年目标79.5岁", False),
    (facts(), {2023: D("79")}, 2022, IndicatorStatus.NO_VALUE, "尚未填报2022年或以前的实际值", False),
    (facts(), {}, 2024, IndicatorStatus.NO_VALUE, "尚未填报2024年或以前的实际值", False),
    (facts(target=None, printed="应保尽保"), {2024: D("99")}, 2024, IndicatorStatus.NOT_ASSESSED,
     "目标为“应保尽保”，不是可比较的数值", False),
    (facts(target=None, printed=""), {}, 2024, IndicatorStatus.NOT_ASSESSED, "规划文本未印目标值", False),
    (facts(target=None, printed="2.67万人次"), {}, 2024, IndicatorStatus.NOT_ASSESSED,
     "目标“2.67万人次”未记为可比较的数值（见种子数据说明）", False),
    (facts(baseline=None, target="90", unit="%", printed="90%"), {2024: D("85")}, 2024, IndicatorStatus.NOT_ASSESSED,
     "2024年实际85%，尚未达到目标90%；规划文本未印基期值，无法按进度判断", False),
    (facts(baseline=None, target="90", unit="%", printed="90%"), {2024: D("90")}, 2024, IndicatorStatus.REACHED,
     "2024年实际90%，已达到2025年目标90%", False),
    # a 期间累计 target runs from 0: 30 万人 over 2021–2025 → 18 by 2023
    (facts(baseline=None, target="30", unit="万人", measure=Measure.CUMULATIVE, printed="30"), {2023: D("17.9")}, 2023,
     IndicatorStatus.LAGGING, "2021–2023年累计17.9万人，按线性进度应达18万人，低于0.1万人（目标30万人）", False),
    (facts(baseline=None, target="30", unit="万人", measure=Measure.CUMULATIVE, printed="30"), {2023: D("18")}, 2023,
     IndicatorStatus.ON_TRACK, "2021–2023年累计18万人，不低于按线性进度应达的18万人（目标30万人）", False),
    # lower is better
    (facts(baseline="10", target="6", unit="‰", direction=Direction.DOWN, printed="6"), {2023: D("7.5")}, 2023,
     IndicatorStatus.ON_TRACK, "2023年实际7.5‰，不高于按线性进度应达的7.6‰（目标6‰）", False),
    (facts(baseline="10", target="6", unit="‰", direction=Direction.DOWN, printed="6"), {2023: D("8")}, 2023,
     IndicatorStatus.LAGGING, "2023年实际8‰，按线性进度应达7.6‰，高于0.4‰（目标6‰）", False),
    (facts(baseline="10", target="6", unit="‰", direction=Direction.DOWN, printed="6"), {2024: D("5.9")}, 2024,
     IndicatorStatus.REACHED, "2024年实际5.9‰，已达到2025年目标6‰", False),
    # the latest value at or before the year judged counts; later ones do not
    (facts(), {2022: D("78.9"), 2024: D("79.0")}, 2023, IndicatorStatus.ON_TRACK,
     "2022年实际78.9岁，不低于按线性进度应达的78.8岁（目标79.5岁）", False),
])
def test_judge(indicator, values, year, status, reason, red):
    judgement = judge(indicator, values, year)
    assert (judgement.status, judgement.reason, judgement.red) == (status, reason, red)


@pytest.mark.parametrize(("year", "expected"), [
    (2019, D("78.34")), (2020, D("78.34")), (2023, D("79.036")), (2025, D("79.5")), (2030, D("79.5"))])
def test_the_straight_path_is_clamped_to_the_plan_years(year, expected):
    assert expected_value(facts(), year) == expected
