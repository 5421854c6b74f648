"""Running jobs: asking for one, a worker claiming it, its progress and heartbeat, its result file,
and taking up the jobs of a process that stopped.

Every web process (each gunicorn worker) starts one worker thread on its first request
(`PORTFOLIO_JOB_WORKER=0` for none). Claiming is one conditional UPDATE, so any number of
workers on SQLite or PostgreSQL never run a job twice. While a job runs, its worker writes a
heartbeat every few seconds in short transactions of its own; a job whose heartbeat stopped (its
process was restarted or killed) is queued again and run from the start by whichever worker looks
next, up to MAX_ATTEMPTS times, then marked failed with the reason — never silently lost. Each
write of a run is conditional on the run still owning the job (worker and attempt), so a run that
was taken over stops and can neither report on the job nor end it.
"""
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from time import monotonic

from flask import Flask, current_app
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portfolio.accounts.models import User
from portfolio.core.db import db, utc_now
from portfolio.core.media import StorageUnavailable, write_whole
from portfolio.jobs.models import Job, JobState

log = logging.getLogger("portfolio.jobs")
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 5
PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class JobResult:
    """What a job made: a file to download (`content`, `name`, `media_type`), or only a `summary` of
    what it did (an import), or both. The summary is shown on the job's page."""

    content: bytes | None = None
    name: str | None = None
    media_type: str | None = None
    summary: str | None = None
    ended: bool = False
    """The job ended itself in its own transaction (`end_in`), together with what it wrote."""


class JobRefused(Exception):
    """The job cannot be done as asked (an import whose file has errors); the message, in Chinese, is
    shown on the job's page. Nothing was written."""


Progress = Callable[..., None]
"""`progress(done, total, stage=None)`: how far the job got, shown on its page."""


@dataclass(frozen=True)
class JobKind:
    function: Callable[[dict, Progress], JobResult]
    home: tuple[str, str]
    """The page the job is asked for on, as (its name, its endpoint): it lists the account's jobs."""
    next_step: Callable[[dict], tuple[str, str]] | None = None
    """For a job that is done, what the account does next, from the job's parameters: (label, URL)."""


KINDS: dict[str, JobKind] = {}
"""Job kind → what does it, registered by the module that owns the work."""


def register_kind(kind: str, function: Callable[[dict, Progress], JobResult], home: tuple[str, str],
                  next_step: Callable[[dict], tuple[str, str]] | None = None) -> None:
    KINDS[kind] = JobKind(function, home, next_step)


def folder(app: Flask) -> Path:
    return Path(app.instance_path) / "jobs"


def result_path(app: Flask, job_id: int) -> Path:
    return folder(app) / f"{job_id}.result"


def input_path(app: Flask, job_id: int) -> Path:
    """The file a job works on (an uploaded table), kept until the job has ended."""
    return folder(app) / f"{job_id}.input"


TITLE_LENGTH = 200
"""`Job.title`'s length: a longer title (an export's filters in words, a long file name) is cut."""


