"""The quarterly report's tables as plain text, once: the PDF (`reports/pdf.py`) and the Word file
(`reports/docx.py`) lay out the same header, rows and figures, so the two can never disagree."""
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portfolio.core.formatting import display_width, format_date, format_rate, format_share, format_wan
from portfolio.dashboard.queries import with_annual_plans
from portfolio.problems.queries import ProblemFigures
from portfolio.reports.data import QuarterlyReport
from portfolio.rules import Light
from portfolio.rules.totals import GroupFigures, funding_lines
from portfolio.timeline.geometry import Timeline, build_timeline


class RowsOf(Sequence):
    """Table rows made from `items` by `make_row(number, item)` only when a slice of them is asked for,
    so a long table's cells exist a chunk at a time."""

    def __init__(self, items: Sequence, make_row: Callable[[int, object], list[str]]):
        self.items, self.make_row = items, make_row

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            numbers = range(len(self.items))[index]
            return [self.make_row(number + 1, self.items[number]) for number in numbers]
        return self.make_row(index + 1, self.items[index])


def wan(label: str) -> str:
    """A header with its unit on a line of its own: "本季度完成投资" above "（万元）", never "(万 / 元)"."""
    return f"{label}\n（万元）"


@dataclass(frozen=True)
class ReportTable:
    header: list[str]
    rows: Sequence[list[str]]
    numeric: tuple[int, ...] = ()
    """Columns of figures (right-aligned)."""
    lights: Sequence[Light] = ()
    """Each row's light, when its last column is the light."""
    total_row: bool = False
    """The last row is a total (bold)."""


SAMPLED_ROWS = 400
"""Rows of a long table that its column widths are measured on, spread over the whole table."""
HEADER_LINE = 8
"""A text column is at least this wide (in half-width characters: four Chinese ones), or as wide as its content."""
SHORT_TEXT = 6
"""A column whose longest text is at most this many Chinese characters wide (a county, 2021—2024) keeps it on one line."""
WIDEST_SHARE = 0.4
"""No column's content claims more than this share of the width: a long text wraps instead."""


