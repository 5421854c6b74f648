"""The checks of a task's progress entry and of a project linked to a task, for the forms (and
any other way in): {field: Chinese message}, empty when it may be written.

An entry is the cumulative quantity done by a date: not negative, at most ten times the target
(a typing slip, not progress), dated neither in the future nor before the plan began; lower than
an earlier entry only with a note saying why (a count corrected), as for 工程进度.
"""
from datetime import date
from decimal import Decimal

from portfolio.core.parsing import text_problem
from portfolio.programmes.models import ProgrammeTask
from portfolio.registry.models import Project

NOTE_LENGTH = 500
PROGRESS_LABELS = {"recorded_on": "截至日期", "quantity": "累计完成", "note": "说明", "project_id": "项目"}
MAX_TIMES_TARGET = 10


def progress_errors(task: ProgrammeTask, recorded_on: date | None, quantity: Decimal | None, note: str | None,
                    today: date) -> dict[str, str]:
    errors = {}
    plan = task.programme.plan
    if recorded_on is None:
        errors["recorded_on"] = "请填写截至日期"
    elif recorded_on > today:
        errors["recorded_on"] = "截至日期不能晚于今天"
    elif recorded_on.year < plan.start_year:
        errors["recorded_on"] = f"截至日期不能早于规划期（{plan.start_year}年起）"
    if quantity is None:
        errors.setdefault("quantity", "请填写累计完成数量")
    elif quantity < 0:
        errors["quantity"] = "累计完成不能为负数"
    elif quantity > task.target_quantity * MAX_TIMES_TARGET:
        errors["quantity"] = f"累计完成不能超过目标的{MAX_TIMES_TARGET}倍，请核对单位（{task.unit}）"
    if problem := text_problem("说明", note, NOTE_LENGTH):
        errors["note"] = problem
    if recorded_on is not None and quantity is not None and not (note or "").strip():
        earlier = [entry for entry in task.progress if entry.recorded_on < recorded_on]
        if earlier and quantity < earlier[-1].quantity:
            errors["note"] = (f"累计完成由{earlier[-1].recorded_on:%Y年%-m月%-d日}的{earlier[-1].quantity.normalize():f}"
                              f"{task.unit}降为{quantity.normalize():f}{task.unit}，请在“说明”中写明原因")
    return errors


def link_errors(task: ProgrammeTask, project: Project | None) -> dict[str, str]:
    if project is None:
        return {"project_id": "请选择项目"}
    if project.plan_id != task.programme.plan_id:
        return {"project_id": f"“{project.name}”不属于{task.programme.plan.title}，不能关联到该规划的专栏任务"}
    if project in task.projects:
        return {"project_id": f"“{project.name}”已关联到该任务"}
    return {}
