"""Exporting a filtered project list: Excel, CSV (UTF-8 with BOM) and an OC4IDS project package.

`render_export` is the one entry: the list page's export links and `flask projects export` call
it. Every export says the date it was judged as of and the filters (a title row and document
properties in Excel, the file name for CSV, `publishedDate` and dated observations in OC4IDS),
and its totals come from the one roll-up (`portfolio.rules.totals`), cancelled projects apart.
"""
import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portfolio.core.formatting import format_date, format_rate, format_wan, format_wan_whole
from portfolio.core.spreadsheets import (
    CENTRED,
    clean,
    column_widths,
    csv_text,
    is_formula_like,
    lay_out_for_print,
    long_columns,
    row_layout,
)
from portfolio.jobs.runner import CountedRows
from portfolio.progress.models import Milestone, MilestoneDocument, MilestoneKind, ProgressPhoto, ProgressReport
from portfolio.registry.models import FundingSource, Project, ProjectStatus, Sector
from portfolio.registry.queries import ProjectFilters, describe_filters, projects_query
from portfolio.judgements.queries import assessments_as_of
from portfolio.rules import (
    MILESTONE_ORDER,
    Assessment,
    ReportFigures,
    latest_report,
    period_quarter,
    quarter_start,
    reporting_period,
    totals,
)
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import SOURCES, GroupFigures, project_cell

EXPORT_KINDS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "oc4ids": "application/json",
}
"""Each kind of export and its media type."""
WAN = "#,##0.00"
PERCENT = "0.0%"
DEGREES = "0.000000"


@dataclass(frozen=True)
class ExportRow:
    project: Project
    assessment: Assessment
    latest_report: ReportFigures | None
    """The newest progress report for the 报告期 or earlier."""


@dataclass(frozen=True)
class Attachment:
    """A photo or a milestone document, as OC4IDS lists it among a project's `documents`."""

    path: str
    """Where the app serves it (`/media/...`), joined to a public base when one is configured."""
    document_type: str
    title: str
    day: date | None
    media_type: str


@dataclass(frozen=True)
class ExportList:
    rows: list[ExportRow]
    total: GroupFigures
    as_of: date
    period: int
    """The 报告期 of `as_of` (`rules.quarter_period`)."""
    filters: list[str]
    """The filters in words."""
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)
    """Per project (OC4IDS only): its photos and milestone documents up to the as-of date."""

    def heading(self) -> str:
        year, quarter = period_quarter(self.period)
        scope = "；".join(self.filters) or "全部项目"
        return f"项目清单（截至{format_date(self.as_of)}，报告期{year}年第{quarter}季度；筛选：{scope}）"


COLUMNS = [
    # header, value, number format
    ("序号", lambda n, r: n, None),
    ("项目名称", lambda n, r: r.project.name, None),
    ("规划", lambda n, r: r.project.plan.title, None),
    ("项目代码", lambda n, r: r.project.project_code or "", None),
    ("县(市、区)", lambda n, r: r.project.region.name, None),
    ("建设地点", lambda n, r: r.project.site, None),
    ("领域", lambda n, r: r.project.sector.label, None),
    ("建设性质", lambda n, r: r.project.nature.label if r.project.nature else "", None),
    ("建设内容", lambda n, r: r.project.content, None),
    ("计划投资(万元)", lambda n, r: r.project.planned_investment, WAN),
    *((f"其中:{source.label}(万元)", lambda n, r, source=source: r.project.funding_by_source.get(source), WAN)
      for source in FundingSource),
    ("建设年限", lambda n, r: r.project.build_years, None),
    ("项目状态", lambda n, r: r.assessment.status.label, None),
    ("项目单位", lambda n, r: r.project.owner_unit or "", None),
    ("责任单位", lambda n, r: r.project.responsible_unit or "", None),
    ("包联领导", lambda n, r: r.project.responsible_leader or "", None),
    ("联系人", lambda n, r: r.project.contact_person or "", None),
    ("联系电话", lambda n, r: r.project.contact_phone or "", None),
    ("经度", lambda n, r: r.project.longitude, DEGREES),
    ("纬度", lambda n, r: r.project.latitude, DEGREES),
    ("累计完成投资(万元)", lambda n, r: r.assessment.cumulative_investment, WAN),
    ("投资完成率", lambda n, r: r.assessment.completion_rate, PERCENT),
    ("预警", lambda n, r: r.assessment.light.label, None),
    ("预警原因", lambda n, r: "；".join(f"{w.kind.label}：{w.reason}" for w in r.assessment.warnings), None),
    ("归档", lambda n, r: f"{format_date(r.project.archived_on)}归档：{r.project.archive_reason}"
     if r.project.archived else "", None),
]
"""The columns of the Excel and CSV lists; headers as the plan-table import reads them, so an
exported list can be edited and imported back."""
FOLDED_COLUMNS = {"规划", "项目代码", *(f"其中:{source.label}(万元)" for source in FundingSource), "项目单位", "责任单位",
                  "包联领导", "联系人", "联系电话", "经度", "纬度"}
