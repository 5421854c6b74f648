"""Background jobs on the real database: claimed once however many workers look at the same moment,
progress, heartbeat and result recorded, a job whose process stopped taken up again and failed after
three tries, a run that was taken over unable to end the job, a worker thread that outlives errors;
the quarterly report over the size limit built as a job whose page shows a progress bar, then the PDF."""
import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from portfolio.accounts.models import Role, User
from portfolio.core.db import db, utc_now
from portfolio.jobs import runner
from portfolio.jobs.models import Job, JobState
from tests.factories import build_user, csrf_token, login
from tests.pdf import joined, pdf_text

pytestmark = pytest.mark.usefixtures("committed")  # other threads, processes or connections


def _count_to(parameters, progress):
    for done in range(parameters["to"] + 1):
        progress(done, parameters["to"])
        time.sleep(parameters.get("pause", 0))
    if parameters.get("fail"):
        raise RuntimeError("boom")
    return runner.JobResult(f"counted to {parameters['to']}".encode(), "计数.txt", "text/plain")


runner.register_kind("test_count", _count_to, ("季度报告", "reports.index"))


@pytest.fixture
def owner(app, make_user) -> int:
    make_user("city", Role.CITY)
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == "city"))


def _enqueue(app, user_id: int, **parameters) -> int:
    with app.app_context():
        job = runner.enqueue(db.session, "test_count", "计数", db.session.get(User, user_id), parameters)
        db.session.commit()
        return job.id


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_a_job_is_claimed_once_run_and_its_result_kept(app, owner):
    job_id = _enqueue(app, owner, to=7)
    with app.app_context():
        claimed = runner.claim(db.engine, "one")
        assert claimed == runner.Claim(job_id, "one", 1)
        assert runner.claim(db.engine, "two") is None
    runner.run(app, claimed)
    job = _job(app, job_id)
    assert (job.state, job.attempts, job.worker, job.percent) == (JobState.DONE, 1, "one", 100)
    assert runner.result_path(app, job_id).read_bytes() == b"counted to 7"


def test_a_job_whose_result_file_is_gone_shows_as_expired(app, owner):
    """After a restore (the jobs folder is not in the backup) or past its keeping time: no dead link."""
    job_id = _enqueue(app, owner, to=1)
    with app.app_context():
        claimed = runner.claim(db.engine, "one")
    runner.run(app, claimed)
    browser = app.test_client()
    login(browser, "city")
    assert 'id="job-result"' in browser.get(f"/jobs/{job_id}").get_data(as_text=True)
    runner.result_path(app, job_id).unlink()
    page = browser.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'id="job-expired"' in page and 'id="job-result"' not in page
    assert browser.get(f"/jobs/{job_id}/result").status_code == 404


def test_a_failing_job_is_marked_failed_with_a_chinese_reason(app, owner):
    job_id = _enqueue(app, owner, to=2, fail=True)
    with app.app_context():
        claimed = runner.claim(db.engine, "one")
    runner.run(app, claimed)
    job = _job(app, job_id)
    assert job.state is JobState.FAILED and "出错" in job.error and not runner.result_path(app, job_id).exists()


def test_a_job_whose_process_stopped_is_queued_again_then_failed(app, owner):
    job_id = _enqueue(app, owner, to=1)
    for attempt in range(1, runner.MAX_ATTEMPTS + 1):
        with app.app_context():
            assert runner.claim(db.engine, f"worker-{attempt}").job_id == job_id
            # the process dies: its heartbeat stops
            db.session.execute(update(Job).values(heartbeat_dt=utc_now() - timedelta(minutes=5)))
            db.session.commit()
            runner.take_up_abandoned(db.engine, stale_seconds=60)
        job = _job(app, job_id)
        expected = JobState.QUEUED if attempt < runner.MAX_ATTEMPTS else JobState.FAILED
        assert (job.state, job.attempts) == (expected, attempt)
    assert "3次中断" in job.error


