"""Small uploads built to exhaust memory or CPU are refused, or read for what they really hold,
within the memory budget (200 MB) — issue 11's malicious workbooks. How long each takes (the 2 s
budget) is measured by bench/hostile_workbooks.py, not asserted here: a busy machine is not a defect."""
import io
import tracemalloc
import zipfile

import pytest

from portfolio.imports.tables import TableError, read_table
from tests.factories import appendix_rows, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet(change) -> bytes:
    """The appendix workbook with its sheet XML changed by `change(xml) -> xml`."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(appendix_rows())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, change(content) if item.filename == SHEET else content)
    return buffer.getvalue()


def _without_dimension(xml: bytes) -> bytes:
    start = xml.index(b"<dimension")
    return xml[:start] + xml[xml.index(b"/>", start) + 2:]


def _rows(count: int):
    def change(xml: bytes) -> bytes:
        empty = b"".join(b'<row r="%d"/>' % n for n in range(20, 20 + count))
        return _without_dimension(xml).replace(b"</sheetData>", empty + b"</sheetData>")
    return change


def _merges(count: int, area: bytes):
    def change(xml: bytes) -> bytes:
        cells = b"".join(b'<mergeCell ref="%s"/>' % area for _ in range(count))
        return xml.replace(b"</sheetData>", b"</sheetData><mergeCells count=\"%d\">%s</mergeCells>" % (count, cells))
    return change


HOSTILE = {
    "dimension behind a comment": (lambda xml: xml.replace(
        b'<dimension ref="A1:F14" />', b'<!-- A1:F14 --><dimension ref="A1:XFD1048576" />'), None),
    "dimension in single quotes": (lambda xml: xml.replace(
        b'<dimension ref="A1:F14" />', b"<dimension ref='A1:XFD1048576' />"), None),
    "no dimension, a million rows": (_rows(1_048_555), "超过100,000行"),
    "50 merges of A1:XFD2002": (_merges(50, b"A1:XFD2002"), "超出表格实际填写的范围"),
    "1,001 merges": (_merges(1001, b"A2:B2"), "超过1,000处"),
    "an entity bomb": (lambda xml: xml.replace(
        b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet', 1),
        "不安全"),
}


def _read(data: bytes, refusal: str | None) -> None:
    if refusal is None:
        assert len(read_table(data, "hostile.xlsx", "项目名称").rows) == 13, "only the rows that are there"
    else:
        with pytest.raises(TableError, match=refusal):
            read_table(data, "hostile.xlsx", "项目名称")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_workbook_is_refused_or_read_for_what_it_holds_in_budget(name):
    """Run under tracemalloc for the peak of Python's allocations."""
    change, refusal = HOSTILE[name]
    data = _with_sheet(change)
    assert len(data) < 20 * 1024 * 1024
    tracemalloc.start()
    try:
        _read(data, refusal)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6, f"{name}: peak {peak / 1e6:.1f} MB"