"""The Excel list's detail columns, folded away (分组) so that the list prints on A4 at a readable size."""


def totals_row(total: GroupFigures) -> dict[str, object]:
    """The totals row's values by column header (from the one roll-up)."""
    return {"项目名称": f"合计（{total.count}个项目）", "计划投资(万元)": total.planned_investment,
            **{f"其中:{source.label}(万元)": amount for source, amount in total.funding.by_source},
            "累计完成投资(万元)": total.cumulative_investment, "投资完成率": total.completion_rate}


def export_list(session: Session, filters: ProjectFilters, with_progress: bool = False) -> ExportList:
    """The filtered list (the list page's filters, warnings included), judged as of `filters.as_of`;
    `with_progress` also loads the milestones (for OC4IDS)."""
    options = [joinedload(Project.plan), selectinload(Project.funding)]
    if with_progress:
        options.append(selectinload(Project.milestones))
    projects = session.scalars(projects_query(filters).options(*options)).unique().all()
    facts = facts_for(session, projects)  # the newest reports' words; the figures are the stored judgements
    assessments = assessments_as_of(session, projects, filters.as_of, filters.thresholds)
    period = reporting_period(filters.as_of, filters.thresholds.report_due_days)
    rows = [ExportRow(p, assessments[p.id], latest_report(facts[p.id], period)) for p in projects]
    total = totals.total(project_cell(r.project.region_id, r.project.region.name, r.project.sector,
                                      r.project.planned_investment, r.assessment, r.project.funding_by_source)
                        for r in rows)
    attachments = _attachments(session, [p.id for p in projects], filters.as_of) if with_progress else {}
    return ExportList(rows, total, filters.as_of, period, describe_filters(session, filters), attachments)


def _attachments(session: Session, project_ids: list[int], as_of: date) -> dict[int, list[Attachment]]:
    found: dict[int, list[Attachment]] = {}
    for photo, year, quarter in session.execute(
            select(ProgressPhoto, ProgressReport.year, ProgressReport.quarter).join(ProgressPhoto.report)
            .where(ProgressPhoto.project_id.in_(project_ids)).order_by(ProgressPhoto.id)):
        if quarter_start(year, quarter) <= as_of:
            found.setdefault(photo.project_id, []).append(Attachment(
                f"/media/photos/{photo.id}.jpg", "physicalProgressReport",
                f"现场照片（{year}年第{quarter}季度）" + (f"：{photo.caption}" if photo.caption else ""),
                photo.taken_on, "image/jpeg"))
    for document, kind in session.execute(
            select(MilestoneDocument, Milestone.kind).join(MilestoneDocument.milestone)
            .where(MilestoneDocument.project_id.in_(project_ids)).order_by(MilestoneDocument.id)):
        if document.created_dt.date() <= as_of:
            found.setdefault(document.project_id, []).append(Attachment(
                f"/media/documents/{document.id}", DOCUMENT_TYPES.get(kind, "physicalProgressReport"),
                f"{kind.label}：{document.title}", document.created_dt.date(), document.media_type))
    return found


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    count: int
    filename: str
    """项目清单_截至20261122_山阳区.xlsx: says as of when and which filters."""


SUFFIXES = {"xlsx": ".xlsx", "csv": ".csv", "oc4ids": "_oc4ids.json"}


