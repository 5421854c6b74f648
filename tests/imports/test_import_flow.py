"""Importing plan tables and quarterly progress: previews, all-or-nothing, idempotent."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portfolio.imports.flow import KINDS, ImportContext, apply_preview, preview_file
from portfolio.imports.progress_templates import progress_template
from portfolio.imports.tables import TableError
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Plan, Project, Region, Sector
from tests.factories import PLAN_TITLE, appendix_rows, csv_bytes, newest_cumulative, xlsx_bytes

TODAY = date(2026, 11, 22)


@pytest.fixture
def empty_plan(seeded, session) -> Plan:
    """A new plan in 焦作市 with no projects, beside the seeded one."""
    plan = Plan(title="焦作市测试导入规划", city="焦作市", start_year=2021, end_year=2025)
    session.add(plan)
    session.commit()
    return plan


def _import(session, plan, data: bytes, filename: str = "表.xlsx"):
    preview = preview_file(session, KINDS["projects"], data, filename, ImportContext(TODAY, plan=plan))
    if preview.ok:
        apply_preview(session, KINDS["projects"], preview, ImportContext(TODAY, plan=plan))
        session.commit()
    return preview


def _projects(session, plan) -> dict[str, tuple]:
    return {p.name: (p.site, p.region.name, p.content, p.planned_investment, p.start_year, p.end_year)
            for p in session.scalars(select(Project).where(Project.plan_id == plan.id))}


def test_the_appendix_table_as_printed_yields_the_seed_projects(session, empty_plan):
    data = xlsx_bytes(appendix_rows(), title=f"附件:{PLAN_TITLE}重大工程项目表")
    preview = _import(session, empty_plan, data)
    assert preview.ok and preview.count("create") == 13
    seeded = session.scalar(select(Plan).where(Plan.title == PLAN_TITLE))
    assert _projects(session, empty_plan) == _projects(session, seeded)
    assert session.scalar(select(func.sum(Project.planned_investment)).where(Project.plan_id == empty_plan.id)) == 626457
    assert any("领域" in note for note in preview.notes)

    again = _import(session, empty_plan, data)
    assert (again.count("unchanged"), again.count("create"), again.count("update")) == (13, 0, 0)


def test_updates_are_listed_field_by_field(session, empty_plan):
    _import(session, empty_plan, xlsx_bytes(appendix_rows()))
    rows = appendix_rows()
    rows[2][4] = 50000
    rows[3][5] = "2022—2024"
    preview = preview_file(session, KINDS["projects"], xlsx_bytes(rows), "表.xlsx", ImportContext(TODAY, plan=empty_plan))
    changed = {row.name: row.changes for row in preview.rows if row.action == "update"}
    assert changed == {
        "焦作市人民医院门急诊楼及医学研究中心项目": [("计划投资(万元)", "46,580.00", "50,000.00")],
        "焦作市中医院中医优势专科综合楼": [("建设结束年", "2023", "2024")],
    }


@pytest.mark.parametrize(
    ("years", "amount", "header", "expected"),
    [
        ("2021-2024", "1,234.5", "计划投资(万元)", (Decimal("1234.50"), 2021, 2024)),
        ("2021~2024", "１２３４", "计划投资(万元)", (Decimal("1234.00"), 2021, 2024)),
        ("2021年—2024年", 1234, "计划投资 (万元)", (Decimal("1234.00"), 2021, 2024)),
        ("2021至2024年", "1.5", "总投资(亿元)", (Decimal("15000.00"), 2021, 2024)),
        ("2023年", "0.123456", "计划投资(亿元)", (Decimal("1234.56"), 2023, 2023)),
        (2023, 100, "计划投资(万元)", (Decimal("100.00"), 2023, 2023)),
    ],
)
def test_real_tables_vary(session, empty_plan, years, amount, header, expected):
    data = xlsx_bytes([[1, "新建托育中心", "马村区", "托育", amount, years]],
                      header=["序号", "项目名称", "建设地点", "建设内容", header, "建设年限"])
    preview = _import(session, empty_plan, data)
    assert preview.ok, preview.error_lines("表.xlsx")
    project = session.scalar(select(Project).where(Project.name == "新建托育中心"))
    assert (project.planned_investment, project.start_year, project.end_year) == expected


@pytest.mark.parametrize(("amount", "header", "message"), [
    ("1,234.567", "计划投资(万元)", "“1,234.567”最多保留2位小数"),
    ("0.1234567", "计划投资(亿元)", "“0.1234567”换算为万元是1234.567，最多保留2位小数"),
])
def test_an_amount_finer_than_a_fen_of_wan_is_refused_not_rounded(session, empty_plan, amount, header, message):
    """The same rule as the form and the API: nothing is rounded away silently; the row and field are named."""
    data = xlsx_bytes([[1, "新建托育中心", "马村区", "托育", amount, "2023"]],
                      header=["序号", "项目名称", "建设地点", "建设内容", header, "建设年限"])
    preview = _import(session, empty_plan, data)
    assert not preview.ok, preview.error_lines("表.xlsx")
    assert any("第2行" in line and "计划投资" in line and message in line for line in preview.error_lines("表.xlsx"))
    assert session.scalar(select(Project).where(Project.name == "新建托育中心")) is None


def test_optional_columns_and_gbk_csv(session, empty_plan):
    header = ["序号", "项目名称", "建设地点", "建设内容", "计划投资(万元)", "建设年限", "领域", "项目状态", "责任单位", "专栏"]
    data = csv_bytes([[1, "新建体育馆", "温县", "场馆", "800", "2024—2026", "体育", "前期", "温县体育局", ""]],
                     "gbk", header=header)
    assert _import(session, empty_plan, data, "表.csv").ok
    project = session.scalar(select(Project).where(Project.name == "新建体育馆"))
    assert (project.sector, project.status.label, project.responsible_unit) == (Sector.SPORTS, "前期", "温县体育局")


def test_every_row_error_is_listed_and_nothing_is_written(session, empty_plan):
    rows = appendix_rows()
    rows[0][4] = -5
    rows[1][2] = "火星区"
    rows[2][5] = "2024—2020"
    rows[3][1] = rows[4][1]
    rows[5][4] = "很多"
    rows[6][1] = ""
    preview = _import(session, empty_plan, xlsx_bytes(rows))
    assert not preview.ok
    errors = preview.error_lines("表.xlsx")
    for expected in ("表.xlsx 第2行：计划投资：“-5”不能为负数", "第3行：建设地点“火星区”不是焦作市的县(市、区)",
                     "第4行：建设结束年：2020年早于建设起始年(2024年)", "第6行：项目名称与第5行重复",
                     "第7行：计划投资：“很多”不是数字", "第8行：项目名称为空"):
        assert any(expected in line for line in errors), (expected, errors)
    assert _projects(session, empty_plan) == {}


def test_missing_required_column_is_named(session, empty_plan):
    data = xlsx_bytes([[1, "甲", "山阳区", 100]], header=["序号", "项目名称", "建设地点", "计划投资(万元)"])
    with pytest.raises(TableError, match="表头缺少必需的列：建设年限"):
        preview_file(session, KINDS["projects"], data, "a.xlsx", ImportContext(TODAY, plan=empty_plan))


def _fill(template: bytes, figures: dict[str, tuple]) -> bytes:
    """Fill the template's input columns for the named projects, as a county clerk would."""
    workbook = load_workbook(BytesIO(template))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=3):  # below the title and the header
        if row[1].value in figures:
            for cell, value in zip(row[8:14], figures[row[1].value], strict=False):
                cell.value = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_progress_template_round_trip(session, seeded):
    region = session.scalar(select(Region).where(Region.name == "山阳区"))
    template = progress_template(session, region, 2026, 3)
    sheet = load_workbook(BytesIO(template)).active
    assert "山阳区2026年第3季度" in sheet["A1"].value and sheet["B2"].value == "项目名称"
    names = [row[1].value for row in sheet.iter_rows(min_row=3)]
    assert len(names) == 3 and "山阳区黄龙山体育公园项目" in names

    filled = _fill(template, {"山阳区黄龙山体育公园项目": (3000, 500, 60, "主体完工", "无", "绿化"),
                              "焦作市中医院中医优势专科综合楼": ("16,000", "1000", 95)})
    preview = preview_file(session, KINDS["progress"], filled, "进展.xlsx", ImportContext(TODAY))
    assert preview.ok, preview.error_lines("进展.xlsx")
    assert (preview.count("create"), preview.count("skip")) == (2, 1)
    apply_preview(session, KINDS["progress"], preview, ImportContext(TODAY))
    session.commit()
    report = session.scalar(select(ProgressReport).join(ProgressReport.project)
                            .where(Project.name == "山阳区黄龙山体育公园项目"))
    assert (report.year, report.quarter, report.cumulative_investment, report.works_status) == (
        2026, 3, Decimal("3000"), "主体完工")
    assert newest_cumulative(session, report.project_id) == Decimal("3000")

    again = progress_template(session, region, 2026, 3)
    assert preview_file(session, KINDS["progress"], again, "进展.xlsx", ImportContext(TODAY)).count("unchanged") == 2


