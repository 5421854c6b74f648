"""Exporting a filtered project list: Excel, CSV (UTF-8 with BOM) and an OC4IDS project package.

`render_export` is the one entry: the list page's export links and `flask projects export` call it."""
import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import Session, joinedload, selectinload

from portfolio.progress.models import MilestoneKind
from portfolio.registry.models import Project, ProjectStatus, Sector
from portfolio.registry.queries import ProjectFilters, projects_query
from portfolio.rules import MILESTONE_ORDER, Assessment, ReportFigures, assess, completion_rate, latest_report
from portfolio.rules.figures import facts_for

EXPORT_KINDS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "oc4ids": "application/json",
}
"""Each kind of export and its media type."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WAN = "#,##0.00"


@dataclass(frozen=True)
class ExportRow:
    project: Project
    assessment: Assessment
    latest_report: ReportFigures | None
    """The newest progress report at or before the as-of date."""


COLUMNS = [
    # header, width, value, number format
    ("序号", 6, lambda n, r: n, None),
    ("项目名称", 40, lambda n, r: r.project.name, None),
    ("规划", 30, lambda n, r: r.project.plan.title, None),
    ("县(市、区)", 12, lambda n, r: r.project.region.name, None),
    ("建设地点", 12, lambda n, r: r.project.site, None),
    ("领域", 10, lambda n, r: r.project.sector.label, None),
    ("建设内容", 50, lambda n, r: r.project.content, None),
    ("计划投资(万元)", 16, lambda n, r: r.project.planned_investment, WAN),
    ("建设年限", 12, lambda n, r: r.project.build_years, None),
    ("项目状态", 10, lambda n, r: r.project.status.label, None),
    ("责任单位", 20, lambda n, r: r.project.responsible_unit or "", None),
    ("累计完成投资(万元)", 18, lambda n, r: r.assessment.cumulative_investment, WAN),
    ("投资完成率", 12, lambda n, r: r.assessment.completion_rate, "0.0%"),
    ("预警", 8, lambda n, r: r.assessment.light.label, None),
    ("预警原因", 60, lambda n, r: ";".join(f"{w.kind.label}:{w.reason}" for w in r.assessment.warnings), None),
]


def render_export(session: Session, kind: str, filters: ProjectFilters, config: Mapping,
                  filename: str) -> tuple[bytes, int]:
    """The projects `filters` select as a file of `kind`, and how many projects it holds; `config`
    supplies the publisher and the OC4IDS uri and id prefixes, `filename` the last part of the uri."""
    rows = export_rows(session, filters, with_progress=kind == "oc4ids")
    if kind == "xlsx":
        return write_xlsx(rows, "项目清单"), len(rows)
    if kind == "csv":
        return write_csv(rows), len(rows)
    package = oc4ids_package(rows, config["REPORT_ISSUER"], f"{config['OC4IDS_URI_PREFIX']}/{filename}",
                             datetime.now(UTC), config["OC4IDS_ID_PREFIX"], filters.as_of)
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8"), len(rows)


def export_rows(session: Session, filters: ProjectFilters, with_progress: bool = False) -> list[ExportRow]:
    """The filtered list (the list page's filters, warnings included), judged as of `filters.as_of`;
    `with_progress` also loads the milestones (for OC4IDS)."""
    options = [joinedload(Project.plan)]
    if with_progress:
        options.append(selectinload(Project.milestones))
    projects = session.scalars(projects_query(filters).options(*options)).unique().all()
    facts = facts_for(session, projects)
    return [ExportRow(p, assess(facts[p.id], filters.as_of, filters.thresholds), latest_report(facts[p.id], filters.as_of))
            for p in projects]


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text and never runs as a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_csv(rows: Sequence[ExportRow]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, *_ in COLUMNS])
    for number, row in enumerate(rows, start=1):
        writer.writerow([
            safe_text(value) if isinstance(value, str) else "" if value is None else value
            for value in (get(number, row) for _, _, get, _ in COLUMNS)
        ])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Sequence[ExportRow], title: str) -> bytes:
    """Bold, frozen header; 万元 number format; widths; a totals row. Text is always stored as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, (_, width, _, _) in enumerate(COLUMNS):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)

    def cell(value, number_format=None, font=None):
        """A plain value where that is safe (fast in write-only mode), a styled cell where needed."""
        if font is None and number_format is None and not (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)):
            return value
        written = WriteOnlyCell(sheet, value=None if isinstance(value, str) else value)
        if isinstance(value, str):
            written.value, written.data_type = value, "s"  # a string never becomes a formula
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    sheet.append([cell(header, font=bold) for header, *_ in COLUMNS])
    for number, row in enumerate(rows, start=1):
        sheet.append([cell(get(number, row), fmt) for _, _, get, fmt in COLUMNS])
    planned = sum((r.project.planned_investment for r in rows), Decimal(0))
    cumulative = sum((r.assessment.cumulative_investment for r in rows), Decimal(0))
    totals = {"项目名称": f"合计({len(rows)}个项目)", "计划投资(万元)": planned, "累计完成投资(万元)": cumulative,
              "投资完成率": completion_rate(cumulative, planned)}
    sheet.append([cell(totals.get(header), fmt, bold) for header, _, _, fmt in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- OC4IDS -------------------------------------------------------------------------------

OC4IDS_STATUS = {
    ProjectStatus.PREPARING: "preparation", ProjectStatus.UNDER_WAY: "implementation",
    ProjectStatus.SUSPENDED: "implementation", ProjectStatus.COMPLETED: "completion",
    ProjectStatus.IN_USE: "completion", ProjectStatus.CANCELLED: "cancelled",
}
OC4IDS_SECTOR = {
    Sector.HEALTH: "health", Sector.EDUCATION: "education", Sector.CHILDCARE: "education",
    Sector.EMPLOYMENT_TRAINING: "education", Sector.CULTURE_TOURISM: "cultureSportsAndRecreation",
    Sector.SPORTS: "cultureSportsAndRecreation", Sector.HOUSING: "socialHousing",
}
"""DESIGN.md's mapping; 养老, 社会保障 and 其他 have no OC4IDS sector and are left without one."""
OC4IDS_MILESTONE_CODE = {MilestoneKind.COMMENCEMENT: "commencement", MilestoneKind.ACCEPTANCE: "completion"}
OC4IDS_VERSION = "0.9"
YUAN_PER_WAN = Decimal(10000)


def oc4ids_package(rows: Sequence[ExportRow], publisher: str, uri: str, published: datetime, prefix: str,
                   as_of: date) -> dict:
    """An OC4IDS project package (rows from `export_rows(..., with_progress=True)`); `prefix` makes
    project ids unique to this registry."""
    return {
        "version": OC4IDS_VERSION,
        "uri": uri,
        "publishedDate": published.isoformat(timespec="seconds"),
        "publisher": {"name": publisher},
        "projects": [_oc4ids_project(row, prefix, as_of) for row in rows],
    }


def _oc4ids_project(row: ExportRow, prefix: str, as_of: date) -> dict:
    project, assessment = row.project, row.assessment
    data = {
        "id": f"{prefix}-{project.id}",
        "title": project.name,
        "description": project.content or project.name,
        "status": OC4IDS_STATUS[project.status],
        "period": {"startDate": f"{project.planned_start.isoformat()}T00:00:00+08:00",
                   "endDate": f"{project.planned_end.isoformat()}T23:59:59+08:00"},
        "budget": {"amount": {"amount": float(project.planned_investment * YUAN_PER_WAN), "currency": "CNY"}},
        "locations": [{"id": "1", "description": project.site,
                       "address": {"locality": project.site, "region": project.region.city, "countryName": "中国"}}],
    }
    if project.milestones:
        data["milestones"] = [_oc4ids_milestone(m) for m in sorted(project.milestones, key=lambda m: MILESTONE_ORDER[m.kind])]
    if sector := OC4IDS_SECTOR.get(project.sector):
        data["sector"] = [sector]
    if project.status is ProjectStatus.SUSPENDED:
        data["purpose"] = "项目暂停"
    metrics = []
    if assessment.completion_rate is not None:
        metrics.append(_metric("financialProgress", "投资完成率", assessment.completion_rate * 100))
    if latest := row.latest_report:
        metrics.append(_metric("physicalProgress", "工程形象进度", latest.physical_progress, latest.works_status))
    if metrics:
        data["metrics"] = metrics
    return data


def _metric(metric_id: str, title: str, percent: Decimal, description: str | None = None) -> dict:
    metric = {"id": metric_id, "title": title,
              "observations": [{"id": "1", "measure": float(round(percent, 1)), "unit": {"name": "percent"}}]}
    if description:
        metric["description"] = description
    return metric


def _oc4ids_milestone(milestone) -> dict:
    data = {"id": milestone.kind.value, "title": milestone.kind.label, "type": "delivery",
            "status": "met" if milestone.actual_date else "scheduled"}
    if code := OC4IDS_MILESTONE_CODE.get(milestone.kind):
        data["code"] = code
    if milestone.planned_date:
        data["dueDate"] = f"{milestone.planned_date.isoformat()}T00:00:00+08:00"
    if milestone.actual_date:
        data["dateMet"] = f"{milestone.actual_date.isoformat()}T00:00:00+08:00"
    if milestone.note:
        data["description"] = milestone.note
    return data
