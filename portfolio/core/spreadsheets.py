"""Every spreadsheet the app writes (the list export, progress templates, the problem ledger, the
monitoring table): text kept as text — never a formula, even after leading white space — and
without the control characters Excel refuses; and one print layout (`lay_out_for_print`) with
column widths from the content."""
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from portfolio.core.formatting import display_width

FORMULA_START = re.compile(r"^[\s\u3000]*[=+\-@]|^[\t\r]")
"""Text a spreadsheet would run as a formula: =, +, - or @ first, even after white space."""
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    return ILLEGAL_CHARACTERS.sub("", text)


def csv_text(text: str) -> str:
    """Text for a CSV cell: formula-like text gets a leading apostrophe, as Excel expects."""
    text = clean(text)
    return "'" + text if FORMULA_START.match(text) else text


def is_formula_like(text: str) -> bool:
    return bool(FORMULA_START.match(text))


def keep_as_text(cell: Cell) -> None:
    """A cell openpyxl filled from a Python string: cleaned, and a string cell even if it looks like a formula."""
    if isinstance(cell.value, str):
        cell.value = clean(cell.value)
        cell.data_type = "s"


NARROWEST_COLUMN, WIDEST_COLUMN = 6, 40
"""A column's width in characters (a Chinese one counting two): at least, and at most — longer
text wraps inside the cell."""
HEADER_LINE = 10
"""A header wraps to lines about this wide (five Chinese characters) unless its column's content is wider."""
WRAPPED = Alignment(wrap_text=True, vertical="top")
"""Cells whose text may be longer than their column."""
TOP = Alignment(vertical="top")
"""The other cells of a row that is taller than a line."""
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
"""A table's title (in row 1, merged across the table) and its header."""


def shown_text(value) -> str:
    """A value as a spreadsheet shows it, for measuring: amounts with thousands separators."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def column_widths(header: Sequence[str], rows: Iterable[Sequence]) -> list[float]:
    """Each column's width from its content: the widest line of any cell, within `NARROWEST_COLUMN`
    and `WIDEST_COLUMN`; a header counts as wide as its words, its bracketed unit wrapping below."""
    widest = [min(HEADER_LINE, max(display_width(part) for part in re.split(r"(?=\()|(?<=:)", name))) for name in header]
    for row in rows:
        for index, value in enumerate(row):
            if value is not None and value != "":
                widest[index] = max(widest[index], *(display_width(line) for line in shown_text(value).split("\n")))
    return [float(min(WIDEST_COLUMN, max(NARROWEST_COLUMN, width + 2))) for width in widest]


LINE_HEIGHT = 14.25
"""Points per line of text in a row: Excel's default row height for its default 11-point font."""


def row_height(row: Sequence, widths: Sequence[float], wrapped: set[int]) -> float | None:
    """The height (points) a row needs so that the text of its `wrapped` columns shows whole, or None
    for one line. Set explicitly: LibreOffice and Excel do not grow a row for wrapped text on opening."""
    lines = 1
    for index in wrapped:
        if index < len(row) and row[index]:
            room = max(1.0, widths[index] - 1)
            lines = max(lines, sum(max(1, math.ceil(display_width(line) / room))
                                   for line in shown_text(row[index]).split("\n")))
    return lines * LINE_HEIGHT if lines > 1 else None


def row_layout(row: Sequence, widths: Sequence[float], wrapped: set[int]) -> tuple[float | None, list]:
    """A row's height (`row_height`) and each cell's alignment: in a row taller than a line, the
    wrapped columns' text wraps and every cell sits at the top; a row of one line keeps the default."""
    height = row_height(row, widths, wrapped)
    if height is None:
        return None, [None] * len(row)
    return height, [WRAPPED if index in wrapped and value else TOP for index, value in enumerate(row)]


def lay_out_written_sheet(sheet: Worksheet, header_row: int, freeze: str | None = None) -> None:
    """`lay_out_for_print` for a sheet already written (not write-only): widths from its table (the
    header row and below), the header centred, long text wrapped, rows as tall as their text."""
    rows = list(sheet.iter_rows(min_row=header_row))
    header = [str(cell.value or "") for cell in rows[0]]
    widths = column_widths(header, ([cell.value for cell in row] for row in rows[1:]))
    lay_out_for_print(sheet, header, widths, header_row, freeze)
    for cell in rows[0]:
        cell.alignment = CENTRED
    if header_row > 1:
        sheet.cell(1, 1).alignment = CENTRED
    wrapped = long_columns(widths)
    for row in rows[1:]:
        height, alignments = row_layout([cell.value for cell in row], widths, wrapped)
        if height:
            sheet.row_dimensions[row[0].row].height = height
            for cell, alignment in zip(row, alignments, strict=True):
                cell.alignment = alignment


def long_columns(widths: Sequence[float]) -> set[int]:
    """The columns held to `WIDEST_COLUMN` whose text wraps."""
    return {index for index, width in enumerate(widths) if width >= WIDEST_COLUMN}


def lay_out_for_print(sheet: Worksheet | WriteOnlyWorksheet, header: Sequence[str], widths: Sequence[float],
                      header_row: int, freeze: str | None = None, folded: Iterable[int] = ()) -> None:
    """How every workbook the app writes prints: A4 landscape, one page wide (as many tall as it
    takes), the header row repeated on every page, page numbers in the footer; the header frozen
    on screen; the columns `widths` wide; the `header` row as tall as its wrapped words; a title in
    row 1 (when `header_row` is below it) two lines tall and merged across the table; the `folded` columns (indexes from 0) grouped and folded away — Excel's and
    WPS's 分组, opened again with the + above them — so that the rest prints at a readable size.
    On a write-only sheet call it before the first row is written."""
    folded = set(folded)
    for index, width in enumerate(widths):
        dimension = sheet.column_dimensions[get_column_letter(index + 1)]
        dimension.width = width
        if index in folded:
            dimension.outline_level, dimension.hidden = 1, True
        elif index - 1 in folded:
            dimension.collapsed = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.freeze_panes = freeze or f"A{header_row + 1}"
    sheet.row_dimensions[header_row].height = row_height(header, widths, set(range(len(header))))
    if header_row > 1:
        sheet.row_dimensions[1].height = 2 * LINE_HEIGHT
        if len(widths) > 1:
            sheet.merged_cells.add(f"A1:{get_column_letter(len(widths))}1")
