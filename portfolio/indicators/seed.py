"""Loading `seeds/plan_indicators.csv`: each plan's indicator table as printed (see seeds/NOTES.md).

Read and checked whole before anything is written (a problem names the file and the line); rows
are matched on plan and number, and only missing ones are added, so loading twice changes
nothing and an indicator corrected in the database is never overwritten.
"""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.parsing import ParseError
from portfolio.core.seedfiles import read_rows
from portfolio.indicators.models import Direction, IndicatorNature, Measure, PlanIndicator
from portfolio.indicators.validation import parse_number
from portfolio.registry.models import Plan

FILE = "plan_indicators.csv"
COLUMNS = ("plan", "number", "category", "field", "name", "unit", "baseline_year", "baseline", "target_year",
           "target", "nature", "baseline_value", "target_value", "direction", "measure", "note")


def read_indicators(directory: Path, plan_titles: set[str]) -> list[dict]:
    """The rows of the file as model values; raises `SeedError` on the first problem."""
    indicators, keys = [], set()
    for row in read_rows(directory, FILE, COLUMNS):
        plan = row.required("plan", "规划")
        if plan not in plan_titles:
            raise row.error(f"规划“{plan}”不在 plans.csv 中")
        number = row.integer("number", "序号")
        if (plan, number) in keys:
            raise row.error(f"序号{number}在同一规划中重复")
        keys.add((plan, number))
        values = {"plan": plan, "number": number, "category": row.get("category"), "area": row.get("field"),
                  "name": row.required("name", "指标"), "unit": row.get("unit"),
                  "baseline_year": row.year("baseline_year", "基期年"), "baseline": row.get("baseline"),
                  "target_year": row.year("target_year", "目标年"), "target": row.get("target"),
                  "nature": row.choice("nature", "指标性质", IndicatorNature, by_label=True),
                  "direction": row.choice("direction", "方向", Direction, by_label=False),
                  "measure": row.choice("measure", "口径", Measure, by_label=False), "note": row.get("note")}
        for column, label in (("baseline_value", "基期数值"), ("target_value", "目标数值")):
            try:
                values[column] = parse_number(row.get(column)) if row.get(column) else None
            except ParseError as error:
                raise row.error(f"{label}：{error}") from None
        if values["target_year"] < values["baseline_year"]:
            raise row.error("目标年早于基期年")
        indicators.append(values)
    return indicators


def load_indicators(session: Session, indicators: list[dict]) -> tuple[int, int]:
    """Add the indicators the database lacks; (added, already there)."""
    plans = {plan.title: plan for plan in session.scalars(select(Plan))}
    existing = {tuple(row) for row in session.execute(
        select(Plan.title, PlanIndicator.number).join(PlanIndicator.plan))}
    added = 0
    for values in indicators:
        if (values["plan"], values["number"]) in existing:
            continue
        session.add(PlanIndicator(plan=plans[values["plan"]], **{k: v for k, v in values.items() if k != "plan"}))
        added += 1
    session.flush()
    return added, len(indicators) - added
