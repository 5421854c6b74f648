"""The import pages: upload → preview → confirm, one flow for both kinds of file."""
from io import BytesIO
from pathlib import Path, PurePath

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts import access
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.errors import render_error
from portfolio.imports import uploads
from portfolio.imports.flow import KINDS, ImportContext, apply_preview, preview_file
from portfolio.imports.forms import ConfirmUploadForm, ProgressUploadForm, ProjectTableForm, TemplateForm
from portfolio.imports.progress_templates import progress_template
from portfolio.imports.tables import TableError
from portfolio.registry import queries as registry
from portfolio.registry.models import Plan, Region
from portfolio.rules import quarter_of

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")

MAY_IMPORT = {"projects": access.can_edit_projects, "progress": access.can_import_progress}
"""Who may upload each kind of file."""


def _uploads():
    return uploads.folder(current_app.instance_path)


def _forms():
    project_form = ProjectTableForm(prefix="projects", plans=registry.plans(db.session))
    template_form = TemplateForm(request.args, prefix="template", regions=registry.regions(db.session))
    today = web.today()
    if not request.args:
        template_form.year.data, template_form.quarter.data = today.year, quarter_of(today)
    return {"project_form": project_form, "progress_form": ProgressUploadForm(prefix="progress"),
            "template_form": template_form}


@bp.get("/")
def index():
    return render_template("imports/index.html", **_forms())


def _context(plan: Plan | None) -> ImportContext:
    return ImportContext(today=web.today(), plan=plan, region_scope=access.progress_region_scope(current_user),
                         user=current_user._get_current_object())


def _preview_page(kind: str, data: bytes, path: Path | None, filename: str, plan: Plan | None,
                  refused_status: int = 200):
    """Read and check the file; the page shows each row's outcome and, if all is well, the confirm
    button. A file that cannot be imported as it is is deleted at once: it can only be uploaded again."""
    preview, error = None, None
    try:
        preview = preview_file(db.session, KINDS[kind], data, filename, _context(plan))
    except TableError as problem:
        error = str(problem)
    if path is not None and (preview is None or not preview.ok):
        path.unlink(missing_ok=True)
    confirm = ConfirmUploadForm(formdata=None, token=path.name if path else "", filename=filename,
                                plan=plan.id if plan else "")
    status = 422 if preview is None else 200 if preview.ok else refused_status
    return render_template("imports/preview.html", kind=kind, preview=preview, error=error, form=confirm,
                           filename=filename, plan=plan), status


@bp.post("/<any(projects, progress):kind>")
def upload(kind: str):
    if not MAY_IMPORT[kind](current_user):
        web.refuse()
    forms = _forms()
    form = forms["project_form" if kind == "projects" else "progress_form"]
    if not form.validate_on_submit():
        return render_template("imports/index.html", **forms), 422
    plan = db.get_or_404(Plan, form.plan.data) if kind == "projects" else None
    folder = _uploads()
    uploads.sweep(folder, current_app.config["UPLOAD_LIFETIME_SECONDS"])
    data = form.file.data.read()
    try:
        token = uploads.store(folder, current_user.id, data, PurePath(form.file.data.filename).suffix.lower(),
                              current_app.config["UPLOADS_PER_ACCOUNT"], current_app.config["UPLOADS_PENDING_BYTES"])
    except uploads.UploadRefused as refusal:
        form.file.errors.append(str(refusal))
        return render_template("imports/index.html", **forms), 429
    return _preview_page(kind, data, folder / token, form.file.data.filename, plan)


@bp.post("/<any(projects, progress):kind>/confirm")
def confirm(kind: str):
    if not MAY_IMPORT[kind](current_user):
        web.refuse()
    form = ConfirmUploadForm()
    path = uploads.owned(_uploads(), form.token.data, current_user.id) if form.validate() else None
    if path is None:
        return render_error(400, "要确认的上传文件已不存在（已导入、已过期或不是您上传的），请重新上传。")
    plan = None
    if kind == "projects":
        plan = db.session.get(Plan, int(form.plan.data)) if (form.plan.data or "").isdigit() else None
        if plan is None:
            abort(404)
    data, filename = path.read_bytes(), form.filename.data
    try:
        preview = preview_file(db.session, KINDS[kind], data, filename, _context(plan))
    except TableError:
        preview = None
    if preview is None or not preview.ok:
        return _preview_page(kind, data, path, filename, plan, refused_status=422)
    try:
        apply_preview(db.session, KINDS[kind], preview, _context(plan))
        db.session.commit()
    except (IntegrityError, StaleDataError):  # someone saved the same rows between preview and confirm
        db.session.rollback()
        flash("在您确认之前，其他人刚刚修改了文件中的部分记录，没有写入任何数据；请核对下面的预览后再确认。", "error")
        return _preview_page(kind, data, path, filename, plan, refused_status=409)
    path.unlink(missing_ok=True)
    flash(f"已导入“{filename}”：{KINDS[kind].done(preview)}。", "success")
    return redirect(url_for("projects.index", plan=plan.id) if plan else url_for(".index"))


@bp.get("/progress-template.xlsx")
def progress_template_download():
    template_form = _forms()["template_form"]
    if not template_form.validate():
        abort(400)
    region = db.get_or_404(Region, template_form.region.data)
    year, quarter = template_form.year.data, template_form.quarter.data
    data = progress_template(db.session, region, year, quarter)
    return send_file(BytesIO(data), as_attachment=True, download_name=f"{region.name}{year}年第{quarter}季度进展.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
