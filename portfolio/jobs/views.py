"""A job's page (its progress bar, then its result) and the result's download: for the account that
asked for it, and administrators."""
import json

from flask import Blueprint, abort, current_app, flash, render_template, send_file
from flask_login import current_user

from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.jobs import runner
from portfolio.jobs.models import Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
REFRESH_SECONDS = 2


def start(kind: str, title: str, parameters: dict, data: bytes | None = None) -> Job | None:
    """Ask for a job for the current account and commit; None (with the reason flashed) if refused."""
    try:
        job = runner.enqueue(db.session, kind, title, current_user, parameters, data)
    except runner.JobRefused as refusal:
        db.session.rollback()
        flash(f"{refusal}。", "error")
        return None
    db.session.commit()
    return job


def _job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id and current_user.role is not Role.ADMIN:
        abort(404)  # another account's jobs are not for guessing
    return job


@bp.get("/<int:job_id>")
def show(job_id: int):
    job = _job(job_id)
    waiting = job.state in (JobState.QUEUED, JobState.RUNNING)
    kind = runner.KINDS.get(job.kind)
    next_step = (kind.next_step(json.loads(job.parameters))
                 if kind and kind.next_step and job.state is JobState.DONE else None)
    # a result file that is gone (its keeping time passed, or a restored backup does not hold it) is not offered
    expired = job.state is JobState.DONE and job.result_name and not runner.result_path(current_app, job.id).exists()
    return render_template("jobs/job.html", job=job, refresh=REFRESH_SECONDS if waiting else None,
                           home=kind.home if kind else None, next_step=next_step, expired=expired)


@bp.get("/<int:job_id>/result")
def result(job_id: int):
    job = _job(job_id)
    path = runner.result_path(current_app, job.id)
    if job.state is not JobState.DONE or not path.exists():
        abort(404)
    return send_file(path, mimetype=job.result_type, as_attachment=True, download_name=job.result_name)