def test_eight_workers_looking_at_once_claim_a_job_once(app, owner):
    job_id = _enqueue(app, owner, to=1)
    start, claims = threading.Barrier(8), []

    def look(number):
        with app.app_context():
            start.wait()
            claims.append(runner.claim(db.engine, f"worker-{number}"))

    threads = [threading.Thread(target=look, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [claimed for claimed in claims if claimed is not None]
    assert len(taken) == 1 and taken[0].job_id == job_id and _job(app, job_id).worker == taken[0].worker


def test_the_heartbeat_keeps_a_long_job_alive(app, owner, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.05)
    job_id = _enqueue(app, owner, to=4, pause=0.1)
    with app.app_context():
        claimed = runner.claim(db.engine, "alive")
    beats = []
    run = threading.Thread(target=runner.run, args=(app, claimed))
    run.start()
    while run.is_alive():
        beats.append(_job(app, job_id).heartbeat_dt)
        time.sleep(0.05)
    run.join()
    assert len(set(beats)) >= 3 and _job(app, job_id).state is JobState.DONE


def test_a_run_that_was_taken_over_stops_and_cannot_end_the_job(app, owner):
    job_id = _enqueue(app, owner, to=50, pause=0.01)
    with app.app_context():
        first = runner.claim(db.engine, "slow")
    run = threading.Thread(target=runner.run, args=(app, first))
    run.start()
    time.sleep(0.1)
    with app.app_context():  # its heartbeat was late: another worker takes the job up
        db.session.execute(update(Job).values(heartbeat_dt=utc_now() - timedelta(minutes=5)))
        db.session.commit()
        runner.take_up_abandoned(db.engine, stale_seconds=60)
        second = runner.claim(db.engine, "fast")
    run.join()
    assert second.attempt == 2 and _job(app, job_id).state is JobState.RUNNING  # the first run ended nothing
    runner.run(app, second)
    job = _job(app, job_id)
    assert (job.state, job.worker) == (JobState.DONE, "fast")
    assert runner.result_path(app, job_id).read_bytes() == b"counted to 50"
    assert list(runner.folder(app).glob("*.part")) == []


def _hold_the_write(parameters, progress):
    """A job whose own write holds the database (SQLite's write lock, PostgreSQL's row lock on its job)
    past the stale limit, as a long import does."""
    progress(0, 1, "写入")
    db.session.execute(update(Job).where(Job.id == parameters[runner.JOB_ID]).values(summary="写入中"))
    time.sleep(parameters["hold"])
    db.session.commit()
    runs.append(parameters[runner.CLAIM])
    return runner.JobResult(summary="写完了")


runs: list = []
runner.register_kind("test_hold", _hold_the_write, ("季度报告", "reports.index"))


def test_a_live_job_holding_the_write_lock_is_never_taken_as_abandoned(app, owner, monkeypatch):
    """The job's table heartbeat cannot be written while its own write holds the database; other workers
    looking for abandoned jobs the whole time leave it alone (its beat file is fresh), so it runs once."""
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.1)
    runs.clear()
    with app.app_context():
        job = runner.enqueue(db.session, "test_hold", "写入", db.session.get(User, owner), {"hold": 2.0})
        db.session.commit()
        job_id = job.id
        claimed = runner.claim(db.engine, "writer")
    run = threading.Thread(target=runner.run, args=(app, claimed))
    run.start()
    looked = 0
    with app.app_context():
        while run.is_alive():
            try:
                runner.take_up_abandoned(db.engine, 0, runner.folder(app))  # stale after 0.3 s
                assert runner.claim(db.engine, "thief") is None
            except OperationalError:  # SQLite: the write lock is held; what a worker's loop logs and retries
                pass
            looked += 1
            time.sleep(0.1)
    run.join()
    job = _job(app, job_id)
    assert looked >= 5 and (job.state, job.attempts, job.worker) == (JobState.DONE, 1, "writer")
    assert runs == [["writer", 1]], "run once"
    assert not runner.beat_path(runner.folder(app), job_id).exists()


def test_a_stopped_process_is_taken_up_once_its_beat_file_is_old(app, owner):
    job_id = _enqueue(app, owner, to=1)
    with app.app_context():
        runner.claim(db.engine, "gone")
        db.session.execute(update(Job).values(heartbeat_dt=utc_now() - timedelta(minutes=5)))
        db.session.commit()
        beat = runner.beat_path(runner.folder(app), job_id)
        beat.parent.mkdir(parents=True, exist_ok=True)
        beat.touch()
        runner.take_up_abandoned(db.engine, 60, runner.folder(app))
        assert _job(app, job_id).state is JobState.RUNNING, "its beat file is fresh: alive"
        old = time.time() - 600
        os.utime(beat, (old, old))
        runner.take_up_abandoned(db.engine, 60, runner.folder(app))
    assert _job(app, job_id).state is JobState.QUEUED


def _work_until_done(app, job_id: int) -> None:
    """A real worker thread, stopped once the job is done (or after ten seconds)."""
    worker = runner.Worker(app)
    worker.start()
    try:
        for _ in range(200):
            if _job(app, job_id).state is JobState.DONE:
                break
            worker.stopping.wait(0.05)
    finally:
        worker.stop()


def test_the_worker_thread_outlives_a_database_error(app, owner, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_POLL_SECONDS", 0.05)
    real_claim, calls = runner.claim, []

    def failing_once(engine, worker):
        calls.append(worker)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return real_claim(engine, worker)

    monkeypatch.setattr(runner, "claim", failing_once)
    job_id = _enqueue(app, owner, to=1)
    _work_until_done(app, job_id)
    assert len(calls) >= 2 and _job(app, job_id).state is JobState.DONE


def test_the_worker_thread_runs_what_is_queued(app, owner, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_POLL_SECONDS", 0.05)
    job_id = _enqueue(app, owner, to=3)
    _work_until_done(app, job_id)
    assert _job(app, job_id).state is JobState.DONE


def test_a_large_report_is_a_job_with_a_progress_bar_then_the_pdf(app, seeded, owner, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOB_REPORT_PROJECTS", 5)
    browser = app.test_client()
    login(browser, "city")
    query = "year=2026&quarter=3"
    page = browser.get(f"/reports/?{query}").get_data(as_text=True)
    assert "在后台生成PDF" in page and "下载 PDF" not in page
    assert browser.get(f"/reports/quarterly.pdf?{query}").status_code == 303
    odd = browser.get(f"/reports/quarterly.pdf?{query}&endpoint=x&_scheme=https")
    assert odd.status_code == 303 and odd.headers["Location"] == f"/reports/?{query}"
    asked = browser.post("/reports/quarterly-job", data={"csrf_token": csrf_token(browser, f"/reports/?{query}"),
                                                        "year": "2026", "quarter": "3"})
    assert asked.status_code == 302
    job_page = asked.headers["Location"]
    waiting = browser.get(job_page).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in waiting and 'id="job-progress"' in waiting
    job_id = int(job_page.rstrip("/").split("/")[-1])
    with app.app_context():
        claimed = runner.claim(db.engine, "test")
    assert claimed.job_id == job_id
    runner.run(app, claimed)
    done = browser.get(job_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and 'value="100"' in done
    with browser.get(f"{job_page}/result") as pdf:
        assert pdf.mimetype == "application/pdf"
        assert "2026年第3季度" in joined(pdf_text(pdf.data, tmp_path))
    job = _job(app, job_id)
    assert (job.state, job.stage, job.percent) == (JobState.DONE, "已完成", 100)
    listed = browser.get(f"/reports/?{query}").get_data(as_text=True).split('id="recent-jobs"')[1]
    assert f'href="/jobs/{job_id}"' in listed and "已完成" in listed

    with app.app_context():
        build_user(db.session, "viewer", Role.VIEWER)
        db.session.commit()
    other = app.test_client()
    login(other, "viewer")
    assert other.get(job_page).status_code == 404 and other.get(f"{job_page}/result").status_code == 404


def test_the_same_job_asked_twice_while_under_way_is_one_job(app, owner):
    first, again = _enqueue(app, owner, to=3), _enqueue(app, owner, to=3)
    other = _enqueue(app, owner, to=4)
    assert first == again != other
    with app.app_context():
        runner.run(app, runner.claim(db.engine, "one"))
    assert _enqueue(app, owner, to=3) not in (first, other)  # finished: asked again, made again


def test_an_account_has_at_most_its_share_of_unfinished_jobs(app, owner, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_PER_ACCOUNT", 2)
    _enqueue(app, owner, to=1)
    _enqueue(app, owner, to=2)
    with pytest.raises(runner.JobRefused, match="已有2项后台任务"):
        _enqueue(app, owner, to=3)
    make_user("someone-else", Role.CITY)
    with app.app_context():
        someone = db.session.scalar(select(User.id).where(User.username == "someone-else"))
    assert _enqueue(app, someone, to=3)  # the limit is per account
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.user_id == owner)) == 2


def test_the_report_page_says_why_a_job_was_refused(app, seeded, owner, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_REPORT_PROJECTS", 5)
    monkeypatch.setitem(app.config, "JOBS_PER_ACCOUNT", 0)
    browser = app.test_client()
    login(browser, "city")
    asked = browser.post("/reports/quarterly-job", data={"csrf_token": csrf_token(browser, "/reports/?year=2026&quarter=3"),
                                                        "year": "2026", "quarter": "3"})
    assert asked.status_code == 302 and asked.headers["Location"] == "/reports/?year=2026&quarter=3"
    assert "已有0项后台任务在排队或进行中" in browser.get(asked.headers["Location"]).get_data(as_text=True)


def test_old_finished_jobs_are_swept_with_their_files(app, owner):
    old, recent = _enqueue(app, owner, to=1), _enqueue(app, owner, to=2)
    for job_id in (old, recent):
        with app.app_context():
            runner.run(app, runner.claim(db.engine, "one"))
    stray = runner.folder(app) / "99999.1.part"
    stray.write_bytes(b"left by a killed process")
    eight_days = time.time() - 8 * 86400
    os.utime(stray, (eight_days, eight_days))
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == old).values(finished_dt=utc_now() - timedelta(days=8)))
        db.session.commit()
        assert runner.sweep(app, db.engine, keep_days=0) == 1  # kept a day at least: the recent one stays
        assert db.session.get(Job, old) is None and db.session.get(Job, recent) is not None
    assert not runner.result_path(app, old).exists() and runner.result_path(app, recent).exists()
    assert not stray.exists()
