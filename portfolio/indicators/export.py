"""规划实施监测 as Excel and as PDF: the 年度监测 report on its own, and the section the Q4 quarterly
report includes — one drawing of the indicator table (`indicator_flowables`) for both."""
import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from portfolio.core.formatting import format_datetime
from portfolio.core.spreadsheets import clean, keep_as_text
from portfolio.indicators.queries import IndicatorRow, PlanMonitoring
from portfolio.reports.fonts import PdfFont
from portfolio.reports.pdf import MARGIN, ChunkedDocument, Styles, indicator_flowables, numbered_canvas, rendering_lock

HEADER = ["序号", "类别", "领域", "指标", "指标性质", "基期值", "最新值", "目标值", "应达值", "状态", "说明"]


def _cells(row: IndicatorRow) -> list[str]:
    indicator, judgement = row.indicator, row.judgement
    return [str(indicator.number), indicator.category or "—", indicator.area or "—", indicator.name,
            indicator.nature.label, f"{indicator.baseline or '—'}（{indicator.baseline_year}年）", row.latest,
            f"{indicator.target or '—'}（{indicator.target_year}年）", row.expected,
            judgement.status.label + ("（约束性滞后）" if judgement.red else ""), judgement.reason]


def monitoring_xlsx(plans: Sequence[PlanMonitoring], year: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年监测"
    bold = Font(bold=True)
    sheet.append([f"规划实施监测（截至{year}年）"])
    sheet["A1"].font = bold
    for group in plans:
        sheet.append([])
        sheet.append([clean(group.plan.title), clean(group.summary)])
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
        ChunkedDocument(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                        bottomMargin=16 * mm, title=title, author=issuer, creator="portfolio").build(
            story, canvasmaker=numbered_canvas(font.name, title))
        return buffer.getvalue()
