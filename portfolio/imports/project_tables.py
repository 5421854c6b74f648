"""Importing a plan's project table (重大工程项目表): preview every row, then apply all or nothing."""
from collections.abc import Callable, Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_wan
from portfolio.core.parsing import ParseError, parse_amount, parse_build_years
from portfolio.imports.preview import ImportPreview, RowOutcome
from portfolio.imports.tables import Table, TableError, cell_text
from portfolio.registry.models import Programme, Project, ProjectStatus, Region, Sector
from portfolio.registry.operations import PROJECT_FIELDS, create_project, update_project
from portfolio.registry.seed import DEFAULT_STATUS
from portfolio.registry.validation import PROJECT_LABELS, project_errors

WAN_PER_YI = Decimal(10000)
DEFAULTS = {"content": "", "sector": Sector.OTHER, "status": DEFAULT_STATUS, "responsible_unit": None}
"""What a new project gets for the columns a table leaves out."""
HEADER_MARKER = "项目名称"

# Columns as plan tables name them (after `normalize_header`), by what they must start with.
COLUMN_PREFIXES = {
    "name": ("项目名称",),
    "site": ("建设地点", "建设地址", "所在地"),
    "content": ("建设内容", "建设规模"),
    "planned_investment": ("计划投资", "总投资", "计划总投资"),
    "build_years": ("建设年限", "建设期限", "建设起止年限"),
    "sector": ("领域", "行业领域"),
    "status": ("项目状态",),
    "responsible_unit": ("责任单位",),
    "programme": ("专栏", "所属专栏"),
}
REQUIRED = {"name": "项目名称", "site": "建设地点", "planned_investment": "计划投资(万元)", "build_years": "建设年限"}


def map_columns(headers: list[str]) -> tuple[dict[str, int], Decimal]:
    """Column index for each known column, and the factor that turns the investment column into 万元."""
    columns, factor = {}, Decimal(1)
    for index, header in enumerate(headers):
        for key, prefixes in COLUMN_PREFIXES.items():
            if key not in columns and header.startswith(prefixes):
                columns[key] = index
                if key == "planned_investment" and "亿元" in header:
                    factor = WAN_PER_YI
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        raise TableError(f"表头缺少必需的列：{'、'.join(missing)}")
    return columns, factor


def _display(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key == "planned_investment":
        return format_wan(value)
    return getattr(value, "label", str(value))


def preview_project_import(session: Session, table: Table, context, progress: Callable[[Iterable], Iterable]
                           ) -> ImportPreview:
    """What importing `table` into `context.plan` would do, row by row, without writing anything."""
    plan = context.plan
    columns, factor = map_columns(table.headers)
    notes = list(table.notes)
    if factor != 1:
        notes.append("计划投资列的单位是亿元，已换算为万元(×10000)")
    if "sector" not in columns:
        notes.append("表格没有“领域”列：新增的项目领域记为“其他”，已有项目的领域不变")
    regions = {name: region for region in session.scalars(select(Region).where(Region.city == plan.city))
               for name in filter(None, (region.name, region.full_name))}
    programmes = {p.number: p for p in session.scalars(select(Programme).where(Programme.plan_id == plan.id))}
    existing = {p.name: p for p in session.scalars(select(Project).where(Project.plan_id == plan.id))}
    seen: dict[str, int] = {}
    outcomes = []
    for line, cells in progress(table.rows):
        def cell(key):
            index = columns.get(key)
            return cell_text(cells[index]) if index is not None and index < len(cells) else ""

        outcome = RowOutcome(line, cell("name"))
        values: dict = {"plan_id": plan.id, "name": outcome.name}
        for key, label in REQUIRED.items():
            if not cell(key):
                outcome.errors.append(f"{label}为空")
        if outcome.name:
            if outcome.name in seen:
                outcome.errors.append(f"项目名称与第{seen[outcome.name]}行重复")
            seen.setdefault(outcome.name, line)
        if site := cell("site"):
            values["site"] = site
            if site in regions:
                values["region_id"] = regions[site].id
            else:
                outcome.errors.append(f"建设地点“{site}”不是{plan.city}的县(市、区)")
        if text := cell("planned_investment"):
            try:
                values["planned_investment"] = (parse_amount(text, places=6) * factor).quantize(Decimal("0.01"))
            except ParseError as error:
                outcome.errors.append(f"计划投资：{error}")
        if text := cell("build_years"):
            try:
                values["start_year"], values["end_year"] = parse_build_years(text)
            except ParseError as error:
                outcome.errors.append(str(error))
        if "content" in columns:
            values["content"] = cell("content")
        if "responsible_unit" in columns:
            values["responsible_unit"] = cell("responsible_unit") or None
        for key, enum_cls in (("sector", Sector), ("status", ProjectStatus)):
            if text := cell(key):
                try:
                    values[key] = enum_cls.from_text(text)
                except ValueError:
                    outcome.errors.append(f"{PROJECT_LABELS[key]}“{text}”不是可选值之一({'、'.join(m.label for m in enum_cls)})")
        if text := cell("programme"):
            number = "".join(ch for ch in text.split(":")[0] if ch.isdigit())
            if number and int(number) in programmes:
                values["programme_id"] = programmes[int(number)].id
            else:
                outcome.errors.append(f"专栏“{text}”不在该规划中")
        if not outcome.errors:
            current = existing.get(outcome.name)
            before = ({key: getattr(current, key) for key in PROJECT_FIELDS} if current
                      else DEFAULTS | {"programme_id": None})
            outcome.errors += [f"{PROJECT_LABELS[field]}：{message}" for field, message in
                               project_errors(session, before | values, current.id if current else None).items()]
        values.pop("plan_id")
        outcome.values = values
        if outcome.errors:
            outcome.action = "error"
        elif (project := existing.get(outcome.name)) is not None:
            outcome.changes = [(PROJECT_LABELS[key], _display(key, getattr(project, key)), _display(key, value))
                               for key, value in values.items() if key != "name" and getattr(project, key) != value]
            outcome.action = "update" if outcome.changes else "unchanged"
        outcomes.append(outcome)
    return ImportPreview(outcomes, notes)


def apply_project_import(session: Session, preview: ImportPreview, context,
                         progress: Callable[[Iterable], Iterable]) -> None:
    """Write a checked preview (see `portfolio.imports.flow`)."""
    plan = context.plan
    existing = {p.name: p for p in session.scalars(select(Project).where(Project.plan_id == plan.id))}
    for row in progress(preview.rows):
        if row.action == "create":
            create_project(session, DEFAULTS | {"plan_id": plan.id, "programme_id": None} | row.values)
        elif row.action == "update":
            update_project(session, existing[row.name], row.values)