def test_bad_progress_rows_are_refused_together(session, seeded):
    region = session.scalar(select(Region).where(Region.name == "山阳区"))
    filled = _fill(progress_template(session, region, 2026, 3), {
        "山阳区黄龙山体育公园项目": (3000, 5000, 60), "焦作市中医院中医优势专科综合楼": (100, 50, 120)})
    preview = preview_file(session, KINDS["progress"], filled, "进展.xlsx", ImportContext(TODAY))
    errors = preview.error_lines("进展.xlsx")
    assert any("本季度完成投资不能大于累计完成投资" in e for e in errors)
    assert any("工程进度应在0–100%之间" in e for e in errors)
    assert session.scalar(select(func.count()).select_from(ProgressReport)) == 0
    future = _fill(progress_template(session, region, 2027, 2), {"山阳区黄龙山体育公园项目": (1, 1, 1)})
    assert "尚未开始" in " ".join(preview_file(session, KINDS["progress"], future, "f.xlsx", ImportContext(TODAY))
                              .error_lines("f.xlsx"))


REGISTRY_HEADER = ["序号", "项目名称", "建设地点", "计划投资(万元)", "建设年限", "项目代码", "建设性质", "项目单位",
                   "包联领导", "联系人", "联系电话", "经度", "纬度", "其中:中央预算内(万元)", "其中：专项债（万元）",
                   "其他说明"]


