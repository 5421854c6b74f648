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
from portfolio.core.spreadsheets import clean, keep_as_text, lay_out_written_sheet
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
    """A sheet per plan: its title and summary in row 1, the indicator table below."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, group in enumerate(plans, start=1):
        sheet = workbook.create_sheet(f"{number}.{clean(group.plan.title)}"[:31].translate(SHEET_NAME_REFUSED))
        sheet.append([clean(f"{group.plan.title}：规划实施监测（截至{year}年）　{group.summary}")])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(HEADER)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in group.rows:
            sheet.append([clean(value) for value in _cells(row)])
            for cell in sheet[sheet.max_row]:
                keep_as_text(cell)
        lay_out_written_sheet(sheet, header_row=2, freeze="E3")
    if not plans:
        workbook.create_sheet(f"{year}年监测").append(["没有规划指标。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET_NAME_REFUSED = str.maketrans({character: "_" for character in "[]:*?/\\"})
"""Characters Excel refuses in a sheet's name."""


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
