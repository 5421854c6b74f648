"""Turning an uploaded .xlsx or .csv file into rows of cell values, refusing what is not safe or not what it claims.

Checks made before anything is parsed: the file is not empty; its content matches its
extension (an .xlsx is a ZIP, a password-protected workbook is an OLE2 container, a CSV
is text in UTF-8 or GB18030); an .xlsx's uncompressed size is sane, so a "zip bomb" is
refused before it is expanded. Then the sheet's XML is streamed once (defusedxml), reading its
cells' values (with the shared strings, the date styles and the date system) and counting what
it really holds — rows, columns, cells, merged ranges — whatever its <dimension> says, hidden
behind a comment, in single quotes or missing; a sheet beyond the caps (MAX_ROWS, MAX_COLUMNS,
MAX_CELLS, MAX_MERGED_RANGES, merges within the filled range) is refused as soon as the cap is
passed. One pass instead of openpyxl's reader, which parsed the sheet twice more and took three
quarters of a large preview. Formulas are read as the values Excel last calculated, and merged
cells are filled with their top-left value; both are noted.
"""
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000
MAX_MERGED_RANGES = 1_000
HEADER_SEARCH_ROWS = 10
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REFERENCE = re.compile(r"([A-Z]{1,3})\d+$")


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in Chinese."""


@dataclass
class Table:
    """The rows under the header; `line` numbers are the file's own (1-based) row numbers."""

    headers: list[str]
    rows: list[tuple[int, list]]
    notes: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    """A cell as text: 2023.0 from Excel becomes "2023"; an empty cell becomes ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalize_header(text) -> str:
    """"计划投资\\n( 万元 )" → "计划投资(万元)": full-width forms folded, white space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def read_table(data: bytes, filename: str, header_marker: str) -> Table:
    """Rows of the first sheet (or the CSV) below the first row that has a `header_marker` cell."""
    if not data:
        raise TableError("文件是空的")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        raw, notes = _read_xlsx(data)
    elif suffix == ".csv":
        raw, notes = _read_csv(data), []
    elif suffix == ".xls":
        raise TableError("不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传")
    else:
        raise TableError(f"不支持的文件类型“{suffix or filename}”，请上传 .xlsx 或 .csv 文件")
    for index, row in enumerate(raw[:HEADER_SEARCH_ROWS]):
        headers = [normalize_header(cell) for cell in row]
        if header_marker in headers:
            rows = [(index + 2 + offset, list(values)) for offset, values in enumerate(raw[index + 1:])
                    if any(str(v).strip() for v in values if v is not None)]
            return Table(headers, rows, notes)
    raise TableError(f"在前{HEADER_SEARCH_ROWS}行中找不到表头（应有“{header_marker}”列）")


CSV_FIELD_LIMIT = csv.field_size_limit()
"""The longest cell a CSV may have (Python's csv default, 131,072 characters)."""