def test_registry_columns_and_funding_sources(session, empty_plan):
    rows = [[1, "温县托育中心", "温县", "8000", "2025—2027", "2101-410825-04-01-000001", "改建", "温县妇幼保健院",
             "张某", "赵某", "13912345678", "112.98", "34.94", "3000", "4000", "不是资金来源列"],
            [2, "温县养老院", "温县", "500", "2025", "", "", "", "", "", "", "", "", "", "600", ""]]
    preview = _import(session, empty_plan, xlsx_bytes(rows, header=REGISTRY_HEADER))
    assert preview.ok and preview.count("create") == 2
    assert any("第3行“温县养老院”：资金来源合计600.00万元，超过计划投资500.00万元100.00万元" in note
               for note in preview.notes), "saved with a warning, not refused"
    project = session.scalar(select(Project).where(Project.name == "温县托育中心"))
    assert (project.project_code, project.nature.label, project.owner_unit, project.contact_phone,
            project.longitude) == ("2101-410825-04-01-000001", "改建", "温县妇幼保健院", "13912345678",
                                   Decimal("112.980000"))
    assert {s.label: a for s, a in project.funding_by_source.items()} == {
        "中央预算内投资": Decimal("3000.00"), "地方政府专项债券": Decimal("4000.00")}

    # a table with only the 专项债 column changes that source and keeps the others
    header = ["序号", "项目名称", "建设地点", "计划投资(万元)", "建设年限", "其中:专项债(万元)"]
    again = _import(session, empty_plan, xlsx_bytes([[1, "温县托育中心", "温县", "8000", "2025—2027", "4500"]],
                                                    header=header))
    assert again.ok and again.count("update") == 1
    assert again.rows[0].changes == [("资金来源", "中央预算内投资3,000.00万元；地方政府专项债券4,000.00万元",
                                      "中央预算内投资3,000.00万元；地方政府专项债券4,500.00万元")]
    session.refresh(project)
    assert {s.label: a for s, a in project.funding_by_source.items()} == {
        "中央预算内投资": Decimal("3000.00"), "地方政府专项债券": Decimal("4500.00")}


def test_bad_registry_cells_name_the_row_and_field(session, empty_plan):
    rows = [[1, "温县托育中心", "温县", "8000", "2025—2027", "2101-41", "新造", "", "", "", "110", "200", "34.9",
             "-1", "", ""]]
    preview = _import(session, empty_plan, xlsx_bytes(rows, header=REGISTRY_HEADER))
    assert not preview.ok
    errors = preview.rows[0].errors
    assert any(e.startswith("建设性质“新造”不是可选值之一") for e in errors)
    assert any(e.startswith("中央预算内投资：") and "不能为负数" in e for e in errors)
    assert session.scalar(select(func.count()).select_from(Project).where(Project.plan_id == empty_plan.id)) == 0
    rows[0][6], rows[0][13] = "新建", "1"
    errors = _import(session, empty_plan, xlsx_bytes(rows, header=REGISTRY_HEADER)).rows[0].errors
    assert any(e.startswith("项目代码：项目代码“2101-41”格式不对") for e in errors)
    assert any(e.startswith("联系电话：") for e in errors) and any(e.startswith("经度：") for e in errors)