def render_export(session: Session, kind: str, filters: ProjectFilters, config: Mapping,
                  progress: Callable[..., None] | None = None) -> ExportFile:
    """The projects `filters` select as a file of `kind`; `config` supplies the publisher and the
    OC4IDS uri and id prefixes. `progress(done, total, stage)` is told how far it got (a job's page)."""
    if progress:
        progress(0, 1, "读取数据、判断预警")
    exported = export_list(session, filters, with_progress=kind == "oc4ids")
    if progress:
        exported = replace(exported, rows=CountedRows(exported.rows, progress, "写入文件"))
    filename = export_filename(exported.as_of, exported.filters, SUFFIXES[kind])
    if kind == "xlsx":
        data = write_xlsx(exported, "项目清单")
    elif kind == "csv":
        data = write_csv(exported)
    else:
        package = oc4ids_package(exported, config["REPORT_ISSUER"], f"{config['OC4IDS_URI_PREFIX']}/{quote(filename)}",
                                 datetime.now(UTC), config["OC4IDS_ID_PREFIX"], config.get("OC4IDS_DOCUMENT_BASE"))
        data = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    return ExportFile(data, len(exported.rows), filename)


def export_filename(exported_as_of: date, filter_words: list[str], suffix: str) -> str:
    """项目清单_截至20261122_山阳区_红.csv: the date and the filters, safe for any file system."""
    parts = ["项目清单", f"截至{exported_as_of:%Y%m%d}"] + [re.sub(r"[^\w\u4e00-\u9fff]+", "", w.split("：")[-1])
                                                         for w in filter_words]
    return "_".join(part for part in parts if part)[:120] + suffix


def _csv_value(value, number_format):
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if number_format == PERCENT:
        return format_rate(value)
    if number_format == WAN:
        return format_wan(value).replace(",", "")
    if number_format == DEGREES:
        return f"{value:f}"
    return value


def totals_lines(total: GroupFigures) -> list[str]:
    lines = [f"合计：{total.count}个项目，计划投资{format_wan(total.planned_investment)}万元，累计完成"
             f"{format_wan(total.cumulative_investment)}万元，投资完成率{format_rate(total.completion_rate)}"]
    if total.cancelled_count:
        lines.append(f"另有已取消项目{total.cancelled_count}个、计划投资{format_wan_whole(total.cancelled_planned)}万元，"
                     f"不计入合计")
    return lines


def write_csv(exported: ExportList) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly; rates as "45.0%"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, *_ in COLUMNS])
    for number, row in enumerate(exported.rows, start=1):
        writer.writerow([_csv_value(get(number, row), fmt) for _, get, fmt in COLUMNS])
    total = exported.total
    values = totals_row(total)
    writer.writerow([_csv_value(values.get(header), fmt) for header, _, fmt in COLUMNS])
    if total.cancelled_count:
        writer.writerow(["", totals_lines(total)[1]] + [""] * (len(COLUMNS) - 2))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(exported: ExportList, title: str) -> bytes:
    """A title row saying as of when and which filters; bold, frozen header; 万元 and percent number
    formats; widths from the content, long text wrapped; a totals row; the print layout of every
    workbook (`lay_out_for_print`). Text is always stored as text (formula-like text as a string
    cell, never a formula), without the control characters Excel refuses."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = exported.heading()
    workbook.properties.subject = "；".join(exported.filters) or "全部项目"
    workbook.properties.description = f"截至{exported.as_of.isoformat()}"
    sheet = workbook.create_sheet(title[:31])
    header = [name for name, *_ in COLUMNS]
    values = [[get(number, row) for _, get, _ in COLUMNS] for number, row in enumerate(exported.rows, start=1)]
    total = exported.total
    totals = totals_row(total)
    values.append([totals.get(name) for name in header])
    widths = column_widths(header, values)
    lay_out_for_print(sheet, header, widths, header_row=2, freeze="C3",
                      folded=[index for index, name in enumerate(header) if name in FOLDED_COLUMNS])
    wrapped = long_columns(widths)
    formats = [fmt for *_, fmt in COLUMNS]
    bold = Font(bold=True)

    def cell(value, number_format=None, font=None, alignment=None):
        """A plain value where that is safe (fast in write-only mode), a styled cell where needed."""
        if isinstance(value, str):
            value = clean(value)
            if font is None and alignment is None and not is_formula_like(value):
                return value
        elif font is None and number_format is None and alignment is None:
            return value
        written = WriteOnlyCell(sheet, value=None if isinstance(value, str) else value)
        if isinstance(value, str):
            written.value, written.data_type = value, "s"  # a string never becomes a formula
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        if alignment:
            written.alignment = alignment
        return written

    sheet.append([cell(exported.heading(), font=Font(bold=True, size=14), alignment=CENTRED)])
    sheet.append([cell(name, font=bold, alignment=CENTRED) for name in header])
    for number, row in enumerate(values, start=3):  # the last is the totals row
        height, alignments = row_layout(row, widths, wrapped)
        if height:  # a write-only sheet takes a row's height before the row
            sheet.row_dimensions[number].height = height
        font = bold if number == len(values) + 2 else None
        sheet.append([cell(value, formats[index], font, alignments[index]) for index, value in enumerate(row)])
    if total.cancelled_count:
        sheet.append([None, cell(totals_lines(total)[1])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
"""DESIGN.md's mapping; 养老，社会保障 and 其他 have no OC4IDS sector and are left without one."""
APPROVALS = {MilestoneKind.PROJECT_APPROVAL, MilestoneKind.FEASIBILITY_APPROVAL, MilestoneKind.DESIGN_APPROVAL,
             MilestoneKind.CONSTRUCTION_PERMIT}