def _csv_text(data: bytes) -> str:
    """The text of a CSV: UTF-16 when it starts with a byte-order mark (Excel's "Unicode 文本"),
    else UTF-8 or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError("CSV 文件标明是 UTF-16 编码，但内容无法按 UTF-16 读取") from None
    if data.startswith((b"PK\x03\x04", OLE2_MAGIC)):
        raise TableError("文件扩展名为 .csv，但内容是 Excel 工作簿，请用 .xlsx 扩展名上传")
    if b"\x00" in data[:4096]:
        raise TableError("文件扩展名为 .csv，但内容不是文本（含有空字节），请在 Excel 中另存为“CSV UTF-8”后再上传")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("CSV 文件既不是 UTF-8、UTF-16，也不是 GBK/GB18030 编码")


def _read_csv(data: bytes) -> list[list]:
    text = _csv_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","  # Excel's "Unicode 文本" is tab-separated
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS or len(row) > MAX_COLUMNS:
                raise TableError(f"CSV 文件过大（超过{MAX_ROWS:,}行或{MAX_COLUMNS}列），已拒绝处理")
        return rows
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TableError(f"CSV 第{reader.line_num}行有一个单元格超过{CSV_FIELD_LIMIT:,}个字，已拒绝处理"
                             "（可能是引号没有配对）") from None
        raise TableError(f"CSV 第{reader.line_num}行格式有误（引号或换行不配对），请在 Excel 中另存为“CSV UTF-8”后再上传") from None


def _read_xlsx(data: bytes) -> tuple[list[list], list[str]]:
    if data.startswith(OLE2_MAGIC):
        raise TableError("工作簿有密码保护（或是旧的 .xls 格式），请取消密码并另存为 .xlsx 后再上传")
    if not data.startswith(b"PK\x03\x04"):
        raise TableError("文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise TableError("Excel 工作簿已损坏，无法打开") from None
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise TableError(f"工作簿解压后过大({total / 1024 / 1024:.0f} MB，压缩比 {total / packed:.0f})，已拒绝处理")
    name = _first_sheet_name(archive)
    if name is None:
        if "word/document.xml" in archive.namelist():
            raise TableError("文件扩展名为 .xlsx，但内容是 Word 文档，请上传 Excel 工作簿")
        raise TableError("Excel 工作簿已损坏或不是 Excel 格式（没有工作表），请在 Excel 中另存为 .xlsx 后再上传")
    try:
        book = _workbook_parts(archive)
        extent = read_sheet(archive.open(name), book)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise TableError("Excel 工作簿已损坏，无法读取，请在 Excel 中另存为 .xlsx 后再上传") from None
    notes = []
    if extent.formulas:
        notes.append("表格含公式：按 Excel 最后一次计算的结果读取；未计算过的公式单元格视为空")
    if extent.merged:
        notes.append(f"表格含{len(extent.merged)}处合并单元格：合并区域中的每个单元格都取左上角的值")
    rows = extent.values
    for first_col, first_row, last_col, last_row in extent.merged:
        _fill_merged(rows, first_col - 1, first_row - 1, last_col - 1, last_row - 1)
    return rows, notes


@dataclass(frozen=True)
class WorkbookParts:
    """What reading a sheet's cells needs from the rest of the workbook."""

    shared_strings: list[str]
    date_styles: frozenset[int]
    """Indexes of the cell styles (cellXfs) whose number format shows a date."""
    epoch: object
    """Day 0 of the workbook's serial dates (1900 or, for old Mac files, 1904)."""


