"""规划实施监测 as Excel and as PDF: the 年度监测 report on its own, and the section the Q4 quarterly
report includes — one drawing of the indicator table (`indicator_flowables`) for both."""
import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from portfolio.core.formatting import format_datetime
from portfolio.core.spreadsheets import clean, keep_as_text
from portfolio.indicators.queries import IndicatorRow, PlanMonitoring
from portfolio.indicators.rules import PLACES, IndicatorStatus, format_value
from portfolio.reports.fonts import PdfFont
from portfolio.reports.pdf import (
    CONTENT_WIDTH,
    MARGIN,
    Styles,
    Wrapper,
    chunked_tables,
    numbered_canvas,
    rendering_lock,
    table_style,
)

HEADER = ["序号", "类别", "领域", "指标", "指标性质", "基期值", "最新值", "目标值", "应达值", "状态", "说明"]


def _cells(row: IndicatorRow) -> list[str]:
    indicator, judgement = row.indicator, row.judgement
    latest = (f"{format_value(judgement.latest_value, indicator.unit)}（{judgement.latest_year}年）"
              if judgement.latest_value is not None else "—")
    expected = (format_value(judgement.expected.quantize(PLACES), indicator.unit)
                if judgement.expected is not None else "—")
    return [str(indicator.number), indicator.category or "—", indicator.area or "—", indicator.name,
            indicator.nature.label, f"{indicator.baseline or '—'}（{indicator.baseline_year}年）",
            latest, f"{indicator.target or '—'}（{indicator.target_year}年）", expected,
            judgement.status.label + ("（约束性滞后）" if judgement.red else ""), judgement.reason]


def status_sentence(group: PlanMonitoring) -> str:
    """“截至2024年，31项指标中已达标5项、正常3项、滞后2项（其中约束性1项）…”."""
    parts = "、".join(f"{status.label}{group.counts[status]}项" for status in IndicatorStatus if group.counts.get(status))
    red = f"，其中约束性指标滞后{group.red}项" if group.red else ""
    return f"截至{group.year}年，{len(group.rows)}项指标中{parts}{red}。"


def monitoring_xlsx(plans: Sequence[PlanMonitoring], year: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年监测"
    bold = Font(bold=True)
    sheet.append([f"规划实施监测（截至{year}年）"])
    sheet["A1"].font = bold
    for group in plans:
        sheet.append([])
        sheet.append([clean(group.plan.title), clean(status_sentence(group))])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(HEADER)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in group.rows:
            sheet.append([clean(value) for value in _cells(row)])
            for cell in sheet[sheet.max_row]:
                keep_as_text(cell)
    for column, width in zip("ABCDEFGHIJK", (6, 14, 12, 40, 9, 18, 16, 24, 12, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def indicator_flowables(plans: Sequence[PlanMonitoring], font: str, styles: Styles) -> list:
    """Per plan: the sentence of counts, then the table; lagging binding indicators in red."""
    wrap = Wrapper(font)
    widths = [w * CONTENT_WIDTH for w in (0.04, 0.2, 0.07, 0.1, 0.1, 0.12, 0.07, 0.07, 0.23)]
    story: list = []
    for group in plans:
        story.append(Paragraph(escape(f"{group.plan.title}：{status_sentence(group)}"), styles.body))
        rows = [[str(row.indicator.number), wrap(row.indicator.name, widths[1]), row.indicator.nature.label,
                 wrap(row.indicator.baseline or "—", widths[3]), wrap(_cells(row)[6], widths[4]),
                 wrap(row.indicator.target or "—", widths[5]), wrap(_cells(row)[8], widths[6]),
                 row.judgement.status.label, wrap(row.judgement.reason, widths[8])] for row in group.rows]
        style = table_style(font, 99)
        for offset, row in enumerate(group.rows, start=1):
            if row.judgement.red:
                style.add("TEXTCOLOR", (0, offset), (-1, offset), colors.HexColor("#c53030"))
        story += chunked_tables(["序号", "指标", "性质", "基期值", "最新值", "目标值", "应达值", "状态", "说明"], rows,
                                widths, style)
        story.append(Spacer(1, 3 * mm))
    return story


def monitoring_pdf(plans: Sequence[PlanMonitoring], year: int, issuer: str, generated_at: datetime,
                   font: PdfFont) -> bytes:
    """规划实施年度监测报告 of `year`: every indicator's status with its reason."""
    title = f"规划实施年度监测报告（{year}年）"
    with rendering_lock:
        styles = Styles(font.name)
        story = [Paragraph(escape(title), styles.title),
                 Paragraph(f"{escape(issuer)} · 生成时间 {format_datetime(generated_at)}（北京时间）", styles.subtitle),
                 Spacer(1, 4 * mm)]
        story += indicator_flowables(plans, font.name, styles) or [Paragraph("没有规划指标。", styles.body)]
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                          bottomMargin=16 * mm, title=title, author=issuer, creator="portfolio").build(
            story, canvasmaker=numbered_canvas(font.name, title))
        return buffer.getvalue()