OC4IDS_MILESTONE_CODE = {**{kind: "projectApproval" for kind in APPROVALS},
                         MilestoneKind.COMMENCEMENT: "commencement", MilestoneKind.ACCEPTANCE: "completion",
                         MilestoneKind.IN_USE: "commissioning"}
"""DESIGN.md's mapping; 主体完工 has no code of its own."""
DOCUMENT_TYPES = {kind: "projectApproval" for kind in APPROVALS} | {
    MilestoneKind.ACCEPTANCE: "completionCertificate", MilestoneKind.IN_USE: "completionCertificate"}
"""OC4IDS documentType of a milestone's document (others: physicalProgressReport, like the photos)."""
OC4IDS_VERSION = "0.9"
PROJECT_CODE_SCHEME = "CN-TZXM"
"""项目代码's scheme: the national investment-project online approval platform (全国投资项目在线审批监管平台).
OC4IDS has no codelist for project identifier schemes; this name is ours and stated in the README."""

YUAN_PER_WAN = Decimal(10000)


def oc4ids_package(exported: ExportList, publisher: str, uri: str, published: datetime, prefix: str,
                   document_base: str | None = None) -> dict:
    """An OC4IDS project package (from `export_list(..., with_progress=True)`); `prefix` makes
    project ids unique to this registry. The package is published as of the as-of date: its
    statuses, milestone states and metric observations are those of that date. Photos and
    milestone documents are listed as `documents`; they carry a `url` only when `document_base`
    (PORTFOLIO_OC4IDS_DOCUMENT_URL) says where they are published, since the app serves them to
    logged-in users only."""
    return {
        "version": OC4IDS_VERSION,
        "uri": uri,
        "publishedDate": published.isoformat(timespec="seconds"),
        "publisher": {"name": publisher},
        "projects": [_oc4ids_project(row, prefix, exported.as_of, exported.attachments.get(row.project.id, []),
                                     document_base) for row in exported.rows],
    }


def _day(day: date, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}+08:00"


