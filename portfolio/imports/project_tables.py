"""Importing a plan's project table (重大工程项目表): preview every row, then apply all or nothing."""
from collections.abc import Callable, Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_wan
from portfolio.core.parsing import ParseError, parse_amount, parse_build_years, parse_degrees
from portfolio.imports.preview import ImportPreview, RowOutcome
from portfolio.imports.tables import Table, TableError, cell_text
from portfolio.registry.models import FundingSource, Programme, Project, ProjectNature, ProjectStatus, Region, Sector
from portfolio.registry.operations import OPTIONAL_FIELDS, PROJECT_FIELDS, create_project, update_project
from portfolio.registry.seed import DEFAULT_STATUS
from portfolio.registry.validation import PROJECT_LABELS, funding_warning, normalized_code, project_errors

WAN_PER_YI = Decimal(10000)
DEFAULTS = OPTIONAL_FIELDS | {"sector": Sector.OTHER, "status": DEFAULT_STATUS}
"""What a new project gets for the columns a table leaves out."""
FUNDING_ALIASES = {
    FundingSource.CENTRAL_BUDGET: ("中央预算内",), FundingSource.SPECIAL_BONDS: ("专项债", "地方政府专项债"),
    FundingSource.ULTRA_LONG_BONDS: ("超长期特别国债", "超长期国债"), FundingSource.PROVINCIAL_FUNDS: ("省级财政",),
    FundingSource.LOCAL_FUNDS: ("市县财政", "市级财政", "县级财政"), FundingSource.BANK_LOANS: ("银行贷款",),
    FundingSource.OWN_FUNDS: ("企业自筹", "自筹"), FundingSource.PRIVATE_CAPITAL: ("社会资本",),
    FundingSource.OTHER: ("其他",),
}
"""How tables head a source's column after “其中:” (e.g. “其中:专项债(万元)”)."""
TEXT_COLUMNS = ("responsible_unit", "owner_unit", "responsible_leader", "contact_person")
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
    "project_code": ("项目代码", "项目统一代码"),
    "nature": ("建设性质",),
    "owner_unit": ("项目单位", "项目业主", "建设单位"),
    "responsible_leader": ("包联领导", "包联市领导"),
    "contact_person": ("联系人",),
    "contact_phone": ("联系电话", "联系方式"),
    "longitude": ("经度",),
    "latitude": ("纬度",),
}
REQUIRED = {"name": "项目名称", "site": "建设地点", "planned_investment": "计划投资(万元)", "build_years": "建设年限"}


def _funding_source(header: str) -> FundingSource | None:
    """The source a “其中:专项债(万元)” column (or a plain “专项债(万元)”) holds, if it is one."""
    name = header.removeprefix("其中").lstrip(":：")
    if name == header and "万元" not in header:
        return None
    return next((source for source, aliases in FUNDING_ALIASES.items()
                 if name.startswith((source.label, *aliases))), None)


def map_columns(headers: list[str]) -> tuple[dict[str, int], Decimal]:
    """Column index for each known column (a 资金来源 column under the key of its source), and the
    factor that turns the investment column into 万元."""
    columns, factor = {}, Decimal(1)
    for index, header in enumerate(headers):
        if (source := _funding_source(header)) is not None and "亿元" not in header:
            columns.setdefault(source, index)
            continue
        for key, prefixes in COLUMN_PREFIXES.items():
            if key not in columns and header.startswith(prefixes):
                columns[key] = index
                if key == "planned_investment" and "亿元" in header:
                    factor = WAN_PER_YI
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        raise TableError(f"表头缺少必需的列：{'、'.join(missing)}")
    return columns, factor


def _label(field: str) -> str:
    """A validation error's field in words: a project field, or a source's amount (funding_special_bonds)."""
    return PROJECT_LABELS.get(field) or FundingSource(field.removeprefix("funding_")).label


def _current(project: Project, key: str):
    return project.funding_by_source if key == "funding" else getattr(project, key)


def _display(key: str, value) -> str:
    if value is None or value == "" or value == {}:
        return "—"
    if key == "planned_investment":
        return format_wan(value)
    if key == "funding":
        return "；".join(f"{source.label}{format_wan(value[source])}万元" for source in FundingSource if source in value)
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
        for key in TEXT_COLUMNS:
            if key in columns:
                values[key] = cell(key) or None
        for key in ("project_code", "contact_phone"):
            if key in columns:
                values[key] = normalized_code(cell(key))
        for key in ("longitude", "latitude"):
            if key in columns:
                try:
                    values[key] = parse_degrees(text) if (text := cell(key)) else None
                except ParseError as error:
                    outcome.errors.append(f"{PROJECT_LABELS[key]}：{error}")
        if sources := [source for source in FundingSource if source in columns]:
            values["funding"] = {}
            for source in sources:
                try:
                    if text := cell(source):
                        values["funding"][source] = parse_amount(text)
                except ParseError as error:
                    outcome.errors.append(f"{source.label}：{error}")
        for key, enum_cls in (("sector", Sector), ("status", ProjectStatus), ("nature", ProjectNature)):
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
        current = existing.get(outcome.name)
        if "funding" in values and current is not None:
            # sources the table has no column for keep what the app holds; an empty cell removes its source
            values["funding"] = {source: amount for source, amount in current.funding_by_source.items()
                                 if source not in sources} | values["funding"]
        if current is not None and current.archived:
            outcome.errors.append("该项目已归档，不能通过导入修改（请先在项目页恢复）")
        if not outcome.errors:
            before = ({key: getattr(current, key) for key in PROJECT_FIELDS} | {"funding": current.funding_by_source}
                      if current else DEFAULTS)
            outcome.errors += [f"{_label(field)}：{message}" for field, message in
                               project_errors(session, before | values, current.id if current else None).items()]
            checked = before | values
            if not outcome.errors and (warning := funding_warning(checked["planned_investment"], checked.get("funding") or {})):
                notes.append(f"第{line}行“{outcome.name}”：{warning}（仍会导入）")
        values.pop("plan_id")
        outcome.values = values
        if outcome.errors:
            outcome.action = "error"
        elif (project := existing.get(outcome.name)) is not None:
            outcome.changes = [(PROJECT_LABELS[key], _display(key, _current(project, key)), _display(key, value))
                               for key, value in values.items() if key != "name" and _current(project, key) != value]
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
            create_project(session, DEFAULTS | {"plan_id": plan.id} | row.values)
        elif row.action == "update":
            update_project(session, existing[row.name], row.values)
