"""The one validation of a project. The form, the plan-table import and the seed loader (and
later the API) parse what they read into plain values and call these functions; each returns
{field name: Chinese message}, empty when the values may be written."""
from sqlalchemy import select
from sqlalchemy.orm import Session

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
from portfolio.registry.models import Plan, Programme, Project, Region

PROJECT_LABELS = {
    "plan_id": "规划", "name": "项目名称", "site": "建设地点", "region_id": "县(市、区)", "content": "建设内容",
    "planned_investment": "计划投资(万元)", "start_year": "建设起始年", "end_year": "建设结束年", "sector": "领域",
    "status": "项目状态", "responsible_unit": "责任单位", "programme_id": "所属专栏",
}
TEXT_LIMITS = {"name": NAME_LENGTH, "site": SITE_LENGTH, "content": CONTENT_LENGTH, "responsible_unit": UNIT_LENGTH}


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
    return errors


def project_errors(session: Session, values: dict, project_id: int | None = None) -> dict[str, str]:
    """`project_value_errors`, then what needs the database: the region lies in the plan's city,
    the programme belongs to the plan, no other project of the plan has the name."""
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
    if "name" not in errors and name_taken(session, plan.id, values["name"], project_id):
        errors["name"] = f"该规划中已有名为“{values['name']}”的项目"
    return errors


def name_taken(session: Session, plan_id: int, name: str, exclude_project_id: int | None = None) -> bool:
    query = select(Project.id).where(Project.plan_id == plan_id, Project.name == name)
    if exclude_project_id is not None:
        query = query.where(Project.id != exclude_project_id)
    return session.scalar(query.limit(1)) is not None
