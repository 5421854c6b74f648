"""Running jobs: asking for one, a worker claiming it, its progress and heartbeat, its result file,
and taking up the jobs of a process that stopped.

Every web process (each gunicorn worker) starts one worker thread on its first request
(`PORTFOLIO_JOB_WORKER=0` for none). Claiming is one conditional UPDATE, so any number of
workers on SQLite or PostgreSQL never run a job twice. While a job runs, its worker writes a
heartbeat every few seconds in short transactions of its own; a job whose heartbeat stopped (its
process was restarted or killed) is queued again and run from the start by whichever worker looks
next, up to MAX_ATTEMPTS times, then marked failed with the reason — never silently lost.
"""
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from time import monotonic

from flask import Flask, current_app
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from portfolio.accounts.models import User
from portfolio.core.db import db, utc_now
from portfolio.jobs.models import Job, JobState

log = logging.getLogger("portfolio.jobs")
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 5
PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class JobResult:
    content: bytes
    name: str
    media_type: str


Progress = Callable[..., None]
"""`progress(done, total, stage=None)`: how far the job got, shown on its page."""
KINDS: dict[str, Callable[[dict, Progress], JobResult]] = {}
"""Job kind → the function that does it, registered by the module that owns the work."""


def register_kind(kind: str, function: Callable[[dict, Progress], JobResult]) -> None:
    KINDS[kind] = function


def folder(app: Flask) -> Path:
    return Path(app.instance_path) / "jobs"


def result_path(app: Flask, job_id: int) -> Path:
    return folder(app) / f"{job_id}.result"


def enqueue(session: Session, kind: str, title: str, user: User, parameters: dict) -> Job:
    job = Job(kind=kind, title=title, user=user, parameters=json.dumps(parameters, ensure_ascii=False))
    session.add(job)
    session.flush()
    return job


def recent_jobs(session: Session, user: User, kind: str, limit: int = 5) -> list[Job]:
    """The account's latest jobs of a kind, newest first (the page they were asked from lists them)."""
    return list(session.scalars(select(Job).where(Job.user_id == user.id, Job.kind == kind)
                                .order_by(Job.id.desc()).limit(limit)))


def claim(engine: Engine, worker: str) -> int | None:
    """The oldest queued job, now running on `worker`; None when nothing waits. The UPDATE only
    succeeds if the job is still queued, so two workers never take the same one."""
    with engine.begin() as connection:
        candidate = connection.scalar(select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id).limit(1))
        if candidate is None:
            return None
        now = utc_now()
        taken = connection.execute(
            update(Job).where(Job.id == candidate, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, worker=worker, started_dt=now, heartbeat_dt=now, done=0,
                    attempts=Job.attempts + 1, stage="开始处理")).rowcount
    return candidate if taken else None


def take_up_abandoned(engine: Engine, stale_seconds: int) -> None:
    """Running jobs whose heartbeat stopped: queued again, or failed after MAX_ATTEMPTS."""
    stale = utc_now() - timedelta(seconds=stale_seconds)
    abandoned = (Job.state == JobState.RUNNING, Job.heartbeat_dt < stale)
    with engine.begin() as connection:
        for job_id, worker in connection.execute(select(Job.id, Job.worker).where(*abandoned)):
            log.warning("job %s abandoned by %s", job_id, worker)
        connection.execute(update(Job).where(*abandoned, Job.attempts < MAX_ATTEMPTS).values(
            state=JobState.QUEUED, worker=None, done=0, stage="处理进程中断，已重新排队"))
        connection.execute(update(Job).where(*abandoned, Job.attempts >= MAX_ATTEMPTS).values(
            state=JobState.FAILED, finished_dt=utc_now(), stage="失败",
            error=f"处理进程{MAX_ATTEMPTS}次中断（服务重启或内存不足），未能完成；请缩小范围后重试或联系管理员"))


class _Reporter:
    """The job's progress and heartbeat, written in short transactions of their own."""

    def __init__(self, engine: Engine, job_id: int):
        self.engine, self.job_id = engine, job_id
        self.last = 0.0
        self.stopped = threading.Event()
        self.beating = threading.Thread(target=self._beat, daemon=True, name=f"job-{job_id}-heartbeat")

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        if stage is None and monotonic() - self.last < PROGRESS_EVERY_SECONDS and done < total:
            return
        self.last = monotonic()
        values = {"done": done, "total": total, "heartbeat_dt": utc_now()} | ({"stage": stage} if stage else {})
        with self.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id).values(**values))

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            with self.engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == self.job_id).values(heartbeat_dt=utc_now()))

    def __enter__(self):
        self.beating.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.beating.join()


def run(app: Flask, job_id: int) -> None:
    """Do a claimed job in an app context of its own; its result goes to a file, its end to the table."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        engine = db.engine
        result_path(app, job_id).unlink(missing_ok=True)  # a try before this one, cut off after writing it
        try:
            with _Reporter(engine, job_id) as progress:
                result = KINDS[job.kind](json.loads(job.parameters), progress)
            folder(app).mkdir(parents=True, exist_ok=True)
            draft = folder(app) / f"{job_id}.part"
            draft.write_bytes(result.content)
            draft.replace(result_path(app, job_id))
            ending = {"state": JobState.DONE, "stage": "已完成", "result_name": result.name,
                      "result_type": result.media_type}
        except Exception:
            log.exception("job %s (%s) failed", job_id, job.kind)
            ending = {"state": JobState.FAILED, "stage": "失败", "error": "处理时出错，已记录在日志中；请稍后重试或联系管理员"}
        finally:
            db.session.rollback()
            db.session.close()
        with engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING)
                               .values(finished_dt=utc_now(), **ending))


class Worker(threading.Thread):
    """One process's job thread: take up abandoned jobs, claim the next, run it, wait a moment."""

    def __init__(self, app: Flask):
        super().__init__(daemon=True, name="portfolio-jobs")
        self.app = app
        self.name_in_table = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            engine = db.engine
        while not self.stopping.is_set():
            try:
                take_up_abandoned(engine, self.app.config["JOB_STALE_SECONDS"])
                job_id = claim(engine, self.name_in_table)
            except Exception:  # the database is away for a moment: try again later
                log.exception("job worker could not look for work")
                job_id = None
            if job_id is None:
                self.stopping.wait(self.app.config["JOB_POLL_SECONDS"])
            else:
                run(self.app, job_id)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


_started: dict[int, Worker] = {}


def start_worker(app: Flask) -> Worker:
    """This process's worker for the app (started once; after a fork, again in the child)."""
    key = os.getpid() * 1_000_003 + id(app)
    if key not in _started:
        _started[key] = Worker(app)
        _started[key].start()
    return _started[key]


def register(app: Flask) -> None:
    """Each web process starts its job threads on its first request — not on import, so `flask db
    upgrade` and the other commands never run jobs."""
    if not app.config["JOB_WORKER"]:
        return

    @app.before_request
    def ensure_worker():
        start_worker(current_app._get_current_object())
