"""Building test spreadsheets the way users make them."""
import csv
import io

from openpyxl import Workbook

from tests.conftest import SEED_DIR

PLAN_TITLE = "焦作市“十四五”公共服务和社会保障规划"
PRINTED_HEADER = ["序号", "项目名称", "建设地点", "建 设 内 容", "计划投资\n(万元)", "建设年限(年)"]


def appendix_rows() -> list[list]:
    """The appendix table of the Jiaozuo plan, as printed (from the seed file, which holds its exact text)."""
    with (SEED_DIR / "projects.csv").open(encoding="utf-8") as handle:
        return [[int(r["number"]), r["name"], r["site"], r["content"], int(r["planned_investment"]), r["build_years"]]
                for r in csv.DictReader(handle)]


def xlsx_bytes(rows: list[list], title: str | None = None, header=PRINTED_HEADER, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8", header=PRINTED_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