def _texts_of(element) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t>s (phonetic guides left out)."""
    parts = []
    for child in element:
        tag = child.tag.rpartition("}")[2]
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts += [t.text or "" for t in child if t.tag.rpartition("}")[2] == "t"]
    return "".join(parts)


def _workbook_parts(archive: zipfile.ZipFile) -> WorkbookParts:
    """Shared strings, date styles and the date system, each streamed with defusedxml and capped."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    names = set(archive.namelist())
    strings: list[str] = []
    if "xl/sharedStrings.xml" in names:
        for _event, element in _parse(archive.open("xl/sharedStrings.xml")):
            if element.tag.rpartition("}")[2] == "si":
                strings.append(_texts_of(element))
                element.clear()
                if len(strings) > MAX_CELLS:
                    raise TableError(f"工作簿的文字超过{MAX_CELLS:,}段，已拒绝处理")
    dates: set[int] = set()
    if "xl/styles.xml" in names:
        formats, in_cell_styles, index = {}, False, 0
        for event, element in _parse(archive.open("xl/styles.xml"), ("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "end" and tag == "numFmt":
                formats[element.get("numFmtId")] = element.get("formatCode") or ""
            elif tag == "cellXfs":
                in_cell_styles = event == "start"
            elif event == "start" and in_cell_styles and tag == "xf":
                number = element.get("numFmtId") or "0"
                code = formats.get(number) or (BUILTIN_FORMATS.get(int(number)) if number.isdigit() else None)
                if code and is_date_format(code):
                    dates.add(index)
                index += 1
    epoch = CALENDAR_WINDOWS_1900
    if "xl/workbook.xml" in names:
        for _event, element in _parse(archive.open("xl/workbook.xml")):
            if element.tag.rpartition("}")[2] == "workbookPr" and element.get("date1904") in ("1", "true"):
                epoch = CALENDAR_MAC_1904
    return WorkbookParts(strings, frozenset(dates), epoch)


def _parse(stream, events=("end",)):
    """defusedxml's iterparse (no DTD, no entities); a broken or hostile part is a TableError."""
    try:
        yield from iterparse(stream, events=events)
    except (ParseError, DefusedXmlException, ValueError) as error:
        if isinstance(error, TableError):
            raise
        raise TableError("Excel 工作表的内容已损坏或不安全，无法读取") from None


@dataclass
class SheetExtent:
    """What a sheet really holds, read from its XML (not from what its <dimension> claims)."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(first column, first row, last column, last row), 1-based."""
    merged_cells: int = 0
    formulas: bool = False
    values: list[list] = field(default_factory=list)
    """The cells' values row by row (the sheet's empty rows included), as Excel last showed them."""


def read_sheet(stream, book: WorkbookParts) -> SheetExtent:
    """Stream the sheet's XML once (defusedxml: no DTD, no entities): its cells' values, and the
    counts of rows, columns, cells and merged ranges — refusing, as soon as a cap is passed, a
    sheet larger than any table."""
    from openpyxl.utils.datetime import from_excel

    extent = SheetExtent()
    row: list = []
    for _event, element in _parse(stream):
        tag = element.tag.rpartition("}")[2]
        if tag == "c":
            extent.cells += 1
            reference = element.get("r")
            match = _REFERENCE.match(reference) if reference else None
            column = _column_number(match.group(1)) if match else len(row) + 1
            extent.columns = max(extent.columns, column)
            if extent.columns > MAX_COLUMNS or extent.cells > MAX_CELLS:
                raise TableError(f"工作表过大（超过{MAX_COLUMNS}列或{MAX_CELLS:,}个单元格），已拒绝处理")
            if column > len(row):
                row.extend([None] * (column - len(row)))
            row[column - 1] = _cell_value(element, book, from_excel)
        elif tag == "f":
            extent.formulas = True
        elif tag == "row":
            number = element.get("r")
            extent.rows = max(extent.rows + 1, int(number) if number and number.isdigit() else 0)
            if extent.rows > MAX_ROWS:
                raise TableError(f"工作表过大（超过{MAX_ROWS:,}行），已拒绝处理")
            extent.values.extend([] for _ in range(extent.rows - 1 - len(extent.values)))  # rows left out
            extent.values.append(row)
            row = []
            element.clear()
        elif tag == "mergeCell":
            extent.merged.append(_merged_range(element.get("ref") or "", extent))
            if len(extent.merged) > MAX_MERGED_RANGES:
                raise TableError(f"工作表的合并单元格超过{MAX_MERGED_RANGES:,}处，已拒绝处理")
    return extent


def _cell_value(element, book: WorkbookParts, from_excel):
    """A cell's value as Excel shows it: text, a number (int when whole), True/False, a date, or None."""
    kind = element.get("t") or "n"
    if kind == "inlineStr":
        inline = next((child for child in element if child.tag.rpartition("}")[2] == "is"), None)
        return _texts_of(inline) if inline is not None else None
    value = next((child for child in element if child.tag.rpartition("}")[2] == "v"), None)
    text = value.text if value is not None else None
    if text is None:
        return None
    if kind == "s":
        index = int(text) if text.isdigit() else -1
        if not 0 <= index < len(book.shared_strings):
            raise TableError("Excel 工作表引用了不存在的文字，工作簿已损坏")
        return book.shared_strings[index]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    try:
        number = int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        raise TableError(f"Excel 单元格{element.get('r') or ''}的数值“{text[:20]}”无法识别，工作簿已损坏") from None
    style = element.get("s")
    if style and style.isdigit() and int(style) in book.date_styles:
        try:
            return from_excel(number, book.epoch)
        except (ValueError, OverflowError):
            return number
    return number


def _merged_range(reference: str, extent: SheetExtent) -> tuple[int, int, int, int]:
    """A merged range that lies within the cells the sheet really has (merges come after the rows)."""
    match = re.fullmatch(r"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})", reference)
    if not match:
        raise TableError(f"合并单元格“{reference[:20]}”的范围无法识别")
    first_col, first_row = _column_number(match.group(1)), int(match.group(2))
    last_col, last_row = _column_number(match.group(3)), int(match.group(4))
    if last_row > max(extent.rows, 1) or last_col > max(extent.columns, 1) or last_row < first_row or last_col < first_col:
        raise TableError(f"合并单元格{reference}超出表格实际填写的范围，已拒绝处理")
    extent.merged_cells += (last_row - first_row + 1) * (last_col - first_col + 1)
    if extent.merged_cells > MAX_CELLS:
        raise TableError(f"合并单元格合计超过{MAX_CELLS:,}个单元格，已拒绝处理")
    return first_col, first_row, last_col, last_row


def _first_sheet_name(archive: zipfile.ZipFile) -> str | None:
    names = sorted((n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                   key=lambda n: int(re.search(r"\d+", n.rpartition("/")[2]).group()))
    return names[0] if names else None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _fill_merged(rows: list[list], first_col: int, first_row: int, last_col: int, last_row: int) -> None:
    if first_row >= len(rows):
        return
    top_left = rows[first_row][first_col] if first_col < len(rows[first_row]) else None
    for r in range(first_row, min(last_row, len(rows) - 1) + 1):
        row = rows[r]
        row.extend([None] * (last_col + 1 - len(row)))
        for c in range(first_col, last_col + 1):
            row[c] = top_left
