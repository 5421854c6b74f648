"""Server-side SVG chart geometry: the template only draws what is computed here."""
from dataclasses import dataclass
from decimal import Decimal

from portfolio.core.formatting import format_wan


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    value_label: str


@dataclass(frozen=True)
class BarGroup:
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    series: tuple[str, ...]
    groups: tuple[BarGroup, ...]


def grouped_bar_chart(rows: list[tuple[str, tuple[Decimal, ...]]], series: tuple[str, ...],
                      width: int = 720, label_width: int = 110, bar_height: int = 12) -> BarChart:
    """Horizontal bars, one group per row (e.g. a region) and one bar per series (planned, completed)."""
    largest = max((value for _, values in rows for value in values), default=Decimal(0)) or Decimal(1)
    plot_width = width - label_width - 90
    group_height = bar_height * len(series) + 10
    groups = []
    for index, (label, values) in enumerate(rows):
        top = 30 + index * group_height
        bars = tuple(Bar(top + n * bar_height, float(value / largest) * plot_width, format_wan(value))
                     for n, value in enumerate(values))
        groups.append(BarGroup(label, top, bars))
    return BarChart(width, 30 + len(rows) * group_height + 10, label_width, bar_height, series, tuple(groups))


def trend_chart(trends, with_annual_plans: bool) -> BarChart:
    """近八个季度走势 (`QuarterTrend`s): the year's completed investment against the annual plans' pace,
    or, where no quarter had an annual plan, each quarter's completed investment."""
    if with_annual_plans:
        return grouped_bar_chart([(trend.label, (trend.annual_completed, trend.paced)) for trend in trends],
                                 series=("年内累计完成", "年度计划序时进度"))
    return grouped_bar_chart([(trend.label, (trend.quarter_investment,)) for trend in trends], series=("本季度完成投资",))
