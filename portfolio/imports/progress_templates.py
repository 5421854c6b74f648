"""Quarterly progress by Excel: a template per region and quarter, and importing it back."""
import re
from collections.abc import Callable, Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portfolio.core.parsing import ParseError, parse_amount
from portfolio.core.spreadsheets import clean, keep_as_text, lay_out_written_sheet
from portfolio.imports.preview import ImportPreview, RowOutcome
from portfolio.imports.tables import Table, TableError, cell_text
from portfolio.progress.models import ProgressReport
from portfolio.progress.operations import PROGRESS_FIELDS, save_progress
from portfolio.progress.review import edit_refusal
from portfolio.progress.validation import PROGRESS_LABELS, progress_errors
from portfolio.registry.models import Project, Region, in_registry
from portfolio.rules import quarter_label, quarter_period

HEADER_MARKER = "项目编号"
COLUMNS = ["项目编号", "项目名称", "县(市、区)", "年份", "季度", "计划投资(万元)", "年度计划投资(万元)",
           "上次累计完成(万元)", "累计完成投资(万元)", "本季度完成投资(万元)", "工程进度(%)", "形象进度", "存在问题", "下步计划"]
INPUT_COLUMNS = COLUMNS[8:]
"""Columns the counties fill in; the others are for reference and are not read back, except 项目编号，年份 and 季度."""
AMOUNT_FIELDS = {"累计完成投资(万元)": "cumulative_investment", "本季度完成投资(万元)": "quarter_investment",
                 "工程进度(%)": "physical_progress"}
TEXT_FIELDS = {"形象进度": "works_status", "存在问题": "problems", "下步计划": "next_steps"}