def test_an_archived_project_is_not_changed_by_an_import(session, empty_plan):
    _import(session, empty_plan, xlsx_bytes(appendix_rows()))
    project = session.scalar(select(Project).where(Project.plan_id == empty_plan.id).order_by(Project.id).limit(1))
    project.archived_on, project.archive_reason = TODAY, "测试"
    session.commit()
    rows = appendix_rows()
    rows[0][4] = 1
    preview = preview_file(session, KINDS["projects"], xlsx_bytes(rows), "表.xlsx",
                           ImportContext(TODAY, plan=empty_plan))
    assert not preview.ok and "该项目已归档，不能通过导入修改" in preview.rows[0].errors[0]


def test_funding_columns_as_real_tables_head_them(session, empty_plan):
    header = ["序号", "项目名称", "建设地点", "计划投资(亿元)", "建设年限", "其中:市级财政(万元)", "其中:县级财政(万元)",
              "其中:专项债(亿元)", "其他费用(万元)", "其中:中央资金(万元)", "联系人电话", "联系人"]
    rows = [[1, "温县托育中心", "温县", "1.2", "2025—2027", "30", "20", "0.5", "7", "9", "13912345678", "张三"]]
    preview = _import(session, empty_plan, xlsx_bytes(rows, header=header))
    assert preview.ok
    project = session.scalar(select(Project).where(Project.name == "温县托育中心"))
    assert project.planned_investment == Decimal("12000.00")
    assert {s.label: a for s, a in project.funding_by_source.items()} == {
        "市县财政资金": Decimal("50.00"), "地方政府专项债券": Decimal("5000.00")}
    assert (project.contact_person, project.contact_phone) == ("张三", "13912345678")
    notes = "\n".join(preview.notes)
    assert "“其中:市级财政(万元)”、“其中:县级财政(万元)”都是市县财政资金，已相加" in notes
    assert "“其中:专项债(亿元)”以亿元计，已换算为万元(×10000)" in notes
    assert "以下列未读取：其他费用(万元)、其中:中央资金(万元)" in notes


def test_one_code_twice_in_a_table_is_a_row_error(session, empty_plan):
    rows = [[1, "甲项目", "温县", "100", "2025", "2101-410825-04-01-000001"] + [""] * 10,
            [2, "乙项目", "温县", "100", "2025", "2101-410825-04-01-000001"] + [""] * 10]
    preview = _import(session, empty_plan, xlsx_bytes(rows, header=REGISTRY_HEADER))
    assert not preview.ok and preview.rows[1].errors == ["项目代码2101-410825-04-01-000001与第2行重复"]


def test_zero_in_a_source_column_means_none_and_a_second_import_changes_nothing(session, empty_plan):
    header = ["序号", "项目名称", "建设地点", "计划投资(万元)", "建设年限", "其中:专项债(万元)", "其中:中央预算内(万元)"]
    data = xlsx_bytes([[1, "温县养老院", "温县", "500", "2025", "60", "0"]], header=header)
    assert _import(session, empty_plan, data).count("create") == 1
    again = _import(session, empty_plan, data)
    assert (again.count("unchanged"), again.count("update")) == (1, 0)


def test_an_exported_list_imports_back_unchanged(app, session, seeded):
    from portfolio.exports.render import render_export
    from portfolio.registry.queries import ProjectFilters

    plan = session.scalar(select(Plan).where(Plan.title == PLAN_TITLE))
    project = session.scalar(select(Project).where(Project.name == "孟州市全民健身中心"))
    project.project_code, project.contact_phone = "2101-410883-04-01-000009", "0391-3568888"
    session.commit()
    for kind, name in (("xlsx", "清单.xlsx"), ("csv", "清单.csv")):
        exported = render_export(session, kind, ProjectFilters(as_of=TODAY), app.config)
        preview = preview_file(session, KINDS["projects"], exported.data, name, ImportContext(TODAY, plan=plan))
        assert preview.ok, [(row.line, row.errors) for row in preview.rows if row.errors]
        assert (preview.count("unchanged"), preview.count("skip"), preview.count("update")) == (13, 1, 0), kind
