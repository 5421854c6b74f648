"""Loading the plans, programmes, regions and projects (and, through `portfolio.indicators.seed`
and `portfolio.programmes.seed`, the plan indicators and the 专栏 tasks) kept as CSV files in `seeds/`.

The files are read and checked completely before anything is written, so a malformed file
stops the load with its file, line and reason, and the database is left as it was. Rows
are matched on their natural keys (plan title; plan and programme number; city and region
name; plan and project name) and only missing rows are added: loading twice changes
nothing, and edits made in the app are never overwritten by the seeds.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.core.parsing import ParseError, parse_amount, parse_build_years
from portfolio.core.seedfiles import SeedRow, read_rows
from portfolio.indicators.seed import load_indicators, read_indicators
from portfolio.programmes.seed import load_tasks, read_tasks
from portfolio.registry.models import Plan, Programme, Project, ProjectStatus, Region, RegionKind, Sector
from portfolio.registry.validation import PROJECT_LABELS, project_value_errors

DEFAULT_STATUS = ProjectStatus.UNDER_WAY
"""The plan tables give no status; a listed project is taken to be under way until someone records otherwise."""

@dataclass
class SeedCounts:
    added: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedData:
    plans: list[dict]
    programmes: list[dict]
    regions: list[dict]
    projects: list[dict]
    indicators: list[dict]
    """规划指标, read by `portfolio.indicators.seed`."""
    tasks: list[dict]
    """专栏 tasks, read by `portfolio.programmes.seed`."""


def read_seed_dir(directory: Path) -> SeedData:
    """Read and check every seed file; raise `SeedError` on the first problem."""
    plans, plan_cities = [], {}
    for row in read_rows(directory, "plans.csv", ("title", "city", "start_year", "end_year", "source_document")):
        title = row.required("title", "规划名称")
        if title in plan_cities:
            raise row.error(f"规划“{title}”重复")
        start, end = row.year("start_year", "起始年"), row.year("end_year", "结束年")
        if end < start:
            raise row.error(f"结束年{end}早于起始年{start}")
        plan_cities[title] = row.required("city", "城市")
        plans.append(
            {"title": title, "city": plan_cities[title], "start_year": start, "end_year": end,
             "source_document": row.get("source_document") or None}
        )

    def known_plan(row: SeedRow) -> str:
        title = row.required("plan", "规划")
        if title not in plan_cities:
            raise row.error(f"规划“{title}”不在 plans.csv 中")
        return title

    programmes, programme_keys = [], set()
    for row in read_rows(directory, "programmes.csv", ("plan", "number", "title")):
        key = (known_plan(row), row.integer("number", "专栏序号"))
        if key[1] <= 0 or key in programme_keys:
            raise row.error(f"专栏序号{key[1]}无效或重复")
        programme_keys.add(key)
        programmes.append({"plan": key[0], "number": key[1], "title": row.required("title", "专栏名称")})

    regions, region_keys = [], set()
    for row in read_rows(directory, "regions.csv", ("city", "name", "full_name", "kind")):
        key = (row.required("city", "城市"), row.required("name", "名称"))
        if key in region_keys:
            raise row.error(f"县(市、区)“{key[1]}”重复")
        region_keys.add(key)
        regions.append(
            {"city": key[0], "name": key[1], "full_name": row.get("full_name") or None,
             "kind": row.choice("kind", "类型", RegionKind, by_label=False)}
        )

    projects, project_keys = [], set()
    project_columns = ("plan", "number", "name", "site", "sector", "content", "planned_investment",
                       "build_years", "programme", "responsible_unit", "status")
    for row in read_rows(directory, "projects.csv", project_columns):
        plan = known_plan(row)
        name = row.required("name", "项目名称")
        if (plan, name) in project_keys:
            raise row.error(f"项目“{name}”在同一规划中重复")
        project_keys.add((plan, name))
        site = row.required("site", "建设地点")
        if (plan_cities[plan], site) not in region_keys:
            raise row.error(f"建设地点“{site}”不是{plan_cities[plan]}的县(市、区)(见 regions.csv)")
        try:
            investment: Decimal = parse_amount(row.required("planned_investment", "计划投资(万元)"))
            start, end = parse_build_years(row.required("build_years", "建设年限"))
        except ParseError as error:
            raise row.error(str(error)) from None
        values = {"name": name, "site": site, "content": row.get("content"), "planned_investment": investment,
                  "start_year": start, "end_year": end, "responsible_unit": row.get("responsible_unit") or None}
        if errors := project_value_errors(values):
            raise row.error("；".join(f"{PROJECT_LABELS[field]}：{message}" for field, message in errors.items()))
        programme = int(row.get("programme")) if row.get("programme").isdigit() else None
        if row.get("programme") and (plan, programme) not in programme_keys:
            raise row.error(f"专栏“{row.get('programme')}”不在 programmes.csv 中")
        projects.append(
            {
                "plan": plan, "name": name, "site": site, "region": (plan_cities[plan], site),
                "sector": row.choice("sector", "领域", Sector, by_label=True),
                "content": row.get("content"), "planned_investment": investment,
                "start_year": start, "end_year": end, "programme": programme,
                "responsible_unit": row.get("responsible_unit") or None,
                "status": row.choice("status", "项目状态", ProjectStatus, by_label=True)
                if row.get("status") else DEFAULT_STATUS,
            }
        )
    return SeedData(plans, programmes, regions, projects, read_indicators(directory, set(plan_cities)),
                    read_tasks(directory, programme_keys))


def load_seed(session: Session, data: SeedData) -> SeedCounts:
    """Add the rows of `data` that the database does not have yet."""
    counts = SeedCounts()

    def tally(kind: str, added: bool) -> None:
        bucket = counts.added if added else counts.existing
        bucket[kind] = bucket.get(kind, 0) + 1

    plans = {plan.title: plan for plan in session.scalars(select(Plan))}
    for values in data.plans:
        tally("plans", values["title"] not in plans)
        if values["title"] not in plans:
            plans[values["title"]] = Plan(**values)
            session.add(plans[values["title"]])

    programmes = {(p.plan.title, p.number): p for p in session.scalars(select(Programme).join(Programme.plan))}
    for values in data.programmes:
        key = (values["plan"], values["number"])
        tally("programmes", key not in programmes)
        if key not in programmes:
            programmes[key] = Programme(plan=plans[values["plan"]], number=values["number"], title=values["title"])
            session.add(programmes[key])

    regions = {(r.city, r.name): r for r in session.scalars(select(Region))}
    for values in data.regions:
        key = (values["city"], values["name"])
        tally("regions", key not in regions)
        if key not in regions:
            regions[key] = Region(**values)
            session.add(regions[key])

    session.flush()
    existing_projects = {tuple(row) for row in session.execute(select(Plan.title, Project.name).join(Project.plan))}
    for values in data.projects:
        key = (values["plan"], values["name"])
        tally("projects", key not in existing_projects)
        if key in existing_projects:
            continue
        programme = values["programme"]
        session.add(
            Project(
                plan=plans[values["plan"]],
                programme=programmes[(values["plan"], programme)] if programme else None,
                region=regions[values["region"]],
                **{k: v for k, v in values.items() if k not in ("plan", "programme", "region")},
            )
        )
    session.flush()
    for kind, (added, existing) in (("indicators", load_indicators(session, data.indicators)),
                                    ("tasks", load_tasks(session, data.tasks))):
        for bucket, number in ((counts.added, added), (counts.existing, existing)):
            if number:
                bucket[kind] = number
    return counts
