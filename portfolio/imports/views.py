"""The import pages: upload → preview → confirm, one flow for both kinds of file."""
from datetime import date
from io import BytesIO
from pathlib import Path, PurePath

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts import access
from portfolio.accounts.models import User
from portfolio.core import audit, web
from portfolio.core.db import db
from portfolio.core.errors import render_error
from portfolio.imports import uploads
from portfolio.imports.flow import KINDS, ImportContext, apply_preview, preview_file
from portfolio.imports.preview import ImportPreview
from portfolio.imports.forms import ConfirmUploadForm, ProgressUploadForm, ProjectTableForm, TemplateForm
from portfolio.imports.progress_templates import progress_template
from portfolio.imports.tables import TableError
from portfolio.jobs import runner
from portfolio.jobs import views as jobs
from portfolio.registry import queries as registry
from portfolio.registry.models import Plan, Region
from portfolio.rules import quarter_of

bp = Blueprint("imports", __name__, url_prefix="/imports")

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
    return render_template("imports/index.html", **_forms(), jobs=_jobs())


def _jobs():
    return runner.recent_jobs(db.session, current_user, ("import",))


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
    if path is not None:
        _keep_or_discard(path, kind, filename, plan.id if plan else None, preview)
    return _preview_shown(kind, preview, error, path, filename, plan, refused_status)


def _keep_or_discard(path: Path, kind: str, filename: str, plan_id: int | None, preview: ImportPreview | None) -> None:
    """An upload that passed its preview is kept with what the preview found; any other is deleted."""
    if preview is None or not preview.ok:
        uploads.discard(path)
    else:
        uploads.remember(path, {"kind": kind, "filename": filename, "plan": plan_id, "rows": len(preview.rows),
                                "preview": preview.outline()})


def _preview_shown(kind: str, preview: ImportPreview | None, error: str | None, path: Path | None, filename: str,
                   plan: Plan | None, refused_status: int = 200):
    confirm = ConfirmUploadForm(formdata=None, token=path.name if path and preview and preview.ok else "")
    status = 422 if preview is None else 200 if preview.ok else refused_status
    rows = len(preview.rows) if preview else 0
    return render_template("imports/preview.html", kind=kind, preview=preview, error=error, form=confirm,
                           filename=filename, plan=plan, in_background=_in_background(rows),
                           shown=preview.shown_rows(PREVIEW_ROWS_SHOWN) if preview else []), status


PREVIEW_ROWS_SHOWN = 500
"""The preview page lists every row with an error or a change, and the first rows up to this many."""


def _preview_in_background(data: bytes) -> bool:
    """A file larger than PORTFOLIO_JOB_PREVIEW_KB is checked by a background job (its progress shown)."""
    return len(data) > current_app.config["JOB_PREVIEW_KB"] * 1024


def _in_background(row_count: int) -> bool:
    """A file of more rows than PORTFOLIO_JOB_IMPORT_ROWS is imported in the background."""
    return row_count > current_app.config["JOB_IMPORT_ROWS"]


@bp.post("/<any(projects, progress):kind>")
def upload(kind: str):
    if not MAY_IMPORT[kind](current_user):
        web.refuse()
    forms = _forms()
    form = forms["project_form" if kind == "projects" else "progress_form"]
    if not form.validate_on_submit():
        return render_template("imports/index.html", **forms, jobs=_jobs()), 422
    plan = db.get_or_404(Plan, form.plan.data) if kind == "projects" else None
    folder = _uploads()
    uploads.sweep(folder, current_app.config["UPLOAD_LIFETIME_SECONDS"])
    data = form.file.data.read()
    try:
        token = uploads.store(folder, current_user.id, data, PurePath(form.file.data.filename).suffix.lower(),
                              current_app.config["UPLOADS_PER_ACCOUNT"], current_app.config["UPLOADS_PENDING_BYTES"])
    except uploads.UploadRefused as refusal:
        form.file.errors.append(str(refusal))
        return render_template("imports/index.html", **forms, jobs=_jobs()), 429
    if _preview_in_background(data):
        job = jobs.start("import_preview", f"检查“{form.file.data.filename}”",
                         {"kind": kind, "token": token, "filename": form.file.data.filename,
                          "plan": plan.id if plan else None, "today": web.today().isoformat()})
        if job is None:
            uploads.discard(folder / token)
            return redirect(url_for(".index"))
        return redirect(url_for("jobs.show", job_id=job.id))
    return _preview_page(kind, data, folder / token, form.file.data.filename, plan)


@bp.get("/<any(projects, progress):kind>/checked/<token>")
def checked(kind: str, token: str):
    """The preview a background job made of a large upload, with the confirm button if all is well."""
    if not MAY_IMPORT[kind](current_user):
        web.refuse()
    path = uploads.owned(_uploads(), token, current_user.id)
    previewed = uploads.recall(path) if path is not None else None
    if previewed is None or previewed.get("kind") != kind or "preview" not in previewed:
        return render_error(404, "这份文件的检查结果已不存在（已导入、已过期或不是您上传的），请重新上传。")
    plan = db.session.get(Plan, previewed["plan"]) if previewed.get("plan") else None
    return _preview_shown(kind, ImportPreview.from_outline(previewed["preview"]), None, path, previewed["filename"], plan)


