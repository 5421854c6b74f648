"""kill -9 of the process running an export job, for real: the job is taken up again once its
heartbeats (table and beat file) are stale, run to the end by another worker, and its file is
produced once — the killed run's draft never becomes the result."""
import os
import signal
import subprocess
import sys
import time
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portfolio.accounts.models import Role, User
from portfolio.core.db import db
from portfolio.core.settings import ROOT
from portfolio.jobs import runner
from portfolio.jobs.models import Job, JobState
from tests.jobs.slow_export import slow_export

pytestmark = pytest.mark.usefixtures("committed")

WORKER = """
import sys
from portfolio import create_app
from portfolio.core.db import db
from portfolio.jobs import runner
import tests.jobs.slow_export
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "JOB_WORKER": False, "SECRET_KEY": "x"})
with app.app_context():
    claimed = runner.claim(db.engine, "victim")
runner.run(app, claimed)
"""


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_an_export_job_whose_process_is_killed_is_done_again_once(app, seeded, make_user, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.2)
    assert runner.KINDS["test_slow_export"].function is slow_export  # registered here as in the worker
    make_user("city", Role.CITY)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "city"))
        job = runner.enqueue(db.session, "test_slow_export", "导出", user,
                             {"kind": "xlsx", "args": {}, "as_of": date(2026, 9, 30).isoformat(), "pause": 30})
        db.session.commit()
        job_id = job.id
    runs = Path(app.instance_path) / "runs"
    runs.unlink(missing_ok=True)
    victim = subprocess.Popen([sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"]], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(300):
            if (found := _job(app, job_id)).state is JobState.RUNNING and found.done >= 3:
                break
            time.sleep(0.1)
        assert found.worker == "victim" and found.state is JobState.RUNNING, (found.state, found.error)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    finally:
        victim.kill()
    with app.app_context():
        runner.take_up_abandoned(db.engine, 0, runner.folder(app))
        assert _job(app, job_id).state is JobState.RUNNING, "its beat file is still fresh"
        time.sleep(1.0)  # past 3 heartbeats: the killed process beats no more
        runner.take_up_abandoned(db.engine, 0, runner.folder(app))
        assert _job(app, job_id).state is JobState.QUEUED
        claimed = runner.claim(db.engine, "survivor")
    runner.run(app, claimed)
    job = _job(app, job_id)
    assert (job.state, job.worker, job.attempts) == (JobState.DONE, "survivor", 2)
    assert runs.read_text().splitlines() == ["['survivor', 2]"], "run to its end once"
    sheet = load_workbook(BytesIO(runner.result_path(app, job_id).read_bytes())).active
    assert sheet.max_row > 13 and "项目清单" in str(sheet["A1"].value)
    assert sorted(p.name for p in runner.folder(app).glob(f"{job_id}.*")) == [f"{job_id}.result"], \
        "one result; the killed run's beat file went with the run that finished"
