"""专栏任务: each plan's programmes, and a programme's tasks with their progress, linked projects and
history; city staff record progress and link projects of the same plan."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portfolio.accounts import access
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.programmes import operations, queries
from portfolio.programmes.forms import LinkForm, ProgressForm
from portfolio.programmes.models import ProgrammeTask
from portfolio.programmes.validation import link_errors, progress_errors
from portfolio.registry.models import Programme, Project

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("/")
def index():
    return render_template("programmes/index.html", summaries=queries.programme_summaries(db.session))


def _page(programme: Programme, failed: dict | None = None, status: int = 200):
    """The programme page; `failed` holds the one task form that was refused, shown with its errors."""
    projects = queries.linkable_projects(db.session, programme)
    forms = {}
    for row in queries.programme_tasks(db.session, programme):
        prefix = f"t{row.task.id}"
        forms[row.task.id] = (failed or {}).get(row.task.id) or (
            ProgressForm(formdata=None, prefix=f"{prefix}p", recorded_on=web.today()),
            LinkForm(formdata=None, prefix=f"{prefix}l", projects=projects))
    return render_template("programmes/detail.html", programme=programme,
                           rows=queries.programme_tasks(db.session, programme), forms=forms,
                           may_manage=access.can_manage_programme_tasks(current_user), confirm=ConfirmForm()), status


@bp.get("/<int:programme_id>")
def detail(programme_id: int):
    return _page(db.get_or_404(Programme, programme_id))


def _task(programme_id: int, task_id: int) -> ProgrammeTask:
    task = db.get_or_404(ProgrammeTask, task_id)
    if task.programme_id != programme_id:
        web.refuse()
    return task


@bp.post("/<int:programme_id>/tasks/<int:task_id>/progress")
@web.require(access.can_manage_programme_tasks)
def record(programme_id: int, task_id: int):
    task = _task(programme_id, task_id)
    form = ProgressForm(prefix=f"t{task.id}p")
    if form.validate_on_submit():
        errors = progress_errors(task, form.recorded_on.data, form.quantity.data, form.note.data, web.today())
        for name, message in errors.items():
            form[name].errors = [*form[name].errors, message]
        if not errors:
            replaced = operations.record_progress(db.session, task, form.recorded_on.data, form.quantity.data,
                                                  form.note.data or "", current_user.label)
            db.session.commit()
            flash(f"已{'更正' if replaced else '录入'}“{task.text}”截至{form.recorded_on.data:%Y年%-m月%-d日}的进展。",
                  "success")
            return redirect(url_for(".detail", programme_id=programme_id, _anchor=f"task-{task.id}"))
    projects = queries.linkable_projects(db.session, task.programme)
    return _page(task.programme, {task.id: (form, LinkForm(formdata=None, prefix=f"t{task.id}l",
                                                             projects=projects))}, 422)


@bp.post("/<int:programme_id>/tasks/<int:task_id>/projects")
@web.require(access.can_manage_programme_tasks)
def link(programme_id: int, task_id: int):
    task = _task(programme_id, task_id)
    form = LinkForm(prefix=f"t{task.id}l", projects=queries.linkable_projects(db.session, task.programme))
    if form.validate_on_submit():
        project = db.session.get(Project, form.project_id.data) if form.project_id.data else None
        errors = link_errors(task, project)
        for name, message in errors.items():
            form[name].errors = [*form[name].errors, message]
        if not errors:
            operations.link_project(db.session, task, project)
            db.session.commit()
            flash(f"已将“{project.name}”关联到“{task.text}”。", "success")
            return redirect(url_for(".detail", programme_id=programme_id, _anchor=f"task-{task.id}"))
    return _page(task.programme, {task.id: (ProgressForm(formdata=None, prefix=f"t{task.id}p",
                                                         recorded_on=web.today()), form)}, 422)


@bp.post("/<int:programme_id>/tasks/<int:task_id>/projects/<int:project_id>/unlink")
@web.require(access.can_manage_programme_tasks)
def unlink(programme_id: int, task_id: int, project_id: int):
    task = _task(programme_id, task_id)
    if not ConfirmForm().validate_on_submit():
        web.refuse()
    project = db.get_or_404(Project, project_id)
    operations.unlink_project(db.session, task, project)
    db.session.commit()
    flash(f"已取消“{project.name}”与“{task.text}”的关联。", "success")
    return redirect(url_for(".detail", programme_id=programme_id, _anchor=f"task-{task.id}"))