def preview_job(parameters: dict, progress: runner.Progress) -> runner.JobResult:
    """The check of a large upload, as the upload page would make it, with the rows' progress; the
    outcome is kept beside the upload for `checked` (a refused file is deleted)."""
    kind, filename = KINDS[parameters["kind"]], parameters["filename"]
    user = db.session.get(User, parameters[runner.USER_ID])
    plan = db.session.get(Plan, parameters["plan"]) if parameters["plan"] else None
    path = uploads.owned(uploads.folder(current_app.instance_path), parameters["token"], parameters[runner.USER_ID])
    if path is None or user is None or not user.is_active or not MAY_IMPORT[kind.key](user):
        raise runner.JobRefused("上传的文件已不存在或您已无权导入，请重新上传")
    context = ImportContext(today=date.fromisoformat(parameters["today"]), plan=plan,
                            region_scope=access.progress_region_scope(user), user=user)
    try:
        preview = preview_file(db.session, kind, path.read_bytes(), filename, context,
                               runner.rows_progress(progress, "检查每一行"))
    except TableError as problem:
        uploads.discard(path)
        raise runner.JobRefused(f"无法导入：{problem}。没有写入任何数据") from None
    _keep_or_discard(path, kind.key, filename, plan.id if plan else None, preview)
    db.session.rollback()  # a preview writes nothing
    if not preview.ok:
        errors = preview.error_lines(filename)
        raise runner.JobRefused(f"文件中有{len(errors)}处错误，没有写入任何数据，请修改后重新上传："
                                + "；".join(errors[:10]) + ("……" if len(errors) > 10 else ""))
    return runner.JobResult(summary=f"检查完成：新增{preview.count('create')}行，更新{preview.count('update')}行，"
                                    f"无变化{preview.count('unchanged')}行，跳过{preview.count('skip')}行；"
                                    "请查看检查结果并确认导入。")


@bp.post("/<any(projects, progress):kind>/confirm")
def confirm(kind: str):
    if not MAY_IMPORT[kind](current_user):
        web.refuse()
    form = ConfirmUploadForm()
    path = uploads.owned(_uploads(), form.token.data, current_user.id) if form.validate() else None
    previewed = uploads.recall(path) if path is not None else None
    if previewed is None or previewed.get("kind") != kind:
        return render_error(400, "要确认的上传文件已不存在（已导入、已过期或不是您上传的），请重新上传。")
    plan = None
    if kind == "projects":
        plan = db.session.get(Plan, previewed["plan"]) if previewed.get("plan") else None
        if plan is None:
            return render_error(404, "要导入的规划已被删除，请重新选择规划后上传。")
    data, filename = path.read_bytes(), previewed["filename"]
    if _in_background(previewed["rows"]):
        job = jobs.start("import", f"导入“{filename}”", {"kind": kind, "filename": filename,
                                                       "plan": plan.id if plan else None,
                                                       "today": web.today().isoformat()}, data=data)
        if job is None:
            return redirect(url_for(".index"))
        uploads.discard(path)
        return redirect(url_for("jobs.show", job_id=job.id))
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
    uploads.discard(path)
    flash(f"已导入“{filename}”：{KINDS[kind].done(preview)}。", "success")
    return redirect(url_for("projects.index", plan=plan.id) if plan else url_for(".index"))


def import_job(parameters: dict, progress: runner.Progress) -> runner.JobResult:
    """A large import as a job: the same preview and the same all-or-nothing write as the confirm
    button, in the name of the account that confirmed it, with the preview's progress."""
    kind, filename = KINDS[parameters["kind"]], parameters["filename"]
    user = db.session.get(User, parameters[runner.USER_ID])
    plan = db.session.get(Plan, parameters["plan"]) if parameters["plan"] else None
    if user is None or not user.is_active or not MAY_IMPORT[kind.key](user) or (kind.key == "projects" and plan is None):
        raise runner.JobRefused("您的账户已停用或已无权导入这份文件（或要导入的规划已删除），没有写入任何数据")
    audit.act_as(user.id, user.username)
    context = ImportContext(today=date.fromisoformat(parameters["today"]), plan=plan,
                            region_scope=access.progress_region_scope(user), user=user)
    try:
        preview = preview_file(db.session, kind, runner.job_input(parameters), filename, context,
                               runner.rows_progress(progress, "检查每一行"))
    except TableError as problem:
        raise runner.JobRefused(f"无法导入：{problem}。没有写入任何数据") from None
    if not preview.ok:  # the records changed since the preview
        errors = preview.error_lines(filename)
        raise runner.JobRefused(f"文件中有{len(errors)}处错误，没有写入任何数据，请修改后重新上传："
                                + "；".join(errors[:5]) + ("……" if len(errors) > 5 else ""))
    # No progress while writing: on SQLite the write holds the database's write lock, which the job's
    # progress (another connection) would wait for. The job ends in the import's own transaction.
    progress(len(preview.rows), len(preview.rows) + 1, "写入数据库")
    try:
        apply_preview(db.session, kind, preview, context)
        ended = runner.end_in(db.session, parameters, f"已导入“{filename}”：{kind.done(preview)}。")
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise runner.JobRefused("导入时，其他人刚刚修改了文件中的部分记录，没有写入任何数据；请重新上传并核对预览后再确认") from None
    return ended


runner.register_kind("import", import_job, ("导入数据", "imports.index"))
runner.register_kind("import_preview", preview_job, ("导入数据", "imports.index"), lambda parameters: (
    "查看检查结果并确认导入", url_for("imports.checked", kind=parameters["kind"], token=parameters["token"])))


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