def enqueue(session: Session, kind: str, title: str, user: User, parameters: dict, data: bytes | None = None) -> Job:
    """Ask for a job; `data` is the file it works on (read back with `job_input`). The same job asked
    for again while it is queued or running (a double click) is the one under way; an account may have
    PORTFOLIO_JOBS_PER_ACCOUNT unfinished jobs (`JobRefused` beyond)."""
    text = json.dumps(parameters, ensure_ascii=False, sort_keys=True)
    unfinished = select(Job).where(Job.user_id == user.id, Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
    if data is None and (same := session.scalar(unfinished.where(Job.kind == kind, Job.parameters == text).limit(1))):
        return same
    waiting = session.scalar(select(func.count()).select_from(unfinished.subquery()))
    if waiting >= current_app.config["JOBS_PER_ACCOUNT"]:
        raise JobRefused(f"您已有{waiting}项后台任务在排队或进行中，请等其中一项完成后再提交")
    job = Job(kind=kind, title=title if len(title) <= TITLE_LENGTH else title[:TITLE_LENGTH - 1] + "…", user=user,
              parameters=text)
    session.add(job)
    session.flush()
    if data is not None:
        write_whole(input_path(current_app, job.id), data)
    return job


JOB_ID, USER_ID, ASKED_AT, CLAIM = "_job", "_user", "_asked", "_claim"
"""The keys under which `run` hands a job its own id, its account's id and when it was asked for (ISO,
UTC) in `parameters`, and the run (worker and attempt) that owns it."""


def job_input(parameters: dict) -> bytes:
    """Inside a job: the file it was asked for with (`enqueue(..., data=...)`)."""
    path = input_path(current_app, parameters[JOB_ID])
    if not path.is_file():
        raise JobRefused("要处理的文件已不存在（可能已被清理），请重新上传")
    return path.read_bytes()




def end_in(session: Session, parameters: dict, summary: str) -> JobResult:
    """End the job as done in the caller's transaction, so that what the job wrote and the job's end
    are committed together: a run that was taken over ends nothing and writes nothing (`JobLost`
    rolls back), and a job whose data is committed is never run again. The caller commits."""
    worker, attempt = parameters[CLAIM]
    claimed = Claim(parameters[JOB_ID], worker, attempt)
    ended = session.execute(update(Job).where(*claimed.owns()).values(
        state=JobState.DONE, stage="已完成", summary=summary, done=1, total=1, finished_dt=utc_now(),
        heartbeat_dt=utc_now())).rowcount
    if not ended:
        raise JobLost
    return JobResult(summary=summary, ended=True)


def recent_jobs(session: Session, user: User, kinds: tuple[str, ...], limit: int = 5) -> list[Job]:
    """The account's latest jobs of these kinds, newest first (the page they were asked from lists them)."""
    return list(session.scalars(select(Job).where(Job.user_id == user.id, Job.kind.in_(kinds))
                                .order_by(Job.id.desc()).limit(limit)))


class CountedRows(list):
    """Rows that tell `progress(done, total, stage)` how far an iteration over them got (a job's page)."""

    def __init__(self, rows, progress: Progress, stage: str):
        super().__init__(rows)
        self.progress, self.stage = progress, stage

    def __iter__(self):
        self.progress(0, len(self), self.stage)
        for number, row in enumerate(super().__iter__(), start=1):
            yield row
            self.progress(number, len(self))


def rows_progress(progress: Progress, stage: str) -> Callable:
    """For a flow that takes a `progress(rows) -> rows` wrapper (the imports): the job's progress
    over the rows it is given."""
    return lambda rows: CountedRows(rows, progress, stage)


@dataclass(frozen=True)
class Claim:
    """A job as one worker took it: only this run (worker and attempt) may report on it or end it."""

    job_id: int
    worker: str
    attempt: int

    def owns(self):
        return (Job.id == self.job_id, Job.state == JobState.RUNNING, Job.worker == self.worker,
                Job.attempts == self.attempt)


class JobLost(Exception):
    """The job was taken from this run (its heartbeat was late and another worker took it up)."""


def claim(engine: Engine, worker: str) -> Claim | None:
    """The oldest queued job, now running on `worker`; None when nothing waits. The UPDATE only
    succeeds if the job is still queued, so two workers never take the same one."""
    with engine.begin() as connection:
        candidate = connection.execute(select(Job.id, Job.attempts).where(Job.state == JobState.QUEUED)
                                       .order_by(Job.id).limit(1)).first()
        if candidate is None:
            return None
        now = utc_now()
        taken = connection.execute(
            update(Job).where(Job.id == candidate.id, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, worker=worker, started_dt=now, heartbeat_dt=now, done=0,
                    attempts=Job.attempts + 1, stage="开始处理")).rowcount
    return Claim(candidate.id, worker, candidate.attempts + 1) if taken else None


def beat_path(jobs_folder: Path, job_id: int) -> Path:
    """A running job's heartbeat beside the database: a file its heartbeat thread touches. The job's
    own long write holds the database's write lock (SQLite) or its row (PostgreSQL), so the heartbeat
    in the table can fall behind while the job is alive; the file's cannot."""
    return jobs_folder / f"{job_id}.beat"


def _beating(jobs_folder: Path | None, job_id: int, stale_seconds: float) -> bool:
    try:
        return jobs_folder is not None and time.time() - beat_path(jobs_folder, job_id).stat().st_mtime < stale_seconds
    except FileNotFoundError:  # another machine's job (PostgreSQL, a shared database), or its run ended
        return False


def take_up_abandoned(engine: Engine, stale_seconds: int, jobs_folder: Path | None = None) -> None:
    """Running jobs whose heartbeat stopped — in the table and, on this machine, in its beat file —
    queued again, or failed after MAX_ATTEMPTS. Looks before it writes, so idle workers do not take
    the write lock every second, and a live job whose write holds up its table heartbeat is left alone."""
    seconds = max(stale_seconds, 3 * HEARTBEAT_SECONDS)
    stale = utc_now() - timedelta(seconds=seconds)
    with engine.begin() as connection:
        found = [(job_id, worker) for job_id, worker in connection.execute(
            select(Job.id, Job.worker).where(Job.state == JobState.RUNNING, Job.heartbeat_dt < stale)).all()
                 if not _beating(jobs_folder, job_id, seconds)]
        if not found:
            return
        for job_id, worker in found:
            log.warning("job %s abandoned by %s", job_id, worker)
        abandoned = (Job.id.in_([job_id for job_id, _ in found]), Job.state == JobState.RUNNING,
                     Job.heartbeat_dt < stale)
        connection.execute(update(Job).where(*abandoned, Job.attempts < MAX_ATTEMPTS).values(
            state=JobState.QUEUED, worker=None, done=0, stage="处理进程中断，已重新排队"))
        connection.execute(update(Job).where(*abandoned, Job.attempts >= MAX_ATTEMPTS).values(
            state=JobState.FAILED, finished_dt=utc_now(), stage="失败",
            error=f"处理进程{MAX_ATTEMPTS}次中断（服务重启或内存不足），未能完成；请缩小范围后重试或联系管理员"))


class _Reporter:
    """The run's progress and heartbeat, written in short transactions of their own, only while the
    run still owns the job. A failed write is logged and tried again next time (progress is best
    effort); finding the job taken by another run stops this one (`JobLost`)."""

    def __init__(self, engine: Engine, claimed: Claim, beat_file: Path):
        self.engine, self.claimed, self.beat_file = engine, claimed, beat_file
        self.last = 0.0
        self.lost = False
        self.stopped = threading.Event()
        self.beating = threading.Thread(target=self._beat, daemon=True, name=f"job-{claimed.job_id}-heartbeat")
        self.pulsing = threading.Thread(target=self._pulse, daemon=True, name=f"job-{claimed.job_id}-beat-file")

    def _write(self, **values) -> None:
        try:
            with self.engine.begin() as connection:
                owned = connection.execute(update(Job).where(*self.claimed.owns())
                                           .values(heartbeat_dt=utc_now(), **values)).rowcount
        except SQLAlchemyError:
            log.warning("job %s: progress not recorded this time", self.claimed.job_id, exc_info=True)
            return
        if not owned:
            self.lost = True

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        if stage is None and monotonic() - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = monotonic()
        self._write(done=done, total=total, **({"stage": stage} if stage else {}))
        if self.lost:
            raise JobLost

    def _touch(self) -> None:
        try:
            self.beat_file.touch()
        except OSError:  # a full disk: the table's heartbeat still beats
            log.warning("job %s: heartbeat file not touched", self.claimed.job_id, exc_info=True)

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS) and not self.lost:
            self._write()

    def _pulse(self) -> None:
        """The beat file, in a thread of its own: the table's heartbeat may wait for the job's own write."""
        while not self.stopped.wait(HEARTBEAT_SECONDS) and not self.lost:
            self._touch()

    def __enter__(self):
        self.beat_file.parent.mkdir(parents=True, exist_ok=True)
        self._touch()
        self.beating.start()
        self.pulsing.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.beating.join()
        self.pulsing.join()
        self.beat_file.unlink(missing_ok=True)


