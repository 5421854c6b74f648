"""The one validation of a project. The form, the plan-table import and the seed loader (and
later the API) parse what they read into plain values and call these functions; each returns
{field name: Chinese message}, empty when the values may be written.

资金来源 that add up to more than the planned investment are not refused (plans are revised and
the sources often arrive first): `funding_warning` says so, and the project page keeps saying it."""
import re
from dataclasses import dataclass
import unicodedata
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.formatting import format_date, format_wan
from portfolio.core.limits import (
    CONTENT_LENGTH,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_AMOUNT,
    MAX_AMOUNT_TEXT,
    NAME_LENGTH,
    SITE_LENGTH,
    UNIT_LENGTH,
)
from portfolio.core.parsing import text_problem
from portfolio.registry.models import (
    CHINA_LATITUDE,
    CHINA_LONGITUDE,
    FundingSource,
    Plan,
    Programme,
    Project,
    Region,
)
from portfolio.rules.totals import CENT, FundingFigures

PROJECT_LABELS = {
    "plan_id": "规划", "name": "项目名称", "site": "建设地点", "region_id": "县(市、区)", "content": "建设内容",
    "planned_investment": "计划投资(万元)", "start_year": "建设起始年", "end_year": "建设结束年", "sector": "领域",
    "status": "项目状态", "responsible_unit": "责任单位", "programme_id": "所属专栏", "project_code": "项目代码",
    "nature": "建设性质", "owner_unit": "项目单位", "responsible_leader": "包联领导", "contact_person": "联系人",
    "contact_phone": "联系电话", "longitude": "经度", "latitude": "纬度", "funding": "资金来源",
}
PERSON_LENGTH = 50
TEXT_LIMITS = {"name": NAME_LENGTH, "site": SITE_LENGTH, "content": CONTENT_LENGTH, "responsible_unit": UNIT_LENGTH,
               "owner_unit": UNIT_LENGTH, "responsible_leader": PERSON_LENGTH, "contact_person": PERSON_LENGTH}
PROJECT_CODE = re.compile(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}")
"""项目代码 of the national investment-project online approval platform (全国投资项目在线审批监管平台):
year, the 6-digit administrative division, the industry, the kind and a serial number."""
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")
"""A mainland mobile number, or a fixed line with its area code and an optional extension."""


DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
"""Hyphens and dashes of every width and length, as people type them between groups of digits."""


def normalized_project_code(text: str | None) -> str | None:
    """项目代码 as typed, full-width digits and any dash folded, groups separated by spaces joined
    with "-": "２１０１ 410800—04-01-123456" → "2101-410800-04-01-123456"."""
    folded = DASHES.sub("-", unicodedata.normalize("NFKC", text or "")).strip()
    return re.sub(r"\s*-\s*|\s+", "-", folded) or None


def normalized_phone(text: str | None) -> str | None:
    """联系电话 as the registry keeps it: a mobile as 11 digits ("+86 139-1234-5678" → 13912345678),
    a fixed line as area code-number ("(0391)3568888" → 0391-3568888) with "-extension" for 转 or
    分机. Anything else comes back folded but otherwise as typed, for validation to refuse."""
    folded = DASHES.sub("-", unicodedata.normalize("NFKC", text or "")).strip()
    if not folded:
        return None
    main, extension = (re.split(r"\s*(?:转|分机|ext\.?)\s*", folded, maxsplit=1, flags=re.I) + [""])[:2]
    digits = re.sub(r"[\s-]", "", main)
    if mobile := re.fullmatch(r"(?:\+?86)?(1[3-9]\d{9})", digits):
        number = mobile.group(1)
    elif fixed := re.fullmatch(r"\((0\d{2,3})\)\s*(\d{7,8})|(0\d{2,3})[\s-]+(\d{7,8})", main):
        area, local = (group for group in fixed.groups() if group)
        number = f"{area}-{local}"
    elif re.fullmatch(r"0\d{9,11}", main):
        number = main  # without a separator the area code's length is not known: kept as typed
    else:
        return folded
    return f"{number}-{extension}" if extension else number


def funding_field(source: FundingSource) -> str:
    """The form field and the import column key of one source's amount."""
    return f"funding_{source.value}"


def funding_warning(planned_investment: Decimal | None, funding: dict[FundingSource, Decimal]) -> str | None:
    """Why the sources do not fit the planned investment, or None. The excess is the roll-up's
    (`FundingFigures`); up to a fen is rounding and not worth a warning (the project page still
    states it)."""
    if planned_investment is None or not funding:
        return None
    excess = FundingFigures.of_project(planned_investment, funding).excess
    if excess > CENT:
        return (f"资金来源合计{format_wan(planned_investment + excess)}万元，超过计划投资"
                f"{format_wan(planned_investment)}万元{format_wan(excess)}万元，请核对")
    return None


