"""Loading `seeds/programme_tasks.csv`: the quantitative items of each 专栏 as printed (see
seeds/NOTES.md). Read and checked whole first; matched on plan, programme and number; only
missing tasks are added."""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.parsing import ParseError
from portfolio.core.seedfiles import read_rows
from portfolio.indicators.validation import parse_number
from portfolio.programmes.models import ProgrammeTask
from portfolio.registry.models import Plan, Programme

FILE = "programme_tasks.csv"
COLUMNS = ("plan", "programme", "number", "title", "text", "target_quantity", "unit", "note")


def read_tasks(directory: Path, programme_keys: set[tuple[str, int]]) -> list[dict]:
    tasks, keys = [], set()
    for row in read_rows(directory, FILE, COLUMNS):
        plan, programme = row.required("plan", "规划"), row.integer("programme", "专栏")
        if (plan, programme) not in programme_keys:
            raise row.error(f"专栏{programme}不在 programmes.csv 的“{plan}”中")
        number = row.integer("number", "序号")
        if (plan, programme, number) in keys:
            raise row.error(f"专栏{programme}的序号{number}重复")
        keys.add((plan, programme, number))
        try:
            target = parse_number(row.required("target_quantity", "目标数量"))
        except ParseError as error:
            raise row.error(f"目标数量：{error}") from None
        if target <= 0:
            raise row.error("目标数量应大于0")
        tasks.append({"plan": plan, "programme": programme, "number": number, "title": row.required("title", "工程"),
                      "text": row.required("text", "原文"), "target_quantity": target,
                      "unit": row.required("unit", "单位"), "note": row.get("note")})
    return tasks


def load_tasks(session: Session, tasks: list[dict]) -> tuple[int, int]:
    """Add the tasks the database lacks; (added, already there)."""
    programmes = {(p.plan.title, p.number): p for p in session.scalars(select(Programme).join(Programme.plan))}
    existing = {tuple(row) for row in session.execute(
        select(Plan.title, Programme.number, ProgrammeTask.number).join(ProgrammeTask.programme).join(Programme.plan))}
    added = 0
    for values in tasks:
        if (values["plan"], values["programme"], values["number"]) in existing:
            continue
        session.add(ProgrammeTask(programme=programmes[(values["plan"], values["programme"])],
                                  **{k: v for k, v in values.items() if k not in ("plan", "programme")}))
        added += 1
    session.flush()
    return added, len(tasks) - added