def column_widths(table: ReportTable, width: float, size: float, padding: float) -> list[float]:
    """Each column's width, summing to `width`, from what it holds — for the PDF and the Word file
    alike. A column's natural width is its longest line (header and a sample of the rows measured by
    `_line_width`, plus `padding`); figures and short texts never wrap, so such a column is at least
    its natural width, a longer text column at least four characters, and no
    column asks for more than `WIDEST_SHARE` of the room. When that does not fit, each column keeps
    its least width and the rest of the room is shared in proportion to what each would still need:
    an empty column takes nothing from a column full of text."""
    columns = len(table.header) if table.header else len(table.rows[0])
    count = len(table.rows)
    step = max(1, count // SAMPLED_ROWS)
    sample = [table.rows[index] for index in range(0, count, step)]
    natural = [0.0] * columns
    for row in ([table.header] if table.header else []) + sample:
        for index, value in enumerate(row):
            natural[index] = max(natural[index], *(_line_width(line, size) for line in str(value).split("\n")))
    natural_width = [line + padding for line in natural]
    if sum(natural_width) <= width:  # every cell on one line
        return [w * width / sum(natural_width) for w in natural_width]
    wanted = [min(WIDEST_SHARE * width, w) for w in natural_width]
    if sum(wanted) <= width:  # the long texts held back fit: the rest of the room goes to them
        excess = [high - low for high, low in zip(natural_width, wanted, strict=True)]
        return [low + (width - sum(wanted)) * more / sum(excess) for low, more in zip(wanted, excess, strict=True)]
    least = [wanted[index] if index in table.numeric or natural[index] <= SHORT_TEXT * size
             else min(wanted[index], HEADER_LINE * size / 2 + padding) for index in range(columns)]
    if sum(least) >= width:
        return [w * width / sum(least) for w in least]
    more = sum(wanted) - sum(least)
    return [low + (high - low) * (width - sum(least)) / more for low, high in zip(least, wanted, strict=True)]


def _line_width(line: str, size: float) -> float:
    """A line's width at `size` points: a Chinese character `size`, another (a digit, a Latin letter)
    0.6 × `size` — a little more than most fonts draw, so a figure never wraps for a point too few."""
    wide = display_width(line) - len(line)
    return size * wide + 0.6 * size * (len(line) - wide)


def facts_table(report: QuarterlyReport) -> ReportTable:
    """一、总体情况: the figures in words, label and value."""
    total = report.total
    status_text = "、".join(f"{row.label}{row.count}个" for row in report.by_status if row.count) or "无"
    annual = (f"有年度计划的{total.annual_count}个项目计划{format_wan(total.annual_plan)}万元，已完成"
              f"{format_wan(total.annual_completed)}万元（占{format_rate(total.annual_rate)}，"
              f"序时进度{format_share(report.schedule_share)}）" if total.annual_plan > 0 else "未填报年度计划")
    if total.other_year_completed > 0:
        annual += f"；未填报年度计划的项目本年完成{format_wan(total.other_year_completed)}万元"
    rows = [
        ["项目数", f"{total.count}个（{status_text}）"],
        ["计划总投资", f"{format_wan(total.planned_investment)}万元"],
        ["累计完成投资", f"{format_wan(total.cumulative_investment)}万元，完成率{format_rate(total.completion_rate)}"],
        [f"{report.reporting_year}年第{report.reporting_quarter}季度完成投资", f"{format_wan(total.quarter_investment)}万元"],
        [f"{report.reporting_year}年度计划投资", annual],
        ["预警", f"红灯{total.red}个、黄灯{total.yellow}个、绿灯{total.green}个、已完成{total.done}个"],
    ]
    if total.cancelled_count:
        rows.append(["已取消", f"{total.cancelled_count}个，计划投资{format_wan(total.cancelled_planned)}万元（不计入以上统计）"])
    return ReportTable([], rows)


def funding_table(total: GroupFigures) -> ReportTable:
    """资金来源（计划投资构成）, from the same roll-up as the dashboard's table."""
    return ReportTable(["资金来源", wan("金额"), "占计划总投资"],
                       [[line.label, format_wan(line.amount), format_rate(line.share)] for line in funding_lines(total)],
                       numeric=(1, 2), total_row=True)


def funding_excess(total: GroupFigures) -> str | None:
    if not total.funding.excess:
        return None
    return (f"其中{total.funding.excess_count}个项目的资金来源合计超过其计划投资，共超出"
            f"{format_wan(total.funding.excess)}万元，故合计大于计划总投资。")


def trend_table(report: QuarterlyReport) -> ReportTable:
    """一、(二) 近八个季度走势: the dashboard's trend table for the report's projects; the year's columns
    only where an annual plan exists ("—" for a quarter of a year without one)."""
    if not with_annual_plans(report.trends):
        return ReportTable(["季度", wan("本季度完成投资"), "红灯", "黄灯"],
                           [[t.label, format_wan(t.quarter_investment), str(t.red), str(t.yellow)] for t in report.trends],
                           numeric=(1, 2, 3))

    def year_figures(t) -> list[str]:
        return [format_wan(t.annual_completed), format_wan(t.paced), format_wan(t.annual_plan)] if t.annual_plan > 0 \
            else ["—"] * 3

    return ReportTable(["季度", wan("本季度完成投资"), wan("年内累计完成"), wan("年度计划序时进度"), wan("年度计划"),
                        "红灯", "黄灯"],
                       [[t.label, format_wan(t.quarter_investment), *year_figures(t), str(t.red), str(t.yellow)]
                        for t in report.trends],
                       numeric=(1, 2, 3, 4, 5, 6))


def group_table(first_column: str, rows: Sequence[GroupFigures], total: GroupFigures) -> ReportTable:
    """二、分县区 and 三、分领域: each group and the total."""
    return ReportTable(
        [first_column, "项目数", wan("计划投资"), wan("累计完成"), "完成率", "红灯", "黄灯"],
        [[row.label, str(row.count), format_wan(row.planned_investment), format_wan(row.cumulative_investment),
          format_rate(row.completion_rate), str(row.red), str(row.yellow)] for row in (*rows, total)],
        numeric=(1, 2, 3, 4, 5, 6), total_row=True)


def warnings_table(report: QuarterlyReport) -> ReportTable:
    """四、预警项目: red first, then yellow, each with its reasons, problems and next steps."""
    return ReportTable(["序号", "项目名称", "县(市、区)", "原因", "存在问题", "下步计划", "预警"],
                       RowsOf(report.warnings, lambda n, w: [str(n), w.name, w.region, "\n".join(w.reasons), w.problems,
                                                            w.next_steps, w.light.label]),
                       lights=[w.light for w in report.warnings])


def details_table(report: QuarterlyReport) -> ReportTable:
    """六、项目进展明细: every project of the report."""
    return ReportTable(
        ["序号", "项目名称", "县(市、区)", wan("计划投资"), "建设年限", wan("累计完成"), "完成率", wan("本季度"),
         "形象进度", "审核", "预警"],
        RowsOf(report.projects, lambda n, p: [
            str(p.number), p.name, p.region, format_wan(p.planned), p.build_years, format_wan(p.cumulative),
            format_rate(p.rate), format_wan(p.this_quarter) if p.this_quarter is not None else "—", p.works_status,
            p.review, p.light.label]),
        numeric=(3, 5, 6, 7), lights=[p.light for p in report.projects])


def cancelled_table(report: QuarterlyReport) -> ReportTable:
    """附：已取消项目: the projects cancelled on the report's date, outside every figure above."""
    return ReportTable(["序号", "项目名称", "县(市、区)", wan("计划投资"), "建设年限", wan("累计完成")],
                       RowsOf(report.cancelled, lambda n, p: [str(p.number), p.name, p.region, format_wan(p.planned),
                                                             p.build_years, format_wan(p.cumulative)]),
                       numeric=(3, 5))


def milestones_table(report: QuarterlyReport) -> ReportTable:
    """附：本季度完成的节点."""
    return ReportTable(["序号", "项目名称", "县(市、区)", "节点", "完成日期"],
                       RowsOf(report.milestones_reached, lambda n, m: [str(n), m.project, m.region, m.milestone,
                                                                      format_date(m.actual_date)]))


TIMELINE_ROWS = 25
"""Red projects in one timeline picture: a page's height."""


def red_timelines(report: QuarterlyReport) -> list[Timeline]:
    """附：红灯项目时间轴: the red projects, the most delayed first, a page's worth per picture."""
    projects = report.red_timeline
    return [build_timeline(projects[start:start + TIMELINE_ROWS], report.as_of)
            for start in range(0, len(projects), TIMELINE_ROWS)]


def red_timeline_note(report: QuarterlyReport) -> str:
    drawn = len(report.red_timeline)
    scope = (f"红灯项目共{report.total.red}个，按滞后程度列出最滞后的{drawn}个" if report.total.red > drawn
             else f"红灯项目{drawn}个，按滞后程度排列")
    return (f"{scope}。横条为建设年限；空心菱形为节点计划日期，实心为实际完成日期；红色为滞后的节点；"
            f"竖虚线为{format_date(report.as_of)}。")


def problem_count_tables(figures: ProblemFigures) -> list[ReportTable]:
    """五、存在问题: the counts by type and by county, each with its total."""
    return [ReportTable([first_column, "新增", "已解决", "无法解决", "未解决"],
                        [[row.label, str(row.raised), str(row.solved), str(row.unsolvable), str(row.open)]
                         for row in (*rows, figures.total)], numeric=(1, 2, 3, 4), total_row=True)
            for first_column, rows in (("问题类型", figures.by_kind), ("县(市、区)", figures.by_region))]


def open_problems_table(figures: ProblemFigures) -> ReportTable:
    """五、存在问题: those still open at the end of the quarter."""
    return ReportTable(["序号", "项目", "县(市、区)", "类型", "问题", "责任单位", "办结时限"],
                       RowsOf(figures.open_problems, lambda n, p: [
                           str(n), p.project, p.region, p.kind, p.description, p.responsible_units,
                           format_date(p.deadline) + ("（已超期）" if p.overdue else "")]))
