"""Benchmark the warning filters and the dashboard on a large generated portfolio.

Generates PROJECTS projects across 12 regions, each with up to 8 quarters of progress and
the 8 standard milestones, into a fresh SQLite file (or an emptied PostgreSQL database), then
times requests through Flask's test client (median of several runs after one warm-up) and, for
comparison, one bare grouped SQL pass over the same project rows, and prints the figures:

    .venv/bin/python bench/progress_lists.py                 # 100,000 projects on SQLite
    .venv/bin/python bench/progress_lists.py --projects 20000 --runs 5
    .venv/bin/python bench/progress_lists.py --reuse         # keep the last generated data
    (source .ci/postgres.sh && start_postgres && .venv/bin/python bench/progress_lists.py --database "$POSTGRES_URL")

The data is generated (`portfolio.progress.sample_data`), never real.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from sqlalchemy import func, select, text  # noqa: E402

from bench.generated import TODAY, analyze, bench_app, fresh_database, generate, logged_in_client  # noqa: E402
from portfolio.core.db import db  # noqa: E402
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport  # noqa: E402
from portfolio.registry.models import Project, Region  # noqa: E402


def measure(client, url: str, runs: int) -> float:
    client.get(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


BARE_PASS = text("""
    SELECT region_id, status, sector, count(*), sum(planned_investment), sum(start_year), sum(end_year),
           count(longitude)
    FROM projects GROUP BY region_id, status, sector""")
"""The floor the dashboard is compared with: one grouped pass over the same project rows, without
judging any of them."""


def time_sql(app, statement, runs: int) -> float:
    with app.app_context():
        db.session.execute(statement).all()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            db.session.execute(statement).all()
            timings.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "progress_lists.sqlite3")
    parser.add_argument("--database", help="a PostgreSQL URL (emptied unless --reuse) instead of the SQLite file")
    parser.add_argument("--reuse", action="store_true", help="measure the existing data instead of generating")
    args = parser.parse_args()

    if not args.reuse and not args.database:
        fresh_database(args.db)
    app = bench_app(args.database or args.db, empty=bool(args.database) and not args.reuse)
    with app.app_context():
        if not args.reuse:
            started = time.perf_counter()
            generate(args.projects)
            analyze()
            print(f"generation: {time.perf_counter() - started:.1f} s")
        counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                  for m in (Project, ProgressReport, Milestone, AnnualPlan)}
        region = db.session.scalar(select(Region.id).where(Region.name == "测试区01"))
        db.engine.dispose()
    print(f"{(args.database or 'sqlite').split(':')[0]}; rows:",
          ", ".join(f"{name} {count:,}" for name, count in counts.items()))

    client = logged_in_client(app)
    as_of = f"as_of={TODAY.isoformat()}"
    overdue_first = f"/projects/?warning=overdue&region={region}&{as_of}"
    probe = client.get(overdue_first).get_data(as_text=True)
    pages = int(probe.split("第 1 / ")[1].split(" 页")[0]) if "第 1 / " in probe else 1
    cases = [
        ("list 超期 + one region, page 1", overdue_first),
        (f"list 超期 + one region, page {pages // 2} (deep)", f"{overdue_first}&page={pages // 2}"),
        ("list one region, page 1", f"/projects/?region={region}&{as_of}"),
        ("list red light, page 1", f"/projects/?light=red&{as_of}"),
        ("dashboard", f"/?{as_of}"),
    ]
    print(f"median of {args.runs} runs after a warm-up, {args.projects:,} projects:")
    for label, url in cases:
        print(f"  {label:<40} {measure(client, url, args.runs):8.1f} ms")
    print(f"  {'bare grouped pass (SQL only)':<40} {time_sql(app, BARE_PASS, args.runs):8.1f} ms")


if __name__ == "__main__":
    main()
