"""Generated portfolios for the benchmarks: fast bulk inserts of `sample_data` projects."""
import os
import random
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import MetaData, insert, select

from bench.measure import OUT
from portfolio import create_app
from portfolio.accounts.models import Role, User
from portfolio.accounts.operations import create_user
from portfolio.core.db import db
from portfolio.core.settings import normalize_database_url
from portfolio.judgements.operations import judge_all
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.progress.sample_data import sample_progress
from portfolio.registry.models import Plan, Project, Region, RegionKind, Sector
from portfolio.rules import Thresholds

TODAY = date(2026, 11, 22)
"""Fixed, so every run measures the same data."""


def fresh_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


BENCH_USER, BENCH_PASSWORD = "bench-admin", "bench-only-password-42"


def bench_app(database: Path | str, instance: Path | None = None, empty: bool = False) -> Flask:
    """The app on an SQLite file (a path) or a database URL, migrated to head (CSRF off: the
    benchmarks post only the login); `empty` drops every table first (a PostgreSQL database is reused)."""
    url = f"sqlite:///{database}" if isinstance(database, Path) else normalize_database_url(database)
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(instance or (database.parent if isinstance(database, Path) else OUT))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False, "JOB_WORKER": False})
    with app.app_context():
        if empty:
            leftovers = MetaData()
            leftovers.reflect(db.engine)
            leftovers.drop_all(db.engine)
        flask_migrate.upgrade()
    return app


def analyze() -> None:
    """On PostgreSQL, statistics for the planner after a bulk load, as autovacuum would gather them."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def logged_in_client(app: Flask):
    """A test client logged in as an administrator created for the benchmark."""
    with app.app_context():
        if db.session.scalar(select(User.id).where(User.username == BENCH_USER)) is None:
            create_user(db.session, BENCH_USER, Role.ADMIN, None, BENCH_PASSWORD)
            db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def generate(count: int, regions: int = 12, seed: int = 42) -> None:
    """`count` projects across `regions` regions with progress, milestones and annual plans."""
    rng = random.Random(seed)
    plan = Plan(title="基准测试规划(生成数据)", city="基准市", start_year=2021, end_year=2030)
    places = [Region(city="基准市", name=f"测试区{n:02d}", kind=RegionKind.DISTRICT) for n in range(1, regions + 1)]
    db.session.add_all([plan, *places])
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
            region = places[number % regions]
            projects.append({
                "id": project_id, "plan_id": plan.id, "region_id": region.id,
                "name": f"生成项目{number:06d}" + "(二期)扩建工程" * (number % 3), "site": region.name,
                "sector": rng.choice(sectors), "content": "基准测试生成数据", "planned_investment": planned,
                "start_year": start, "end_year": end, "status": progress.status,
            })
            reports += [{"project_id": project_id, "year": y, "quarter": q, "cumulative_investment": c,
                         "quarter_investment": t, "physical_progress": p,
                         "works_status": "主体结构施工" if number % 2 else "完成土建工程,正在进行设备安装调试及室外配套",
                         "problems": "资金拨付滞后" if number % 5 == 0 else None, "next_steps": "加快施工进度"}
                        for y, q, c, t, p in progress.reports]
            milestones += [{"project_id": project_id, "kind": k, "planned_date": pd, "actual_date": ad}
                           for k, pd, ad in progress.milestones]
            plans += [{"project_id": project_id, "year": y, "planned_investment": a}
                      for y, a in progress.annual_plans.items()]
        for model, rows in ((Project, projects), (ProgressReport, reports), (Milestone, milestones),
                            (AnnualPlan, plans)):
            if rows:
                bulk_insert(model, rows)
        if first // batch % 20 == 19 or first + batch >= count:
            print(f"  generated {min(first + batch, count):,} projects", flush=True)
    # the rows went in past the session's objects: judge every project once, as a migration's backfill does
    started = time.perf_counter()
    judge_all(db.session, Thresholds(), lambda done, total: done % 20_000 == 0 and print(
        f"  judged {done:,} of {total:,} projects", flush=True))
    print(f"  judging took {time.perf_counter() - started:.1f} s", flush=True)
    db.session.commit()


def bulk_insert(model, rows: list[dict]) -> None:
    """Rows into the model's table in the session's transaction: PostgreSQL's COPY (each value through
    its column type, as an INSERT would bind it), a multi-row INSERT elsewhere. Columns a row leaves
    out get their Python-side defaults."""
    table = model.__table__
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return
    dialect = db.engine.dialect
    columns = [column for column in table.columns if column.key in rows[0] or column.default is not None]
    steps = [(column.key, column.default if column.key not in rows[0] else None,
              column.type._cached_bind_processor(dialect)) for column in columns]
    connection = db.session.connection().connection.driver_connection
    names = ", ".join(f'"{column.name}"' for column in columns)
    with connection.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = []
            for key, default, processor in steps:
                if default is None:
                    value = row[key]
                else:
                    value = default.arg(None) if default.is_callable else default.arg
                values.append(processor(value) if processor and value is not None else value)
            copy.write_row(values)
