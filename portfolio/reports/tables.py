"""The quarterly report's tables as plain text, once: the PDF (`reports/pdf.py`) and the Word file
(`reports/docx.py`) lay out the same header, rows and figures, so the two can never disagree."""
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portfolio.core.formatting import format_date, format_rate, format_share, format_wan
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
    return ReportTable(["资金来源", "金额(万元)", "占计划总投资"],
                       [[line.label, format_wan(line.amount), format_rate(line.share)] for line in funding_lines(total)],
                       numeric=(1, 2), total_row=True)


def funding_excess(total: GroupFigures) -> str | None:
    if not total.funding.excess:
        return None
    return (f"其中{total.funding.excess_count}个项目的资金来源合计超过其计划投资，共超出"
            f"{format_wan(total.funding.excess)}万元，故合计大于计划总投资。")


def trend_table(report: QuarterlyReport) -> ReportTable:
    """一、(二) 近八个季度走势: the dashboard's trend table for the report's projects."""
    return ReportTable(["季度", "本季度完成投资(万元)", "年内累计完成(万元)", "年度计划序时进度(万元)", "年度计划(万元)",
                        "红灯", "黄灯"],
                       [[t.label, format_wan(t.quarter_investment), format_wan(t.annual_completed), format_wan(t.paced),
                         format_wan(t.annual_plan), str(t.red), str(t.yellow)] for t in report.trends],
                       numeric=(1, 2, 3, 4, 5, 6))


TREND_NOTE = "各季度按季末判断；年内累计完成和年度计划只计有年度计划的项目；序时进度为年度计划×季度/4。"


def group_table(first_column: str, rows: Sequence[GroupFigures], total: GroupFigures) -> ReportTable:
    """二、分县区 and 三、分领域: each group and the total."""
    return ReportTable(
        [first_column, "项目数", "计划投资(万元)", "累计完成(万元)", "完成率", "红灯", "黄灯"],
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
        ["序号", "项目名称", "县(市、区)", "计划投资(万元)", "建设年限", "累计完成(万元)", "完成率", "本季度(万元)",
         "形象进度", "审核", "预警"],
        RowsOf(report.projects, lambda n, p: [
            str(p.number), p.name, p.region, format_wan(p.planned), p.build_years, format_wan(p.cumulative),
            format_rate(p.rate), format_wan(p.this_quarter) if p.this_quarter is not None else "—", p.works_status,
            p.review, p.light.label]),
        numeric=(3, 5, 6, 7), lights=[p.light for p in report.projects])


def cancelled_table(report: QuarterlyReport) -> ReportTable:
    """附：已取消项目: the projects cancelled on the report's date, outside every figure above."""
    return ReportTable(["序号", "项目名称", "县(市、区)", "计划投资(万元)", "建设年限", "累计完成(万元)"],
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
