"""Benchmark the cost of one write with stored judgements: saving one quarter's progress through
the progress form (validation, the audit trail, the project judged again, the commit), on the data
`progress_lists.py` generated last.

    .venv/bin/python bench/write_cost.py                      # the SQLite file of progress_lists.py
    .venv/bin/python bench/write_cost.py --database "$POSTGRES_URL"

Each save is a POST through Flask's test client, timed from the request to the response (median of
`--runs`); the report it made is deleted again afterwards (not timed), so the data stays as it was.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from sqlalchemy import func, select  # noqa: E402

from bench.generated import bench_app, logged_in_client  # noqa: E402
from portfolio.core.db import db  # noqa: E402
from portfolio.progress.models import ProgressReport  # noqa: E402
from portfolio.progress.operations import delete_progress  # noqa: E402
from portfolio.registry.models import Project, ProjectStatus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "progress_lists.sqlite3")
    parser.add_argument("--database", help="a PostgreSQL URL holding the generated data instead")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    app = bench_app(args.database or args.db)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Project))
        # 在建 projects with 2026 Q3 progress and none for Q4: each gets its Q4 (本季度 computed from Q3)
        q3 = select(ProgressReport.project_id, ProgressReport.cumulative_investment).where(
            ProgressReport.year == 2026, ProgressReport.quarter == 3).subquery()
        rows = db.session.execute(
            select(Project.id, q3.c.cumulative_investment).join(q3, q3.c.project_id == Project.id)
            .where(Project.status == ProjectStatus.UNDER_WAY, ~Project.id.in_(
                select(ProgressReport.project_id).where(ProgressReport.year == 2026, ProgressReport.quarter == 4)))
            .order_by(Project.id).limit(args.runs + 1)).all()
        ids, newest = [pid for pid, _ in rows], dict(rows)
    client = logged_in_client(app)
    timings = []
    for pid in ids:
        form = {"year": "2026", "quarter": "4", "cumulative_investment": str(newest[pid] + 10),
                "quarter_investment": "", "physical_progress": "99", "works_status": "基准测试",
                "problems": "", "next_steps": ""}
        started = time.perf_counter()
        response = client.post(f"/projects/{pid}/progress/new", data=form)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (302, 303), (pid, response.status_code, response.get_data(as_text=True)[:2000])
        with app.app_context():
            report = db.session.scalar(select(ProgressReport).where(
                ProgressReport.project_id == pid, ProgressReport.year == 2026, ProgressReport.quarter == 4))
            delete_progress(db.session, report)
            db.session.commit()
    print(f"{count:,} projects: saving one quarter's progress (form POST, judged again, committed): "
          f"median {statistics.median(timings[1:]):.1f} ms over {len(timings) - 1} saves after a warm-up")


if __name__ == "__main__":
    main()
