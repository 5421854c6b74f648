"""Importing a plan's project table (重大工程项目表): preview every row, then apply all or nothing."""
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from portfolio.registry.validation import (
    PROJECT_LABELS,
    Taken,
    funding_warning,
    normalized_phone,
    normalized_project_code,
    project_errors,
)

WAN_PER_YI = Decimal(10000)
DEFAULTS = OPTIONAL_FIELDS | {"sector": Sector.OTHER, "status": DEFAULT_STATUS}
"""What a new project gets for the columns a table leaves out."""
FUNDING_NAMES = {
    FundingSource.CENTRAL_BUDGET: ("中央预算内",), FundingSource.SPECIAL_BONDS: ("专项债", "专项债券", "地方政府专项债"),
    FundingSource.ULTRA_LONG_BONDS: ("超长期国债",), FundingSource.PROVINCIAL_FUNDS: ("省级财政", "省级资金"),
    FundingSource.LOCAL_FUNDS: ("市县财政", "市级财政", "县级财政", "市级资金", "县级资金"),
    FundingSource.BANK_LOANS: ("银行贷款",), FundingSource.OWN_FUNDS: ("自筹", "企业自筹资金"),
    FundingSource.PRIVATE_CAPITAL: ("社会资本",), FundingSource.OTHER: ("其他资金",),
}
"""Other names tables give a source besides its label; a column is a source's when its name, with
“其中:” and the unit taken off, is the label or one of these exactly (so “其他费用(万元)” is not 其他)."""
TEXT_COLUMNS = ("responsible_unit", "owner_unit", "responsible_leader", "contact_person", "contact_phone",
                "project_code")
HEADER_MARKER = "项目名称"
SUMMARY_ROW = re.compile(r"合计|另有已取消项目")
"""Rows that sum up a table (an exported list's 合计（N个项目） and 另有已取消项目…), not projects."""
NORMALIZE = {"project_code": normalized_project_code, "contact_phone": normalized_phone}

# Columns as plan tables name them (after `normalize_header`), by what they must start with; the
# first key that matches takes the column (so “联系人电话” is the phone, not the person).
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
    "contact_phone": ("联系电话", "联系方式", "联系人电话", "联系人手机", "手机"),
    "contact_person": ("联系人",),
    "longitude": ("经度",),
    "latitude": ("纬度",),
}
REQUIRED = {"name": "项目名称", "site": "建设地点", "planned_investment": "计划投资(万元)", "build_years": "建设年限"}
IGNORED = {"序号"}
"""Columns a table has that the import does not need and need not mention."""