def run(app: Flask, claimed: Claim) -> None:
    """Do a claimed job in an app context of its own. The result is written to a file of this run's
    own and put in place only if this run still owns the job when it ends it."""
    job_id = claimed.job_id
    draft = folder(app) / f"{job_id}.{claimed.attempt}.part"
    with app.app_context():
        engine = db.engine
        ending = result = None
        try:
            job = db.session.get(Job, job_id)
            kind, parameters = job.kind, {**json.loads(job.parameters), JOB_ID: job_id, USER_ID: job.user_id,
                                        ASKED_AT: job.created_dt.isoformat(), CLAIM: [claimed.worker, claimed.attempt]}
            db.session.close()  # no transaction stays open while the job works
            with _Reporter(engine, claimed, beat_path(folder(app), job_id)) as progress:
                result = KINDS[kind].function(parameters, progress)
                if not result.ended:
                    progress(1, 1, "保存结果")
            if result.content is not None:
                write_whole(draft, result.content)
            ending = None if result.ended else {
                "state": JobState.DONE, "stage": "已完成", "summary": result.summary, "done": 1, "total": 1,
                "result_name": result.name if result.content is not None else None, "result_type": result.media_type}
        except JobLost:
            log.warning("job %s attempt %s was taken up by another worker; stopped", job_id, claimed.attempt)
        except (JobRefused, StorageUnavailable) as refusal:
            ending = {"state": JobState.FAILED, "stage": "未完成", "error": str(refusal)}
        except Exception:
            log.exception("job %s failed", job_id)
            ending = {"state": JobState.FAILED, "stage": "失败", "error": "处理时出错，已记录在日志中；请稍后重试或联系管理员"}
        finally:
            db.session.rollback()
            db.session.close()
        owned = ending is None and result is not None and result.ended
        if ending is not None:
            with engine.begin() as connection:
                owned = connection.execute(update(Job).where(*claimed.owns())
                                           .values(finished_dt=utc_now(), **ending)).rowcount
            if owned and draft.exists():
                draft.replace(result_path(app, job_id))
        if owned:
            input_path(app, job_id).unlink(missing_ok=True)
        draft.unlink(missing_ok=True)


