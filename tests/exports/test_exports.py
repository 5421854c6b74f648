"""Exports of the filtered list: Excel, CSV and OC4IDS, through the pages and the CLI."""
import json
from urllib.parse import unquote
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portfolio.registry.models import Project
from tests.oc4ids import oc4ids_errors

@pytest.fixture
def injected(seeded, in_app, app):
    """A project whose name and unit would be formulas if a spreadsheet trusted them."""
    with app.app_context():
        from portfolio.core.db import db

        project = db.session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
        project.name, project.responsible_unit = "=HYPERLINK(\"http://x\",\"点我\")", "@SUM(1+1)"
        db.session.commit()


def test_xlsx_export_of_the_overdue_list(client, seeded):
    response = client.get("/projects/export.xlsx?warning=overdue&as_of=2025-06-30")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    title, *rows = list(sheet.iter_rows(values_only=True))
    assert title[0] == "项目清单（截至2025年6月30日，报告期2025年第1季度；筛选：问题：超期）"
    assert rows[0][:3] == ("序号", "项目名称", "规划") and sheet["A1"].font.b and sheet["A2"].font.b
    assert sheet.freeze_panes == "C3"
    assert len(rows) == 1 + 11 + 1, "header, the 11 projects overdue by mid-2025, totals"
    planned = rows[0].index("计划投资(万元)")
    assert sheet.cell(row=3, column=planned + 1).number_format == "#,##0.00"
    assert sheet.cell(row=3, column=rows[0].index("投资完成率") + 1).number_format == "0.0%"
    assert rows[-1][1] == "合计（11个项目）" and rows[-1][planned] == sum(r[planned] for r in rows[1:-1])
    assert sheet.column_dimensions["B"].width == 40


def test_exports_never_run_formulas(client, injected):
    sheet = load_workbook(BytesIO(client.get("/projects/export.xlsx").data)).active
    names = {cell.value: cell.data_type for cell in sheet["B"][2:-1]}
    assert names['=HYPERLINK("http://x","点我")'] == "s"
    text = client.get("/projects/export.csv").data.decode("utf-8")
    assert text.startswith("\ufeff序号,项目名称")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and ",=HYPERLINK" not in text


def test_oc4ids_package_validates(client, seeded, in_app):
    response = client.get("/projects/export.json")
    package = json.loads(response.data)
    assert oc4ids_errors(package) == []
    assert package["uri"].isascii() and "/项目清单_截至" in unquote(package["uri"]), "a URI, percent-encoded"
    assert len(package["projects"]) == 13
    hospital = next(p for p in package["projects"] if p["title"] == "焦作市第二人民医院新区医院")
    assert hospital["budget"]["amount"] == {"amount": 1054650000.0, "currency": "CNY"}
    assert hospital["status"] == "implementation" and hospital["sector"] == ["health"]
    assert hospital["period"]["startDate"].startswith("2015-01-01") and hospital["period"]["endDate"].startswith("2024-12-31")
    assert hospital["locations"][0]["description"] == "示范区"


def test_oc4ids_with_milestones_and_progress_validates(client, seeded, in_app):
    from tests.factories import submit

    project = in_app(lambda s: s.scalar(select(Project).where(Project.name == "孟州市全民健身中心")))
    submit(client, f"/projects/{project.id}/milestones", {"commencement-planned_date": "2020-03-01",
                                                         "commencement-actual_date": "2020-04-01",
                                                         "acceptance-planned_date": "2022-12-01"})
    submit(client, f"/projects/{project.id}/progress/new", {"year": "2025", "quarter": "4", "cumulative_investment": "3000",
                                                           "quarter_investment": "100", "physical_progress": "80",
                                                           "works_status": "主体完工"})
    package = json.loads(client.get("/projects/export.json?q=孟州市全民健身").data)
    assert oc4ids_errors(package) == []
    exported = package["projects"][0]
    assert [m["code"] for m in exported["milestones"] if "code" in m] == ["commencement", "completion"]
    assert exported["milestones"][0]["status"] == "met"
    assert {m["id"] for m in exported["metrics"]} == {"financialProgress", "physicalProgress"}


def test_cli_exports(runner, seeded, tmp_path):
    for fmt, name in (("xlsx", "list.xlsx"), ("csv", "list.csv"), ("oc4ids", "list.json")):
        result = runner.invoke(args=["projects", "export", "--format", fmt, "--out", str(tmp_path / name),
                                     "--region", "山阳区", "--overdue"])
        assert result.exit_code == 0 and "已导出 3 个项目" in result.output, result.output
    assert oc4ids_errors(json.loads((tmp_path / "list.json").read_text())) == []
    bad = runner.invoke(args=["projects", "export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--region", "火星区"])
    assert bad.exit_code != 0 and "未知的县(市、区)" in bad.output and not (tmp_path / "x.csv").exists()


def test_csv_says_its_charset_once(client, seeded):
    response = client.get("/projects/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