@dataclass
class ColumnMap:
    """Where each known column is; the 资金来源 columns by source (several columns of one source are
    added up), each with the factor that turns it into 万元; and what was not read."""

    columns: dict[str, int] = field(default_factory=dict)
    factor: Decimal = Decimal(1)
    """Of the planned investment: 10000 when it is in 亿元."""
    funding: dict[FundingSource, list[tuple[int, Decimal]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _unit_factor(header: str) -> Decimal:
    return WAN_PER_YI if "亿元" in header else Decimal(1)


def _funding_source(header: str) -> FundingSource | None:
    """The source a “其中:专项债(万元)” column (or a plain “专项债(万元)”) holds, if it is one."""
    name = header.removeprefix("其中").lstrip(":：")
    if name == header and "元" not in header:
        return None
    name = re.sub(r"\(.*?\)$", "", name)
    return next((source for source, names in FUNDING_NAMES.items() if name in (source.label, *names)), None)


def map_columns(headers: list[str]) -> ColumnMap:
    mapped = ColumnMap()
    unread = []
    for index, header in enumerate(headers):
        if (source := _funding_source(header)) is not None:
            mapped.funding.setdefault(source, []).append((index, _unit_factor(header)))
            continue
        key = next((key for key, prefixes in COLUMN_PREFIXES.items() if header.startswith(prefixes)), None)
        if key is not None and key not in mapped.columns:
            mapped.columns[key] = index
            if key == "planned_investment":
                mapped.factor = _unit_factor(header)
        elif header and header not in IGNORED:
            unread.append(header)
    missing = [label for key, label in REQUIRED.items() if key not in mapped.columns]
    if missing:
        raise TableError(f"表头缺少必需的列：{'、'.join(missing)}")
    if mapped.factor != 1:
        mapped.notes.append("计划投资列的单位是亿元，已换算为万元(×10000)")
    for source, places in mapped.funding.items():
        names = "、".join(f"“{headers[index]}”" for index, _ in places)
        if len(places) > 1:
            mapped.notes.append(f"{names}都是{source.label}，已相加")
        if any(factor != 1 for _, factor in places):
            mapped.notes.append(f"{names}以亿元计，已换算为万元(×10000)")
    if unread:
        mapped.notes.append(f"以下列未读取：{'、'.join(unread)}（资金来源列请写作“其中:专项债(万元)”等）")
    return mapped


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



def amount_in_wan(text: str, factor: Decimal) -> Decimal:
    """A cell's amount in 万元, its column's unit (`factor` 万元 per unit: 1 for 万元, 10,000 for 亿元,
    0.0001 for 元) applied. Refused like every other way in (form, API): more than two decimals of
    万元 are not rounded away."""
    if factor == 1:
        return parse_amount(text)
    amount = parse_amount(text, places=12) * factor
    if amount != amount.quantize(Decimal("0.01")):
        raise ParseError(f"“{str(text)[:30]}”换算为万元是{amount.normalize():f}，最多保留2位小数（0.01万元）")
    return amount.quantize(Decimal("0.01"))


def preview_project_import(session: Session, table: Table, context, progress: Callable[[Iterable], Iterable]
                           ) -> ImportPreview:
    """What importing `table` into `context.plan` would do, row by row, without writing anything."""
    plan = context.plan
    mapped = map_columns(table.headers)
    columns, factor = mapped.columns, mapped.factor
    notes = list(table.notes) + mapped.notes
    if "sector" not in columns:
        notes.append("表格没有“领域”列：新增的项目领域记为“其他”，已有项目的领域不变")
    regions = {name: region for region in session.scalars(select(Region).where(Region.city == plan.city))
               for name in filter(None, (region.name, region.full_name))}
    programmes = {p.number: p for p in session.scalars(select(Programme).where(Programme.plan_id == plan.id))}
    taken = Taken.read(session, plan.id)
    existing = taken.names
    seen: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    outcomes = []
    for line, cells in progress(table.rows):
        def cell(key):
            index = columns.get(key)
            return cell_text(cells[index]) if index is not None and index < len(cells) else ""

        outcome = RowOutcome(line, cell("name"))
        if SUMMARY_ROW.match(outcome.name) and not cell("build_years"):
            outcome.action = "skip"  # the totals lines an exported list ends with
            outcomes.append(outcome)
            continue
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
                values["planned_investment"] = amount_in_wan(text, factor)
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
                values[key] = NORMALIZE.get(key, str)(cell(key)) or None
        if code := values.get("project_code"):
            if code in seen_codes:
                outcome.errors.append(f"项目代码{code}与第{seen_codes[code]}行重复")
            seen_codes.setdefault(code, line)
        for key in ("longitude", "latitude"):
            if key in columns:
                try:
                    values[key] = parse_degrees(text) if (text := cell(key)) else None
                except ParseError as error:
                    outcome.errors.append(f"{PROJECT_LABELS[key]}：{error}")
        if mapped.funding:
            values["funding"] = {}
            for source, places in mapped.funding.items():
                amount = Decimal(0)
                for index, unit in places:
                    text = cell_text(cells[index]) if index < len(cells) else ""
                    try:
                        amount += amount_in_wan(text, unit) if text else 0
                    except ParseError as error:
                        outcome.errors.append(f"{source.label}：{error}")
                if amount:  # 0 or empty: the project does not draw on this source
                    values["funding"][source] = amount
        if "nature" in columns:
            values["nature"] = None
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
                                 if source not in mapped.funding} | values["funding"]
        if current is not None and current.archived:
            outcome.errors.append("该项目已归档，不能通过导入修改（请先在项目页恢复）")
        if not outcome.errors:
            before = ({key: getattr(current, key) for key in PROJECT_FIELDS} | {"funding": current.funding_by_source}
                      if current else DEFAULTS)
            outcome.errors += [f"{_label(field)}：{message}" for field, message in
                               project_errors(session, before | values, current.id if current else None,
                                                             taken).items()]
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
    taken = Taken.read(session, plan.id)
    existing = taken.names
    for row in progress(preview.rows):
        if row.action == "create":
            create_project(session, DEFAULTS | {"plan_id": plan.id} | row.values)
        elif row.action == "update":
            update_project(session, existing[row.name], row.values)
