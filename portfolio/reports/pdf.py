"""Drawing the quarterly report with ReportLab. Only draws: all figures come in the report data."""
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFPage, PDFStream
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portfolio.core.formatting import format_date, format_datetime
from portfolio.dashboard.charts import trend_chart
from portfolio.dashboard.queries import trend_note, with_annual_plans
from portfolio.indicators.queries import PlanMonitoring
from portfolio.problems.queries import ProblemFigures
from portfolio.reports.data import PhotoEntry, QuarterlyReport
from portfolio.reports.fonts import PdfFont
from portfolio.reports.pictures import chart_png, map_png
from portfolio.reports.tables import (
    ReportTable,
    RowsOf,
    cancelled_table,
    column_widths,
    details_table,
    facts_table,
    funding_excess,
    funding_table,
    group_table,
    milestones_table,
    open_problems_table,
    problem_count_tables,
    red_timeline_note,
    red_timelines,
    trend_table,
    warnings_table,
)
from portfolio.rules import Light
from portfolio.rules.totals import GroupFigures
from portfolio.timeline.geometry import LATE_COLOUR, ON_TIME_COLOUR, Timeline

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CHUNK_ROWS = 200
"""Long tables are cut into chunks: ReportLab's splitting of one huge table grows faster than linearly."""
CELL_PADDING = 6
FRAME_PADDING = 6
"""ReportLab's frame keeps 6 points clear on each side of the text."""
TABLE_FONT_SIZE = 7.5
LIGHT_COLOURS = {Light.RED: colors.HexColor("#c53030"), Light.YELLOW: colors.HexColor("#b7791f"),
                 Light.GREEN: colors.HexColor("#1b7f3b"), Light.DONE: colors.HexColor("#4a5568"),
                 Light.CANCELLED: colors.HexColor("#a0aec0")}
GREY = colors.HexColor("#616e7c")
SERIES_COLOURS = (colors.HexColor("#90cdf4"), colors.HexColor("#1b7f3b"))

rendering_lock = threading.Lock()
"""ReportLab is not safe for concurrent use in threads (a TTFont must not serve two documents at once)."""


class Styles:
    def __init__(self, font: str):
        def style(name, size, leading=None, **extra):
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.35,
                                  wordWrap="CJK", **extra)

        self.title = style("title", 18, 26, alignment=TA_CENTER, spaceAfter=6)
        self.subtitle = style("subtitle", 10, alignment=TA_CENTER, textColor=colors.HexColor("#4a5568"))
        self.heading = style("heading", 13, 18, spaceBefore=10, spaceAfter=6, keepWithNext=1)
        self.body = style("body", 10, 16, firstLineIndent=20, spaceAfter=4)


UNBREAKABLE = re.compile(r"(?:[0-9A-Za-z.,%:\-—+~/()（）]+|.)[，。；：、！？）》」”]*", re.S)
"""Numbers (with their separators, percent sign and unit letters) stay whole on one line, and closing
punctuation stays with what it closes: a line never starts with "；" or "。"."""


class Wrapper:
    """Breaks text into lines that fit a column, as plain strings joined by newlines.

    Chinese may break between any two characters, but never inside a number: "24.8%" or
    "2,026" moves to the next line whole. A multi-line plain string costs ReportLab far less
    than a Paragraph (whose CJK line breaking dominated the time of a 10,000-row report).
    """

    def __init__(self, font: str, size: float = TABLE_FONT_SIZE):
        self.font, self.size = font, size
        self.widths: dict[str, float] = {}

    def width(self, token: str) -> float:
        if token not in self.widths:
            self.widths[token] = stringWidth(token, self.font, self.size)
        return self.widths[token]

    def lines(self, text: str, limit: float, first_limit: float | None = None) -> list[str]:
        lines = []
        for paragraph in text.splitlines() or [""]:
            line, used = [], 0.0
            room = first_limit if first_limit is not None and not lines else limit
            for token in UNBREAKABLE.findall(paragraph):
                token_width = self.width(token)
                if line and used + token_width > room:
                    lines.append("".join(line))
                    line, used, room = [], 0.0, limit
                if token_width > room:  # longer than a whole line: only then is it cut
                    for char in token:
                        if line and used + self.width(char) > room:
                            lines.append("".join(line))
                            line, used, room = [], 0.0, limit
                        line.append(char)
                        used += self.width(char)
                    continue
                line.append(token)
                used += token_width
            lines.append("".join(line))
        return lines

    def __call__(self, text: str, column_width: float) -> str:
        return "\n".join(self.lines(text, column_width - CELL_PADDING))