def progress_template(session: Session, region: Region, year: int, quarter: int) -> bytes:
    """The region's projects for one quarter, with their annual plan and latest figures filled in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年第{quarter}季度"
    sheet.append([f"{region.name}{year}年第{quarter}季度项目进展填报表（黄色列填写，其余列仅供参考，不会导入）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC" if cell.value in INPUT_COLUMNS else "E2E8F0")
    projects = session.scalars(select(Project).where(Project.region_id == region.id, in_registry()).order_by(Project.id)
                               .options(selectinload(Project.progress_reports), selectinload(Project.annual_plans))).all()
    period = quarter_period(year, quarter)
    for project in projects:
        reports = {quarter_period(r.year, r.quarter): r for r in project.progress_reports}
        current = reports.get(period)
        earlier = [reports[p] for p in sorted(reports) if p < period]
        plan = next((p.planned_investment for p in project.annual_plans if p.year == year), None)
        sheet.append([clean(value) if isinstance(value, str) else value for value in (
            project.id, project.name, region.name, year, quarter, project.planned_investment, plan,
            earlier[-1].cumulative_investment if earlier else None,
            *([getattr(current, name) for name in PROGRESS_FIELDS[2:]] if current else [None] * 6),
        )])
        for cell in sheet[sheet.max_row]:
            keep_as_text(cell)
    for row in sheet.iter_rows(min_row=3, min_col=6, max_col=10):
        for cell in row:
            cell.number_format = "#,##0.00"
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                             error="工程进度应在0–100之间", showErrorMessage=True)
    sheet.add_data_validation(percent)
    percent.add(f"K3:K{max(3, len(projects) + 2)}")
    lay_out_written_sheet(sheet, header_row=2, freeze="C3")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview_progress_import(session: Session, table: Table, context, progress: Callable[[Iterable], Iterable]
                            ) -> ImportPreview:
    """What importing the filled-in template would do; rows with no figures are skipped. The
    projects named and their reports are read once for the whole file, not row by row."""
    columns = {header: index for index, header in enumerate(table.headers) if header in COLUMNS}
    missing = [c for c in ("项目编号", "年份", "季度", *AMOUNT_FIELDS) if c not in columns]
    if missing:
        raise TableError(f"表头缺少必需的列：{'、'.join(missing)}(请使用下载的模板)")
    parsed = [_parse_row(line, cells, columns) for line, cells in progress(table.rows)]
    ids = {project_id for _, project_id, _ in parsed if project_id is not None}
    projects = {project.id: project for project in session.scalars(select(Project).where(Project.id.in_(ids)))}
    stored = {}
    for report in session.scalars(select(ProgressReport).where(ProgressReport.project_id.in_(ids))):
        stored.setdefault(report.project_id, []).append(report)
    seen: dict[tuple, int] = {}
    in_file: dict[int, dict[tuple, tuple]] = {}
    """Per project, the quarters this file sets so far, as `progress_errors` reads other reports."""

    def order(item):
        _, project_id, values = item
        return project_id or 0, values.get("year") or 0, values.get("quarter") or 0

    # The rows of one project are checked in quarter order, together with what is stored, so
    # two rows of one file are held to the same rules as two saves of the form.
    for outcome, project_id, values in sorted(parsed, key=order):
        if outcome.action == "skip":
            continue
        project = projects.get(project_id)
        if project is None:
            outcome.errors.insert(0, f"项目编号“{project_id if project_id is not None else ''}”不存在")
        elif context.region_scope is not None and project.region_id not in context.region_scope:
            outcome.errors.insert(0, f"项目“{project.name}”不属于您可填报的县(市、区)")
        elif project.archived:
            outcome.errors.insert(0, f"项目“{project.name}”已归档，不能填报进展（请先在项目页恢复）")
        if project is not None:
            outcome.name = project.name
            key = (project.id, values.get("year"), values.get("quarter"))
            if key in seen:
                outcome.errors.append(f"与第{seen[key]}行是同一项目同一季度")
            seen.setdefault(key, outcome.line)
        if project is not None and not outcome.errors:
            reports = stored.get(project.id, [])
            quarter = (values["year"], values["quarter"])
            existing = next((r for r in reports if (r.year, r.quarter) == quarter), None)
            if existing is not None and (refusal := edit_refusal(context.user, existing)):
                outcome.errors.append(f"{quarter_label(quarter_period(*quarter))}：{refusal}")
                continue
            file_rows = in_file.setdefault(project.id, {})
            others = [(r.id, r.year, r.quarter, r.cumulative_investment, r.physical_progress) for r in reports
                      if (r.year, r.quarter) not in file_rows] + list(file_rows.values())
            outcome.errors += [f"{PROGRESS_LABELS[field]}：{message}" for field, message in progress_errors(
                session, project, values, context.today, existing.id if existing else None, others).items()]
            if not outcome.errors:
                file_rows[quarter] = (-outcome.line, *quarter, values["cumulative_investment"],
                                      values["physical_progress"])
            outcome.values = values | {"project_id": project.id}
            if existing is not None:
                outcome.changes = [(name, str(getattr(existing, name) or "—"), str(values[name] or "—"))
                                   for name in PROGRESS_FIELDS if getattr(existing, name) != values[name]]
                outcome.action = "update" if outcome.changes else "unchanged"
            outcome.name = f"{project.name}（{quarter_label(quarter_period(*quarter))}）"
    outcomes = [outcome for outcome, _, _ in parsed]
    for outcome in outcomes:
        if outcome.errors:
            outcome.action = "error"
    return ImportPreview(outcomes, list(table.notes))


def _parse_row(line: int, cells: list, columns: dict[str, int]) -> tuple[RowOutcome, int | None, dict]:
    """One row's cells as the values `progress_errors` checks (with parse errors on the outcome)."""
    def cell(header):
        index = columns.get(header)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    outcome = RowOutcome(line, cell("项目名称"))
    if not any(cell(header) for header in AMOUNT_FIELDS):
        outcome.action = "skip"
        return outcome, None, {}
    project_id = int(cell("项目编号")) if re.fullmatch(r"[0-9]{1,18}", cell("项目编号")) else None
    values: dict = {}
    for header, key in (("年份", "year"), ("季度", "quarter")):
        if re.fullmatch(r"[0-9]{1,4}", cell(header)):
            values[key] = int(cell(header))
        else:
            outcome.errors.append(f"{header}“{cell(header)[:20]}”不是有效的{header}")
    for header, key in AMOUNT_FIELDS.items():
        try:
            values[key] = parse_amount(cell(header)) if cell(header) else None
        except ParseError as error:
            outcome.errors.append(f"{header}：{error}")
    values |= {key: cell(header) or None for header, key in TEXT_FIELDS.items()}
    return outcome, project_id, values


def apply_progress_import(session: Session, preview: ImportPreview, context,
                          progress: Callable[[Iterable], Iterable]) -> None:
    """Write a checked preview (see `portfolio.imports.flow`)."""
    for row in progress(preview.rows):
        if row.action not in ("create", "update"):
            continue
        project = session.get(Project, row.values["project_id"])
        existing = session.scalar(select(ProgressReport).where(
            ProgressReport.project_id == project.id, ProgressReport.year == row.values["year"],
            ProgressReport.quarter == row.values["quarter"]))
        save_progress(session, project, row.values, existing)
    session.flush()
