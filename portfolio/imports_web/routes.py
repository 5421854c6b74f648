"""Views for importing project tables and quarterly progress."""
import secrets
import time
from io import BytesIO
from pathlib import Path, PurePath

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portfolio import access, web
from portfolio.extensions import db
from portfolio.forms import choice_list
from portfolio.imports.outcome import ImportPreview
from portfolio.imports.progress import (
    HEADER_MARKER as PROGRESS_MARKER, apply_progress_import, preview_progress_import, progress_template,
)
from portfolio.imports.projects import HEADER_MARKER as PROJECT_MARKER, apply_project_import, preview_project_import
from portfolio.imports.tables import TableError, read_table
from portfolio.imports_web import bp
from portfolio.imports_web.forms import ConfirmUploadForm, ProgressUploadForm, ProjectTableForm, TemplateForm
from portfolio.models import Plan, Region
from portfolio.projects.forms import region_choices
from portfolio.rules import quarter_of
from portfolio.services import projects as project_service


UPLOAD_LIFETIME_SECONDS = 24 * 3600


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store(upload) -> tuple[str, bytes]:
    """Keep the upload until the user confirms; the token names it (random, never the user's file name).
    Uploads nobody confirmed within a day are removed."""
    folder = _uploads()
    stale = time.time() - UPLOAD_LIFETIME_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    data = upload.read()
    token = f"{secrets.token_hex(16)}{PurePath(upload.filename).suffix.lower()}"
    (folder / token).write_bytes(data)
    return token, data


def _stored(form: ConfirmUploadForm) -> bytes:
    path = _uploads() / form.token.data
    if not form.validate() or not path.is_file():
        abort(400)
    return path.read_bytes()


def _forms():
    project_form = ProjectTableForm(prefix="projects")
    project_form.plan.choices = choice_list((p.id, p.title) for p in project_service.plans(db.session))
    template_form = TemplateForm(request.args, prefix="template")
    template_form.region.choices = region_choices(project_service.regions(db.session))
    today = web.today()
    if not request.args:
        template_form.year.data, template_form.quarter.data = today.year, quarter_of(today)
    return project_form, ProgressUploadForm(prefix="progress"), template_form


@bp.get("/")
def index():
    project_form, progress_form, template_form = _forms()
    return render_template("imports/index.html", project_form=project_form, progress_form=progress_form,
                           template_form=template_form)


def _preview_page(kind: str, preview: ImportPreview | None, error: str | None, token: str, filename: str,
                  plan: Plan | None, status: int = 200):
    confirm = ConfirmUploadForm(formdata=None, token=token, filename=filename, plan=plan.id if plan else "")
    return render_template("imports/preview.html", kind=kind, preview=preview, error=error, form=confirm,
                           filename=filename, plan=plan), status


@bp.post("/projects")
@web.require(access.can_edit_projects)
def upload_projects():
    project_form, progress_form, template_form = _forms()
    if not project_form.validate_on_submit():
        return render_template("imports/index.html", project_form=project_form, progress_form=progress_form,
                               template_form=template_form), 422
    plan = db.get_or_404(Plan, project_form.plan.data)
    filename = project_form.file.data.filename
    token, data = _store(project_form.file.data)
    try:
        preview = preview_project_import(db.session, plan, read_table(data, filename, PROJECT_MARKER))
    except TableError as error:
        return _preview_page("projects", None, str(error), token, filename, plan, 422)
    return _preview_page("projects", preview, None, token, filename, plan)


@bp.post("/projects/confirm")
@web.require(access.can_edit_projects)
def confirm_projects():
    form = ConfirmUploadForm()
    data = _stored(form)
    plan = db.get_or_404(Plan, int(form.plan.data or 0))
    try:
        preview = preview_project_import(db.session, plan, read_table(data, form.filename.data, PROJECT_MARKER))
    except TableError as error:
        return _preview_page("projects", None, str(error), form.token.data, form.filename.data, plan, 422)
    if not preview.ok:
        return _preview_page("projects", preview, None, form.token.data, form.filename.data, plan, 422)
    apply_project_import(db.session, plan, preview)
    db.session.commit()
    (_uploads() / form.token.data).unlink(missing_ok=True)
    flash(f"已导入“{form.filename.data}”: 新增 {preview.count('create')} 个项目,更新 {preview.count('update')} 个,"
          f"{preview.count('unchanged')} 个无变化。", "success")
    return redirect(url_for("projects.index", plan=plan.id))


@bp.get("/progress-template.xlsx")
def progress_template_download():
    _, _, template_form = _forms()
    if not template_form.validate():
        abort(400)
    region = db.get_or_404(Region, template_form.region.data)
    year, quarter = template_form.year.data, template_form.quarter.data
    data = progress_template(db.session, region, year, quarter)
    return send_file(BytesIO(data), as_attachment=True, download_name=f"{region.name}{year}年第{quarter}季度进展.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/progress")
@web.require(access.can_import_progress)
def upload_progress():
    project_form, progress_form, template_form = _forms()
    if not progress_form.validate_on_submit():
        return render_template("imports/index.html", project_form=project_form, progress_form=progress_form,
                               template_form=template_form), 422
    filename = progress_form.file.data.filename
    token, data = _store(progress_form.file.data)
    try:
        preview = preview_progress_import(db.session, read_table(data, filename, PROGRESS_MARKER), web.today(),
                                          access.progress_region_scope(current_user))
    except TableError as error:
        return _preview_page("progress", None, str(error), token, filename, None, 422)
    return _preview_page("progress", preview, None, token, filename, None)


@bp.post("/progress/confirm")
@web.require(access.can_import_progress)
def confirm_progress():
    form = ConfirmUploadForm()
    data = _stored(form)
    try:
        preview = preview_progress_import(db.session, read_table(data, form.filename.data, PROGRESS_MARKER),
                                          web.today(), access.progress_region_scope(current_user))
    except TableError as error:
        return _preview_page("progress", None, str(error), form.token.data, form.filename.data, None, 422)
    if not preview.ok:
        return _preview_page("progress", preview, None, form.token.data, form.filename.data, None, 422)
    apply_progress_import(db.session, preview)
    db.session.commit()
    (_uploads() / form.token.data).unlink(missing_ok=True)
    flash(f"已导入“{form.filename.data}”: 新增 {preview.count('create')} 条季度进展,更新 {preview.count('update')} 条。",
          "success")
    return redirect(url_for("imports.index"))