def project_value_errors(values: dict) -> dict[str, str]:
    """Checks of each value on its own and of the build years together; no database needed."""
    errors = {}
    if not (values.get("name") or "").strip():
        errors["name"] = "请填写项目名称"
    for name, limit in TEXT_LIMITS.items():
        if problem := text_problem(PROJECT_LABELS[name], values.get(name), limit):
            errors[name] = problem
    amount = values.get("planned_investment")
    if amount is None:
        errors["planned_investment"] = "请填写金额"
    elif not 0 <= amount <= MAX_AMOUNT:
        errors["planned_investment"] = f"应在0–{MAX_AMOUNT_TEXT}万元之间"
    start, end = values.get("start_year"), values.get("end_year")
    for name, year in (("start_year", start), ("end_year", end)):
        if year is None:
            errors[name] = "请填写年份"
        elif not FIRST_YEAR <= year <= LAST_YEAR:
            errors[name] = f"年份应在{FIRST_YEAR}–{LAST_YEAR}之间"
    if "start_year" not in errors and "end_year" not in errors and end < start:
        errors["end_year"] = f"{end}年早于建设起始年({start}年)"
    if (code := values.get("project_code")) and not PROJECT_CODE.fullmatch(code):
        errors["project_code"] = f"项目代码“{code[:40]}”格式不对，应如2101-410800-04-01-123456（4-6-2-2-6位数字）"
    if (phone := values.get("contact_phone")) and not PHONE.fullmatch(phone):
        errors["contact_phone"] = f"联系电话“{phone[:40]}”不是手机号或带区号的固定电话（如13912345678、0391-3568888）"
    errors |= _coordinate_errors(values.get("longitude"), values.get("latitude"))
    for source, amount in (values.get("funding") or {}).items():
        if not 0 <= amount <= MAX_AMOUNT:
            errors[funding_field(source)] = f"{source.label}应在0–{MAX_AMOUNT_TEXT}万元之间"
    return errors


def _coordinate_errors(longitude: Decimal | None, latitude: Decimal | None) -> dict[str, str]:
    if longitude is None and latitude is None:
        return {}
    if longitude is None or latitude is None:
        missing = "longitude" if longitude is None else "latitude"
        return {missing: "经度和纬度应同时填写（或都不填）"}
    errors = {}
    for name, value, (low, high) in (("longitude", longitude, CHINA_LONGITUDE), ("latitude", latitude, CHINA_LATITUDE)):
        if not low <= value <= high:
            errors[name] = f"{PROJECT_LABELS[name]}{value}不在中国境内（应在{low}–{high}度之间，WGS-84）"
    return errors


@dataclass(frozen=True)
class Taken:
    """The names and codes a project must not share, read once for the many rows of an import
    instead of one query per row: the plan's projects by name, every 项目代码 → (id, name)."""

    names: dict[str, Project]
    codes: dict[str, tuple[int, str]]

    @classmethod
    def read(cls, session: Session, plan_id: int) -> "Taken":
        return cls({p.name: p for p in session.scalars(select(Project).where(Project.plan_id == plan_id))},
                   {code: (id_, name) for code, id_, name in session.execute(
                       select(Project.project_code, Project.id, Project.name).where(Project.project_code.is_not(None)))})


def project_errors(session: Session, values: dict, project_id: int | None = None,
                   taken: Taken | None = None) -> dict[str, str]:
    """`project_value_errors`, then what needs the database: the region lies in the plan's city,
    the programme belongs to the plan, no other project of the plan has the name (nor any the code;
    looked up in `taken` when given)."""
    errors = project_value_errors(values)
    plan = session.get(Plan, values["plan_id"]) if values.get("plan_id") else None
    if plan is None:
        errors["plan_id"] = "请选择规划"
        return errors
    region = session.get(Region, values["region_id"]) if values.get("region_id") else None
    if region is None:
        errors["region_id"] = "请选择县(市、区)"
    elif region.city != plan.city:
        errors["region_id"] = f"{region.name}不属于{plan.city}，请选择{plan.city}的县(市、区)"
    programme = session.get(Programme, values["programme_id"]) if values.get("programme_id") else None
    if programme is not None and programme.plan_id != plan.id:
        errors["programme_id"] = "所选专栏不属于该规划"
    if "name" not in errors and (other := name_taken(session, plan.id, values["name"], project_id, taken)):
        errors["name"] = f"该规划中已有名为“{values['name']}”的项目" + ("（已归档，可在项目库中按“已归档项目”查看并恢复）"
                                                                  if other.archived else "")
    if "project_code" not in errors and (code := values.get("project_code")) and (
            other := code_taken(session, code, project_id, taken)):
        errors["project_code"] = f"项目代码{code}已用于项目“{other}”"
    if problem := status_date_problem(session.get(Project, project_id) if project_id else None, values):
        errors["status_date"] = problem
    return errors


def status_date_problem(project: Project | None, values: dict) -> str | None:
    """A manual status change takes effect on the date entered (DESIGN.md): not after today, and
    not before the project's newest change (which would rewrite a history later changes build on)."""
    day = values.get("status_date")
    if day is None or project is None or values.get("status", project.status) is project.status:
        return None
    if day > date.today():
        return "状态变更日期不能晚于今天"
    if project.status_since is not None and day < project.status_since:
        return f"状态变更日期不能早于上次状态变更的日期（{format_date(project.status_since)}）"
    return None


def code_taken(session: Session, code: str, exclude_project_id: int | None = None,
               taken: Taken | None = None) -> str | None:
    """The name of another project with the code, if any."""
    if taken is not None:
        other = taken.codes.get(code)
        return other[1] if other is not None and other[0] != exclude_project_id else None
    query = select(Project.name).where(Project.project_code == code)
    if exclude_project_id is not None:
        query = query.where(Project.id != exclude_project_id)
    return session.scalar(query.limit(1))


def name_taken(session: Session, plan_id: int, name: str, exclude_project_id: int | None = None,
               taken: Taken | None = None) -> Project | None:
    """Another project of the plan with the name, if any (archived ones too: names stay unique);
    `taken` must then be the plan's."""
    if taken is not None:
        other = taken.names.get(name)
        return other if other is not None and other.id != exclude_project_id else None
    query = select(Project).where(Project.plan_id == plan_id, Project.name == name)
    if exclude_project_id is not None:
        query = query.where(Project.id != exclude_project_id)
    return session.scalar(query.limit(1))
