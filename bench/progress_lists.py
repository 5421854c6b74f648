"""Benchmark the warning filters and the dashboard on a large generated portfolio.

Generates PROJECTS projects across 12 regions, each with up to 8 quarters of progress and
the 8 standard milestones, into a fresh SQLite file, then times requests through Flask's
test client (median of several runs after one warm-up) and prints the figures:

    .venv/bin/python bench/progress_lists.py                 # 100,000 projects
    .venv/bin/python bench/progress_lists.py --projects 20000 --runs 5
    .venv/bin/python bench/progress_lists.py --reuse         # keep the last generated file

The data is generated (`portfolio.services.sample_data`), never real.
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from portfolio import create_app  # noqa: E402
from portfolio.extensions import db  # noqa: E402
from portfolio.models import (  # noqa: E402
    AnnualPlan, Milestone, Plan, ProgressReport, Project, Region, RegionKind, Sector,
)
from portfolio.services.progress import refresh_all_figures  # noqa: E402
from portfolio.services.sample_data import sample_progress  # noqa: E402

TODAY = date(2026, 11, 22)
"""Fixed, so every run measures the same data."""


def generate(count: int) -> None:
    rng = random.Random(42)
    plan = Plan(title="基准测试规划(生成数据)", city="基准市", start_year=2021, end_year=2030)
    regions = [Region(city="基准市", name=f"测试区{n:02d}", kind=RegionKind.DISTRICT) for n in range(1, 13)]
    db.session.add_all([plan, *regions])
    db.session.flush()
    sectors = list(Sector)
    batch = 5000
    for first in range(0, count, batch):
        projects, reports, milestones, plans = [], [], [], []
        for number in range(first, min(first + batch, count)):
            start = rng.randint(2018, 2027)
            end = start + rng.randint(0, 4)
            planned = Decimal(rng.randint(100, 500_000))
            progress = sample_progress(rng, start, end, planned, TODAY)
            project_id = number + 1
            projects.append({
                "id": project_id, "plan_id": plan.id, "region_id": regions[number % 12].id,
                "name": f"生成项目{number:06d}", "site": regions[number % 12].name, "sector": rng.choice(sectors),
                "content": "基准测试生成数据", "planned_investment": planned, "start_year": start, "end_year": end,
                "status": progress.status,
            })
            reports += [{"project_id": project_id, "year": y, "quarter": q, "cumulative_investment": c,
                         "quarter_investment": t, "physical_progress": p} for y, q, c, t, p in progress.reports]
            milestones += [{"project_id": project_id, "kind": k, "planned_date": pd, "actual_date": ad}
                           for k, pd, ad in progress.milestones]
            plans += [{"project_id": project_id, "year": y, "planned_investment": a}
                      for y, a in progress.annual_plans.items()]
        for model, rows in ((Project, projects), (ProgressReport, reports), (Milestone, milestones), (AnnualPlan, plans)):
            if rows:
                db.session.execute(insert(model), rows)
        print(f"  generated {min(first + batch, count):,} projects", flush=True)
    refresh_all_figures(db.session)
    db.session.commit()


def measure(client, url: str, runs: int) -> float:
    client.get(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "progress_lists.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="measure the existing file instead of generating")
    args = parser.parse_args()

    args.db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(args.db.parent)
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        if not args.reuse:
            started = time.perf_counter()
            generate(args.projects)
            print(f"generation: {time.perf_counter() - started:.1f} s")
        counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                  for m in (Project, ProgressReport, Milestone, AnnualPlan)}
        region = db.session.scalar(select(Region.id).where(Region.name == "测试区01"))
        db.engine.dispose()
    print("rows:", ", ".join(f"{name} {count:,}" for name, count in counts.items()))

    client = app.test_client()
    as_of = f"as_of={TODAY.isoformat()}"
    overdue_first = f"/projects/?warning=overdue&region={region}&{as_of}"
    probe = client.get(overdue_first).get_data(as_text=True)
    pages = int(probe.split("第 1 / ")[1].split(" 页")[0]) if "第 1 / " in probe else 1
    cases = [
        ("list 超期 + one region, page 1", overdue_first),
        (f"list 超期 + one region, page {pages // 2} (deep)", f"{overdue_first}&page={pages // 2}"),
        ("list red light, page 1", f"/projects/?light=red&{as_of}"),
        ("dashboard", f"/?{as_of}"),
    ]
    print(f"median of {args.runs} runs after a warm-up, {args.projects:,} projects:")
    for label, url in cases:
        print(f"  {label:<40} {measure(client, url, args.runs):8.1f} ms")


if __name__ == "__main__":
    main()