def table_style(font: str, numeric_from: int, header_rows: int = 1, total_row: bool = False) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_FONT_SIZE),
        ("LEADING", (0, 0), (-1, -1), TABLE_FONT_SIZE * 1.3),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e2e8f0")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#a0aec0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, header_rows), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING / 2),
    ]
    if total_row:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f7fafc")))
    return TableStyle(commands)


class ChunkedTables:
    """A long table as tables of CHUNK_ROWS rows, each made only when the layout reaches it
    (`ChunkedDocument`): laid out and drawn, a chunk is dropped before the next is made."""

    def __init__(self, header: list, rows: Sequence[list], widths: list[float], style: TableStyle,
                 lights: Sequence[Light]):
        self.header, self.rows, self.widths, self.style, self.lights = header, rows, widths, style, lights
        self.start = 0

    def next_table(self) -> Table:
        start, self.start = self.start, self.start + CHUNK_ROWS
        chunk_style = TableStyle(self.style.getCommands())
        for offset, light in enumerate(self.lights[start:start + CHUNK_ROWS], start=1):
            chunk_style.add("TEXTCOLOR", (-1, offset), (-1, offset), LIGHT_COLOURS[light])
        return Table([self.header, *self.rows[start:start + CHUNK_ROWS]], colWidths=self.widths, repeatRows=1,
                     style=chunk_style)

    @property
    def exhausted(self) -> bool:
        return self.start >= len(self.rows)


def chunked_tables(header: list, rows: Sequence[list], widths: list[float], style: TableStyle,
                   lights: Sequence[Light] = ()) -> list[ChunkedTables]:
    """One table per CHUNK_ROWS rows, each repeating the header on every page it spans; the last
    column, when `lights` are given, is coloured by each row's light. `rows` may be a `RowsOf`. For a
    `ChunkedDocument`'s story."""
    return [ChunkedTables(header, rows, widths, style, lights)] if len(rows) else []


class ChunkedDocument(SimpleDocTemplate):
    """A document whose story may hold `ChunkedTables`: each gives its next table when it reaches the
    front of the story — or the place after it, so that a heading kept with its next flowable is kept
    with a real table. (Not for use inside KeepTogether, which measures its content beforehand.)"""

    def filterFlowables(self, flowables):  # noqa: N802 (ReportLab's hook, called before each flowable)
        for index in (0, 1):
            if len(flowables) > index and isinstance(flowables[index], ChunkedTables):
                source = flowables[index]
                table = source.next_table()
                if source.exhausted:
                    del flowables[index]
                flowables.insert(index, table)


def _sized(table: ReportTable, wrap: "Wrapper") -> tuple[list[str], Sequence[list], list[float]]:
    """The table's header and rows, each text column wrapped to its width from the content
    (`tables.column_widths`, the Word file's too), and the widths."""
    widths = column_widths(table, CONTENT_WIDTH, TABLE_FONT_SIZE, CELL_PADDING)
    text = tuple(index for index in range(len(widths)) if index not in table.numeric)
    return [wrap(name, width) for name, width in zip(table.header, widths, strict=True)], \
        _wrapped(table, wrap, widths, text), widths


def _long_table(table: ReportTable, font: str, wrap: "Wrapper") -> list:
    """A table that may run over pages, for a `ChunkedDocument`: sized to its content, figures right-aligned."""
    header, rows, widths = _sized(table, wrap)
    return chunked_tables(header, rows, widths, _numeric_columns(table_style(font, 99), table.numeric), table.lights)


def _short_table(table: ReportTable, font: str, wrap: "Wrapper") -> Table:
    """A table of a page at most (the groups, the trend, the counts): sized to its content, the total row shaded."""
    header, rows, widths = _sized(table, wrap)
    return Table([header, *rows], colWidths=widths, repeatRows=1,
                 style=_numeric_columns(table_style(font, 99, total_row=table.total_row), table.numeric))


