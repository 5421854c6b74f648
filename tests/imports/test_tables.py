"""Reading uploaded tables, and refusing what is unsafe or not what it claims."""
import io
import re
import zipfile

import pytest

from portfolio.imports.tables import TableError, normalize_header, read_table
from tests.factories import PLAN_TITLE, appendix_rows, csv_bytes, xlsx_bytes


def test_xlsx_with_a_title_row_and_messy_headers():
    table = read_table(xlsx_bytes(appendix_rows(), title=f"{PLAN_TITLE}重大工程项目表"), "表.xlsx", "项目名称")
    assert table.headers[:6] == ["序号", "项目名称", "建设地点", "建设内容", "计划投资(万元)", "建设年限(年)"]
    assert len(table.rows) == 13 and table.rows[0][0] == 3, "file row numbers count the title and header"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_utf8_and_gbk(encoding):
    table = read_table(csv_bytes(appendix_rows(), encoding), "表.csv", "项目名称")
    assert table.rows[0][1][1] == "焦作市第二人民医院新区医院"


def word_document() -> bytes:
    """A .docx (a zip, like a workbook, but Word's)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_csv_in_utf16_as_excel_saves_unicode_text():
    """Excel's "Unicode 文本": UTF-16 with a byte-order mark, tab-separated."""
    text = "\r\n".join("\t".join(str(cell) for cell in row) for row in [["序号", "项目名称"], *[r[:2] for r in appendix_rows()]])
    table = read_table(text.encode("utf-16"), "表.csv", "项目名称")
    assert table.headers[:2] == ["序号", "项目名称"] and table.rows[0][1][1] == "焦作市第二人民医院新区医院"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.xlsx", "文件是空的"),
        (csv_bytes(appendix_rows()), "a.xlsx", "内容不是 Excel 工作簿"),
        (xlsx_bytes(appendix_rows()), "a.csv", "内容是 Excel 工作簿"),
        (word_document(), "a.xlsx", "内容是 Word 文档"),
        ("项目名称\n\"".encode() + b"x" * 140_000 + b"\"\n", "a.csv", "第2行有一个单元格超过131,072个字"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xlsx", "密码保护"),
        (b"PK\x03\x04 this is not really a zip", "a.xlsx", "已损坏"),
        (b"\x89PNG\r\n", "a.png", "不支持的文件类型"),
        (b"anything", "a.xls", ".xls"),
        ("项目,金额\n甲,1\n".encode(), "a.csv", "找不到表头"),
    ],
)
def test_refused_files(data, filename, message):
    with pytest.raises(TableError, match=message):
        read_table(data, filename, "项目名称")


def test_zip_bomb_is_refused_before_it_is_expanded():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(TableError, match="解压后过大"):
        read_table(buffer.getvalue(), "bomb.xlsx", "项目名称")


def test_an_absurd_declared_size_is_not_believed():
    """<dimension> claims ten million rows; only the 14 that are there are read."""
    data = xlsx_bytes(appendix_rows())
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes `<dimension ref="A1:F14" />`, or without the space when lxml is installed
                content = re.sub(rb'<dimension ref="A1:F14"\s*/>', b'<dimension ref="A1:F9999999"/>', content)
                assert b"F9999999" in content
            target.writestr(item, content)
    table = read_table(buffer.getvalue(), "huge.xlsx", "项目名称")
    assert len(table.rows) == 13


def test_formulas_are_read_as_their_values_and_merged_cells_filled():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "建设地点", "计划投资(万元)"])
    sheet.append(["甲", "山阳区", 100])
    sheet.append(["乙", None, "=C2*2"])
    sheet.merge_cells("B2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "f.xlsx", "项目名称")
    assert table.rows[1][1][1] == "山阳区", "a merged cell takes its top-left value"
    assert table.rows[1][1][2] is None, "openpyxl wrote no cached value, so the formula reads as empty"
    assert any("公式" in note for note in table.notes) and any("合并单元格" in note for note in table.notes)


@pytest.mark.parametrize(("raw", "normal"), [("计划投资\n( 万元 )", "计划投资(万元)"), ("建 设 内 容", "建设内容"), (None, "")])
def test_normalize_header(raw, normal):
    assert normalize_header(raw) == normal


def test_cell_values_read_as_excel_shows_them():
    """The one-pass reader: text, whole and decimal numbers, booleans, dates (by their style), formulas'
    last values, empty rows kept in place."""
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "金额", "日期", "是否", "公式"])
    sheet.append(["甲", 1200, datetime(2026, 9, 30), True, "=1+1"])
    sheet.append([])
    sheet.append(["乙", 12.5, None, False, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "表.xlsx", "项目名称")
    assert [values for _, values in table.rows] == [["甲", 1200, datetime(2026, 9, 30), True, None],
                                                   ["乙", 12.5, None, False]]
    assert [line for line, _ in table.rows] == [2, 4] and any("公式" in note for note in table.notes)