def _oc4ids_project(row: ExportRow, prefix: str, as_of: date, attachments: list[Attachment] = (),
                    document_base: str | None = None) -> dict:
    project, assessment = row.project, row.assessment
    description = project.content or project.name
    if assessment.status is ProjectStatus.SUSPENDED:
        description += f"（截至{format_date(as_of)}项目暂停）"
    data = {
        "id": f"{prefix}-{project.id}",
        "updated": _day(as_of, end=True),
        "title": project.name,
        "description": description,
        "status": OC4IDS_STATUS[assessment.status],
        "period": {"startDate": _day(project.planned_start), "endDate": _day(project.planned_end, end=True)},
        "budget": {"amount": _yuan(project.planned_investment)},
        "locations": [{"id": "1", "description": project.site,
                       "address": {"locality": project.site, "region": project.region.city, "countryName": "中国"}}],
    }
    if project.project_code:
        data["identifiers"] = [{"id": project.project_code, "scheme": PROJECT_CODE_SCHEME}]
    if project.funding:
        data["budget"]["budgetBreakdowns"] = [{
            "id": "fundingSources", "description": "资金来源",
            "budgetBreakdown": [{"id": row.source.value, "description": row.source.label, "amount": _yuan(row.amount)}
                                for row in sorted(project.funding, key=lambda row: SOURCES.index(row.source))],
        }]
    if project.longitude is not None:
        data["locations"][0]["geometry"] = {"type": "Point",
                                            "coordinates": [float(project.longitude), float(project.latitude)]}
    if parties := _oc4ids_parties(project):
        data["parties"] = parties
        if project.owner_unit:
            data["publicAuthority"] = {"id": parties[0]["id"], "name": project.owner_unit}
    if project.milestones:
        data["milestones"] = [_oc4ids_milestone(m, as_of)
                              for m in sorted(project.milestones, key=lambda m: MILESTONE_ORDER[m.kind])]
    if sector := OC4IDS_SECTOR.get(project.sector):
        data["sector"] = [sector]
    metrics = []
    if assessment.completion_rate is not None:
        metrics.append(_metric("financialProgress", "投资完成率", assessment.completion_rate * 100, as_of))
    if (latest := row.latest_report) is not None and latest.physical_progress is not None:
        metrics.append(_metric("physicalProgress", "工程形象进度", latest.physical_progress, as_of, latest.works_status))
    if metrics:
        data["metrics"] = metrics
    if attachments:
        data["documents"] = [_oc4ids_document(number, attachment, document_base)
                             for number, attachment in enumerate(attachments, start=1)]
    return data


def _oc4ids_document(number: int, attachment: Attachment, document_base: str | None) -> dict:
    document = {"id": str(number), "documentType": attachment.document_type, "title": attachment.title,
                "format": attachment.media_type}
    if attachment.day:
        document["datePublished"] = _day(attachment.day)
    if document_base:
        document["url"] = document_base.rstrip("/") + attachment.path
    return document


def _yuan(amount: Decimal) -> dict:
    return {"amount": float(amount * YUAN_PER_WAN), "currency": "CNY"}


def _oc4ids_parties(project: Project) -> list[dict]:
    """项目单位 as the public authority that owns the project, 责任单位 as the administrative entity
    (OC4IDS partyRole codes), one party when both are the same unit; the contact person is put on
    the first party (the owner when there is one) and left out when there is no unit to carry it."""
    roles: dict[str, list[str]] = {}
    for name, role in ((project.owner_unit, "publicAuthority"), (project.responsible_unit, "administrativeEntity")):
        if name:
            roles.setdefault(name, []).append(role)
    parties = []
    for number, (name, party_roles) in enumerate(roles.items(), start=1):
        party = {"id": f"{project.id}-{number}", "name": name, "roles": party_roles}
        if number == 1 and (project.contact_person or project.contact_phone):
            party["contactPoint"] = {key: value for key, value in (("name", project.contact_person),
                                                                   ("telephone", project.contact_phone)) if value}
        parties.append(party)
    return parties


def _metric(metric_id: str, title: str, percent: Decimal, as_of: date, description: str | None = None) -> dict:
    observation = {"id": "1", "measure": float(round(percent, 1)), "unit": {"name": "percent"},
                   "period": {"startDate": _day(as_of), "endDate": _day(as_of, end=True)}}
    metric = {"id": metric_id, "title": title, "observations": [observation]}
    if description:
        metric["description"] = description
    return metric


def _oc4ids_milestone(milestone, as_of: date) -> dict:
    if milestone.actual_date is not None and milestone.actual_date <= as_of:
        status = "met"
    elif milestone.planned_date is not None and milestone.planned_date < as_of:
        status = "notMet"
    else:
        status = "scheduled"
    data = {"id": milestone.kind.value, "title": milestone.kind.label,
            "type": "approval" if milestone.kind in APPROVALS else "delivery", "status": status}
    if code := OC4IDS_MILESTONE_CODE.get(milestone.kind):
        data["code"] = code
    if milestone.planned_date:
        data["dueDate"] = _day(milestone.planned_date)
    if status == "met":
        data["dateMet"] = _day(milestone.actual_date)
    if milestone.note:
        data["description"] = milestone.note
    return data