def _group_table(first_column: str, rows: Sequence[GroupFigures], total: GroupFigures, font: str) -> Table:
    return _short_table(group_table(first_column, rows, total), font, Wrapper(font))


def _wrapped(table: ReportTable, wrap: Wrapper, widths: list[float], columns: tuple[int, ...]) -> RowsOf:
    """The table's rows with the text of `columns` wrapped to their widths (plain lines, not Paragraphs)."""
    return RowsOf(table.rows, lambda n, row: [wrap(cell, widths[index]) if index in columns else cell
                                              for index, cell in enumerate(row)])


def _bar_chart(rows: Sequence[GroupFigures], font: str) -> Drawing:
    """Planned vs completed investment per group, drawn with ReportLab graphics."""
    drawing = Drawing(CONTENT_WIDTH, 62 * mm, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 42, 34, CONTENT_WIDTH - 60, 40 * mm
    chart.data = [[float(r.planned_investment) for r in rows] or [0], [float(r.cumulative_investment) for r in rows] or [0]]
    chart.categoryAxis.categoryNames = [r.label for r in rows] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(rows) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 8 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda value: f"{value:,.0f}"
    chart.barSpacing, chart.groupSpacing = 1, 6
    for index, colour in enumerate(SERIES_COLOURS):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    legend = Legend()
    legend.x, legend.y = CONTENT_WIDTH - 150, 62 * mm - 6
    legend.fontName, legend.fontSize = font, 8
    legend.alignment, legend.columnMaximum, legend.dx, legend.dy = "right", 1, 8, 8
    legend.colorNamePairs = list(zip(SERIES_COLOURS, ("计划投资(万元)", "累计完成(万元)"), strict=True))
    drawing.add(chart)
    drawing.add(legend)
    drawing.add(String(0, 62 * mm - 10, "单位：万元", fontName=font, fontSize=7))
    return drawing


def numbered_canvas(font: str, header: str):
    """A canvas that draws the running header and "第 X 页 共 Y 页" on every page. Each page is written
    as soon as it is finished: Y is a form (a PDF XObject) that every page refers to and that is drawn
    once, when the page count is known — so a report of thousands of pages never holds its pages in
    memory. The footer is centred as if Y had as many digits as X (at most a digit's width off)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **(kwargs | {"initialFontName": font}))  # no unembedded Helvetica preamble

        def showPage(self):
            number = self.getPageNumber()
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(FOOTER_COLOUR)
            self.setStrokeColor(colors.black)
            self.drawString(MARGIN, PAGE_HEIGHT - 10 * mm, header)
            self.line(MARGIN, PAGE_HEIGHT - 11.5 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 11.5 * mm)
            before, after = f"第 {number} 页 共 ", f"{number} 页"
            left = PAGE_WIDTH / 2 - stringWidth(before + after, font, 8) / 2
            self.drawString(left, 9 * mm, before)
            self.translate(left + stringWidth(before, font, 8), 9 * mm)
            self.doForm(PAGE_TOTAL)
            self.restoreState()
            super().showPage()
            _compress_now(self._doc.Pages.pages[-1])

        def save(self):
            self.beginForm(PAGE_TOTAL, lowery=-4 * mm, upperx=30 * mm, uppery=6 * mm)  # room below the baseline
            self.setFont(font, 8)
            self.setFillColor(FOOTER_COLOUR)
            self.drawString(0, 0, f"{self.getPageNumber() - 1} 页")
            self.endForm()
            super().save()

    return NumberedCanvas


def _compress_now(page: PDFPage) -> None:
    """Deflate a finished page's drawing at once, as ReportLab would when it saves the document: a
    report of thousands of pages then holds compressed pages (about a tenth of the size) until the end.
    A stream that already names its filter is written as it is (`PDFStream.format`)."""
    if page.stream and page.compression:
        page.Contents = PDFStream(PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])}),
                                  zlib.compress(page.stream.encode("utf-8")))
        page.Contents.__Comment__ = "page stream"
        page.stream = None


PAGE_TOTAL = "page-total"
FOOTER_COLOUR = colors.HexColor("#4a5568")


def render_quarterly_pdf(report: QuarterlyReport, font: PdfFont,
                         on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The report as PDF bytes (A4); `on_progress(done, total)` after each part is laid out."""
    with rendering_lock:
        return _render(report, font, on_progress)


def _layout_units(flowable) -> int:
    """How much of the layout a flowable is: a table its data rows, a group its parts, anything else 1.
    A table ReportLab splits over pages adds up to the same rows, piece by piece."""
    if isinstance(flowable, ChunkedTables):
        return max(len(flowable.rows), 1)
    if isinstance(flowable, Table):
        return max(len(flowable._cellvalues) - flowable.repeatRows, 1)
    if isinstance(flowable, KeepTogether):
        return sum(_layout_units(part) for part in flowable._content)
    return 1


class _ReportedDocument(ChunkedDocument):
    """A document that says how far its layout got, in `_layout_units` (rows, mostly); it never says
    it is finished before the build returns."""

    def __init__(self, *args, units: int, on_progress: Callable[[int, int], None] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.laid_out, self.on_progress = units, 0, on_progress

    def afterFlowable(self, flowable):  # noqa: N802 (ReportLab's name)
        self.laid_out += _layout_units(flowable)
        if self.on_progress:
            self.on_progress(min(self.laid_out, self.units - 1), self.units)


def _render(report: QuarterlyReport, pdf_font: PdfFont,
            on_progress: Callable[[int, int], None] | None = None) -> bytes:
    font = pdf_font.name
    styles = Styles(font)
    wrap = Wrapper(font)
    total = report.total
    story: list = [
        Spacer(1, 4 * mm),
        Paragraph(escape(report.title), styles.title),
        Paragraph(f"截至{format_date(report.as_of)}（报告期：{report.reporting_year}年第{report.reporting_quarter}季度）"
                  f" · {escape(report.issuer)}", styles.subtitle),
        Paragraph(f"生成时间 {format_datetime(report.generated_at)}（北京时间） · 范围："
                  f"{escape('；'.join(report.filters)) if report.filters else '全部项目'}", styles.subtitle),
        Paragraph("一、总体情况", styles.heading),
    ]
    widths = [0.22 * CONTENT_WIDTH, 0.78 * CONTENT_WIDTH]
    story.append(Table([[wrap(label, widths[0]), wrap(value, widths[1])] for label, value in facts_table(report).rows],
                       colWidths=widths,
                       style=table_style(font, 2, header_rows=0)))
    story.append(Spacer(1, 3 * mm))
    body = Wrapper(font, styles.body.fontSize)
    for sentence in report.summary:
        room = CONTENT_WIDTH - 2 * FRAME_PADDING - 2
        lines = body.lines(sentence, room, first_limit=room - styles.body.firstLineIndent)
        story.append(Paragraph("<br/>".join(escape(line) for line in lines), styles.body))
    story += _funding_section(total, font, styles)
    story += _trend_section(report, font, styles, pdf_font)

    story.append(Paragraph("二、分县区情况", styles.heading))
    story.append(_group_table("县(市、区)", report.by_region, report.total, font))
    story.append(KeepTogether([Spacer(1, 3 * mm), _bar_chart(report.by_region, font)]))
    for county_map in report.maps:
        story.append(KeepTogether([Paragraph(f"{escape(county_map.city)}各县(市、区)计划投资分布：", styles.body),
                                   _picture(map_png(county_map, pdf_font), CONTENT_WIDTH)]))
    story.append(Paragraph("三、分领域情况", styles.heading))
    story.append(_group_table("领域", report.by_sector, report.total, font))
    story.append(KeepTogether([Spacer(1, 3 * mm), _bar_chart(report.by_sector, font)]))

    story.append(Paragraph("四、预警项目", styles.heading))
    if report.warnings:
        story += _long_table(warnings_table(report), font, wrap)
    else:
        story.append(Paragraph("本季度无红灯、黄灯项目。", styles.body))

    story.append(Paragraph("五、存在问题及协调解决情况", styles.heading))
    story += _problems_section(report.problems, font, styles, wrap)

    story.append(Paragraph("六、项目进展明细", styles.heading))
    if report.projects:
        story += _long_table(details_table(report), font, wrap)
    else:
        story.append(Paragraph("没有符合条件的项目。", styles.body))
    if report.cancelled:
        story.append(Paragraph("附：已取消项目（不计入以上统计）", styles.heading))
        story += _long_table(cancelled_table(report), font, wrap)

    if report.indicators:
        story.append(Paragraph("七、规划指标监测情况", styles.heading))
        story += indicator_flowables(report.indicators, font, styles)

    story.append(Paragraph("附：本季度完成的节点", styles.heading))
    if report.milestones_reached:
        story += _long_table(milestones_table(report), font, wrap)
    else:
        story.append(Paragraph("本季度没有完成的节点。", styles.body))

    if report.red_timeline:
        first, *rest = [_timeline_drawing(timeline, font) for timeline in red_timelines(report)]
        story += [KeepTogether([Paragraph("附：红灯项目时间轴", styles.heading),  # a heading keeps with no group
                                Paragraph(escape(red_timeline_note(report)), styles.body), first]), *rest]

    if report.photos:
        story.append(Paragraph("附：项目现场照片", styles.heading))
        story += _photo_appendix(report.photos, font, styles)

    buffer = BytesIO()
    document = _ReportedDocument(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                                 bottomMargin=16 * mm, title=report.title, author=report.issuer,
                                 subject="季度进展情况报告", creator="portfolio",
                                 units=sum(_layout_units(flowable) for flowable in story),
                                 on_progress=on_progress)
    document.build(story, canvasmaker=numbered_canvas(font, report.title))
    return buffer.getvalue()


def _picture(png: bytes, width: float) -> Image:
    """A PNG of `reports/pictures.py`, `width` points wide at its own proportions."""
    picture = Image(BytesIO(png))
    picture.drawHeight = width * picture.imageHeight / picture.imageWidth
    picture.drawWidth = width
    return picture


def _timeline_drawing(timeline: Timeline, font: str) -> Drawing:
    """The timeline page's Gantt chart (`timeline/geometry.py`) as vector shapes, scaled to the page's
    width: what `reports/pictures.timeline_png` draws for the Word file."""
    scale = CONTENT_WIDTH / timeline.width
    group = Group(transform=(scale, 0, 0, -scale, 0, timeline.height * scale))  # the geometry's y runs down

    def text(x, y, value, size, colour, anchor="start"):  # upright again inside the flipped group
        group.add(Group(String(0, 0, value, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor),
                        transform=(1, 0, 0, -1, x, y)))

    for tick, following in zip(timeline.years, timeline.years[1:]):
        text((tick.x + following.x) / 2, timeline.axis_height - 12, str(tick.year), 11, GREY, "middle")
    for tick in timeline.years:
        group.add(Line(tick.x, timeline.axis_height - 6, tick.x, timeline.height, strokeColor=colors.HexColor("#d9e2ec")))
    for row in timeline.rows:
        middle = row.y + timeline.row_height / 2
        text(4, middle + 4, row.project.short_name, 12, colors.black)
        colour = colors.HexColor(row.colour)
        group.add(Rect(row.bar_x, row.y + 9, row.bar_width, timeline.row_height - 18, rx=3, ry=3, strokeColor=colour,
                       fillColor=colors.Color(colour.red, colour.green, colour.blue, alpha=0.35)))
        for marker in row.markers:
            colour = colors.HexColor(LATE_COLOUR if marker.late else ON_TIME_COLOUR)
            group.add(Polygon([marker.x, middle - 6, marker.x + 6, middle, marker.x, middle + 6, marker.x - 6, middle],
                              fillColor=colour if marker.actual else colors.white, strokeColor=colour, strokeWidth=1.5))
    brand = colors.HexColor("#b3261e")
    group.add(Line(timeline.today_x, timeline.axis_height - 8, timeline.today_x, timeline.height, strokeColor=brand,
                   strokeWidth=1.5, strokeDashArray=[4, 3]))
    text(timeline.today_x - 3, timeline.axis_height - 24, format_date(timeline.as_of), 11, brand, "end")
    drawing = Drawing(CONTENT_WIDTH, timeline.height * scale, initialFontName=font)
    drawing.add(group)
    return drawing


def _trend_section(report: QuarterlyReport, font: str, styles: Styles, pdf_font: PdfFont) -> list:
    """近八个季度走势: the dashboard's trend table and chart for the report's projects."""
    if not report.trends:
        return []
    return [KeepTogether([Paragraph(f"近{len(report.trends)}个季度走势：", styles.body),
                          _short_table(trend_table(report), font, Wrapper(font))]),
            Paragraph(trend_note(report.trends), styles.body),
            KeepTogether([Spacer(1, 2 * mm), _picture(chart_png(trend_chart(report.trends, with_annual_plans(report.trends)), pdf_font), CONTENT_WIDTH)])]


def _funding_section(total: GroupFigures, font: str, styles: Styles) -> list:
    """资金来源：the planned investment by source, from the same roll-up as the dashboard's table."""
    flowables = [KeepTogether([Paragraph("资金来源（计划投资构成）：", styles.body),
                               _short_table(funding_table(total), font, Wrapper(font))])]
    if excess := funding_excess(total):
        flowables.append(Paragraph(excess, styles.body))
    return flowables


def indicator_flowables(plans: Sequence[PlanMonitoring], font: str, styles: Styles) -> list:
    """规划指标监测 (the Q4 report's section and the 年度监测 PDF) per plan: the sentence of counts, then the table; lagging binding indicators in red."""
    wrap = Wrapper(font)
    widths = [w * CONTENT_WIDTH for w in (0.04, 0.2, 0.07, 0.1, 0.1, 0.12, 0.07, 0.07, 0.23)]
    story: list = []
    for group in plans:
        story.append(Paragraph(escape(f"{group.plan.title}：{group.summary}"), styles.body))
        rows = [[str(row.indicator.number), wrap(row.indicator.name, widths[1]), row.indicator.nature.label,
                 wrap(row.indicator.baseline or "—", widths[3]), wrap(row.latest, widths[4]),
                 wrap(row.indicator.target or "—", widths[5]), wrap(row.expected, widths[6]),
                 row.judgement.status.label, wrap(row.judgement.reason, widths[8])] for row in group.rows]
        style = table_style(font, 99)
        for offset, row in enumerate(group.rows, start=1):
            if row.judgement.red:
                style.add("TEXTCOLOR", (0, offset), (-1, offset), colors.HexColor("#c53030"))
        story += chunked_tables(["序号", "指标", "性质", "基期值", "最新值", "目标值", "应达值", "状态", "说明"], rows,
                                widths, style)
        story.append(Spacer(1, 3 * mm))
    return story


def _photo_appendix(photos: Sequence[PhotoEntry], font: str, styles: Styles) -> list:
    """Two photos a row, each with its project, quarter, caption and date below it."""
    width = (CONTENT_WIDTH - 6 * mm) / 2
    caption = ParagraphStyle("photo-caption", parent=styles.body, fontSize=8, leading=11, firstLineIndent=0)
    cells = []
    for photo in photos:
        height = min(width * photo.height / photo.width, 70 * mm)
        words = "，".join(filter(None, (f"{photo.project}（{photo.region}）", photo.period, photo.caption,
                                       f"摄于{format_date(photo.taken_on)}" if photo.taken_on else "")))
        cells.append([Image(BytesIO(photo.jpeg), width=height * photo.width / photo.height, height=height),
                      Paragraph(escape(words), caption)])
    rows = [cells[index:index + 2] + [""] * (2 - len(cells[index:index + 2])) for index in range(0, len(cells), 2)]
    return [Table(rows, colWidths=[width + 3 * mm] * 2,
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))]


def _problems_section(figures: ProblemFigures, font: str, styles: Styles, wrap: Wrapper) -> list:
    """The sentence, the counts by type and by county, and the problems still open at the end."""
    story: list = [Paragraph(escape(figures.summary()), styles.body)]
    if figures.is_empty:
        return story
    for table in problem_count_tables(figures):
        # a dozen rows at most: kept on one page rather than leaving the total row alone on the next
        story += [Spacer(1, 2 * mm), KeepTogether(_short_table(table, font, wrap))]
    if figures.open_problems:
        story.append(Paragraph(f"截至{format_date(figures.end)}尚未解决的问题：", styles.body))
        story += _long_table(open_problems_table(figures), font, wrap)
    return story


def _numeric_columns(style: TableStyle, columns: Sequence[int]) -> TableStyle:
    for column in columns:
        style.add("ALIGN", (column, 1), (column, -1), "RIGHT")
    return style
