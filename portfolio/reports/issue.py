"""Issuing a quarterly report (印发): the PDF and the figures it was built from are stored with an
issue number and never change; a report produced again later is compared with them."""
import json
from datetime import date

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_rate, format_wan
from portfolio.problems.queries import ProblemFigures
from portfolio.reports.data import QuarterlyReport, ReportFilters
from portfolio.reports.models import IssuedReport
from portfolio.rules import quarter_end
from portfolio.rules.totals import GroupFigures, funding_lines


def _group(prefix: str, row: GroupFigures) -> dict[str, str]:
    return {f"{prefix}{row.label}·{name}": value for name, value in (
        ("项目数", str(row.count)), ("计划投资", format_wan(row.planned_investment)),
        ("累计完成", format_wan(row.cumulative_investment)), ("完成率", format_rate(row.completion_rate)),
        ("年度计划", format_wan(row.annual_plan)), ("年度完成", format_wan(row.annual_completed)),
        ("本季度完成", format_wan(row.quarter_investment)), ("红灯", str(row.red)), ("黄灯", str(row.yellow)),
        ("已取消", str(row.cancelled_count)))}


def report_figures(report: QuarterlyReport) -> dict[str, str]:
    """Every figure the report prints, by a name that says where it stands."""
    figures = _group("合计·", report.total)
    for prefix, rows in (("县区·", report.by_region), ("领域·", report.by_sector)):
        for row in rows:
            figures |= _group(prefix, row)
    for row in report.projects:
        figures |= {f"项目·{row.name}·{name}": value for name, value in (
            ("累计完成", format_wan(row.cumulative)), ("完成率", format_rate(row.rate)),
            ("本季度", format_wan(row.this_quarter)), ("状态", row.status), ("预警", row.light.label),
            ("原因", "；".join(row.reasons)))}
    figures |= {f"{FUNDING_PREFIX}{line.label}": format_wan(line.amount) for line in funding_lines(report.total)}
    return figures | problem_counts(report.problems)


PROBLEMS_PREFIX = "问题·"
FUNDING_PREFIX = "资金来源·"
LATER_SECTIONS = (PROBLEMS_PREFIX, FUNDING_PREFIX)
"""Sections added to the report after some were issued: an issued report without them is compared without them."""


def problem_counts(figures: ProblemFigures) -> dict[str, str]:
    """存在问题及协调解决情况: the counts by type, by county and in total."""
    counts = {}
    for group, rows in (("类型·", figures.by_kind), ("县区·", figures.by_region), ("", (figures.total,))):
        for row in rows:
            counts |= {f"{PROBLEMS_PREFIX}{group}{row.label}·{name}": str(value) for name, value in (
                ("新增", row.raised), ("已解决", row.solved), ("无法解决", row.unsolvable), ("未解决", row.open))}
    return counts


def issued_for(session: Session, year: int, quarter: int, filters: ReportFilters) -> IssuedReport | None:
    return session.scalar(select(IssuedReport).where(
        IssuedReport.year == year, IssuedReport.quarter == quarter, IssuedReport.scope_key == filters.key()))


def differences(issued: IssuedReport, report: QuarterlyReport) -> int:
    """How many of the issued report's figures the report made now prints differently (or not at all)."""
    then, now = json.loads(issued.figures), report_figures(report)
    for prefix in LATER_SECTIONS:
        if not any(key.startswith(prefix) for key in then):  # issued before the report had this section
            now = {key: value for key, value in now.items() if not key.startswith(prefix)}
    return sum(1 for key in then.keys() | now.keys() if then.get(key) != now.get(key))


def issue_problem(session: Session, report: QuarterlyReport, filters: ReportFilters, today: date) -> str | None:
    if report.as_of != quarter_end(report.year, report.quarter) or report.as_of >= today:
        return f"{report.year}年第{report.quarter}季度尚未结束，季度结束后才能印发"
    if (issued := issued_for(session, report.year, report.quarter, filters)) is not None:
        return f"该报告已于{issued.issued_dt:%Y年%m月%d日}印发（{issued.issue_number}），不能重复印发"
    return None


def issue_report(session: Session, report: QuarterlyReport, pdf: bytes, filters: ReportFilters) -> IssuedReport:
    """Store the report as issued, numbered 季报〔year〕N号 within the year it is issued for."""
    number = session.scalar(select(func.count(IssuedReport.id)).where(IssuedReport.year == report.year)) + 1
    issued = IssuedReport(
        year=report.year, quarter=report.quarter, scope_key=filters.key(),
        scope="；".join(report.filters) or "全部项目", title=report.title,
        issue_number=f"季报〔{report.year}〕{number}号", as_of=report.as_of, pdf=pdf,
        figures=json.dumps(report_figures(report), ensure_ascii=False),
        issued_by_id=current_user.id, issued_by=current_user.username,
    )
    session.add(issued)
    session.flush()
    return issued


def all_issued(session: Session) -> list[IssuedReport]:
    return list(session.scalars(select(IssuedReport).order_by(IssuedReport.issued_dt.desc(), IssuedReport.id.desc())))
