"""Quarterly progress by Excel: a template per region and quarter, and importing it back."""
from collections.abc import Callable, Iterable
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.imports.outcome import ImportPreview, RowOutcome
from portfolio.imports.tables import Table, TableError, cell_text
from portfolio.models import ProgressReport, Project, Region
from portfolio.parsing import ParseError, parse_amount
from portfolio.rules import quarter_label, quarter_period
from portfolio.services.progress import PROGRESS_FIELDS, progress_errors, save_progress

HEADER_MARKER = "项目编号"
COLUMNS = ["项目编号", "项目名称", "县(市、区)", "年份", "季度", "计划投资(万元)", "年度计划投资(万元)",
           "上次累计完成(万元)", "累计完成投资(万元)", "本季度完成投资(万元)", "工程进度(%)", "形象进度", "存在问题", "下步计划"]
INPUT_COLUMNS = COLUMNS[8:]
"""Columns the counties fill in; the others are for reference and are not read back, except 项目编号, 年份 and 季度."""
AMOUNT_FIELDS = {"累计完成投资(万元)": "cumulative_investment", "本季度完成投资(万元)": "quarter_investment",
                 "工程进度(%)": "physical_progress"}
TEXT_FIELDS = {"形象进度": "works_status", "存在问题": "problems", "下步计划": "next_steps"}


def progress_template(session: Session, region: Region, year: int, quarter: int) -> bytes:
    """The region's projects for one quarter, with their annual plan and latest figures filled in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年第{quarter}季度"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC" if cell.value in INPUT_COLUMNS else "E2E8F0")
    projects = session.scalars(select(Project).where(Project.region_id == region.id).order_by(Project.id)).all()
    period = quarter_period(year, quarter)
    for project in projects:
        reports = {quarter_period(r.year, r.quarter): r for r in project.progress_reports}
        current = reports.get(period)
        earlier = [reports[p] for p in sorted(reports) if p < period]
        plan = next((p.planned_investment for p in project.annual_plans if p.year == year), None)
        sheet.append([
            project.id, project.name, region.name, year, quarter, project.planned_investment, plan,
            earlier[-1].cumulative_investment if earlier else None,
            *([getattr(current, name) for name in PROGRESS_FIELDS[2:]] if current else [None] * 6),
        ])
    for column, width in zip("ABCDEFGHIJKLMN", (10, 40, 12, 8, 6, 14, 16, 16, 16, 16, 12, 30, 30, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=10):
        for cell in row:
            cell.number_format = "#,##0.00"
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                             error="工程进度应在0–100之间", showErrorMessage=True)
    sheet.add_data_validation(percent)
    percent.add(f"K2:K{max(2, len(projects) + 1)}")
    sheet.freeze_panes = "C2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview_progress_import(session: Session, table: Table, today: date, allowed_region_ids: set[int] | None = None,
                            progress: Callable[[Iterable], Iterable] = lambda rows: rows) -> ImportPreview:
    """What importing the filled-in template would do; rows with no figures are skipped."""
    columns = {header: index for index, header in enumerate(table.headers) if header in COLUMNS}
    missing = [c for c in ("项目编号", "年份", "季度", *AMOUNT_FIELDS) if c not in columns]
    if missing:
        raise TableError(f"表头缺少必需的列: {'、'.join(missing)}(请使用下载的模板)")
    outcomes, seen = [], {}
    for line, cells in progress(table.rows):
        def cell(header):
            index = columns.get(header)
            return cell_text(cells[index]) if index is not None and index < len(cells) else ""

        outcome = RowOutcome(line, cell("项目名称"))
        if not any(cell(header) for header in AMOUNT_FIELDS):
            outcome.action = "skip"
            outcomes.append(outcome)
            continue
        project = session.get(Project, int(cell("项目编号"))) if cell("项目编号").isdigit() else None
        if project is None:
            outcome.errors.append(f"项目编号“{cell('项目编号')}”不存在")
        elif allowed_region_ids is not None and project.region_id not in allowed_region_ids:
            outcome.errors.append(f"项目“{project.name}”不属于您可填报的县(市、区)")
        values: dict = {}
        for header, key in (("年份", "year"), ("季度", "quarter")):
            if cell(header).isdigit():
                values[key] = int(cell(header))
            else:
                outcome.errors.append(f"{header}“{cell(header)}”不是整数")
        if values.get("quarter") not in (None, 1, 2, 3, 4):
            outcome.errors.append(f"季度应为1–4,不是{values['quarter']}")
        for header, key in AMOUNT_FIELDS.items():
            try:
                values[key] = parse_amount(cell(header)) if cell(header) else None
                if values[key] is None:
                    outcome.errors.append(f"{header}为空")
            except ParseError as error:
                outcome.errors.append(f"{header}: {error}")
        if (percent := values.get("physical_progress")) is not None and percent > 100:
            outcome.errors.append("工程进度应在0–100%之间")
        values |= {key: cell(header) or None for header, key in TEXT_FIELDS.items()}
        if project is not None:
            outcome.name = project.name
            key = (project.id, values.get("year"), values.get("quarter"))
            if key in seen:
                outcome.errors.append(f"与第{seen[key]}行是同一项目同一季度")
            seen.setdefault(key, line)
        if project is not None and not outcome.errors:
            existing = session.scalar(select(ProgressReport).where(
                ProgressReport.project_id == project.id, ProgressReport.year == values["year"],
                ProgressReport.quarter == values["quarter"]))
            for field, message in progress_errors(session, project, values, today,
                                                  report_id=existing.id if existing else None).items():
                outcome.errors.append(message)
            outcome.values = values | {"project_id": project.id}
            if existing is not None:
                outcome.changes = [(name, str(getattr(existing, name) or "—"), str(values[name] or "—"))
                                   for name in PROGRESS_FIELDS if getattr(existing, name) != values[name]]
                outcome.action = "update" if outcome.changes else "unchanged"
            label = quarter_label(quarter_period(values["year"], values["quarter"]))
            outcome.name = f"{project.name}({label})"
        if outcome.errors:
            outcome.action = "error"
        outcomes.append(outcome)
    return ImportPreview(outcomes, list(table.notes))


def apply_progress_import(session: Session, preview: ImportPreview,
                          progress: Callable[[Iterable], Iterable] = lambda rows: rows) -> None:
    """Write a preview without errors; the caller commits once, so it is all rows or none."""
    if not preview.ok:
        raise ValueError("the preview has errors")
    for row in progress(preview.rows):
        if row.action not in ("create", "update"):
            continue
        project = session.get(Project, row.values["project_id"])
        existing = session.scalar(select(ProgressReport).where(
            ProgressReport.project_id == project.id, ProgressReport.year == row.values["year"],
            ProgressReport.quarter == row.values["quarter"]))
        save_progress(session, project, row.values, existing)
    session.flush()