SWEEP_EVERY_SECONDS = 3600


def sweep(app: Flask, engine: Engine, keep_days: int) -> int:
    """Finished jobs older than `keep_days` (at least one): their files removed, then their rows, with any
    file in the jobs folder as old (a draft left by a killed process). Several processes may sweep at
    once: a file another one removed first is skipped. Returns how many jobs went."""
    cutoff = utc_now() - timedelta(days=max(keep_days, 1))
    with engine.connect() as connection:
        old = connection.execute(select(Job.id).where(Job.state.in_((JobState.DONE, JobState.FAILED)),
                                                      Job.finished_dt < cutoff)).scalars().all()
    for job_id in old:
        result_path(app, job_id).unlink(missing_ok=True)
        input_path(app, job_id).unlink(missing_ok=True)
    if old:
        with engine.begin() as connection:
            connection.execute(delete(Job).where(Job.id.in_(old)))
    if folder(app).is_dir():
        for path in folder(app).iterdir():
            try:
                if path.stat().st_mtime < cutoff.timestamp():
                    path.unlink()
            except FileNotFoundError:
                continue
    return len(old)


class Worker(threading.Thread):
    """One process's job thread: take up abandoned jobs, claim the next, run it, wait a moment; once an
    hour, sweep old finished jobs. Any error (the database away for a moment) is logged and the loop
    goes on."""

    def __init__(self, app: Flask):
        super().__init__(daemon=True, name="portfolio-jobs")
        self.app = app
        self.name_in_table = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            engine = db.engine
        swept = None
        while not self.stopping.is_set():
            claimed = None
            try:
                if swept is None or monotonic() - swept > SWEEP_EVERY_SECONDS:
                    swept = monotonic()
                    sweep(self.app, engine, self.app.config["JOB_KEEP_DAYS"])
                take_up_abandoned(engine, self.app.config["JOB_STALE_SECONDS"], folder(self.app))
                claimed = claim(engine, self.name_in_table)
                if claimed is not None:
                    run(self.app, claimed)
            except Exception:
                log.exception("job worker: error while looking for or ending a job; going on")
            if claimed is None:
                self.stopping.wait(self.app.config["JOB_POLL_SECONDS"])

    def stop(self) -> None:
        self.stopping.set()
        self.join()


_started: dict[tuple[int, int], Worker] = {}
_starting = threading.Lock()


def start_worker(app: Flask) -> Worker:
    """This process's worker for the app: started once (and again in a forked child, or if it died)."""
    key = (os.getpid(), id(app))
    with _starting:
        if key not in _started or not _started[key].is_alive():
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
