"""Views for a project's progress, annual plans and milestones."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio import rules
from portfolio.accounts import access
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.formatting import format_wan
from portfolio.core.forms import ConfirmForm
from portfolio.core.images import FileRefused
from portfolio.progress import operations, photos, queries, review, validation
from portfolio.progress.forms import AnnualPlanForm, MilestonesForm, PhotoForm, ProgressForm
from portfolio.progress.models import (
    AnnualPlan,
    MilestoneDocument,
    MilestoneKind,
    ProgressPhoto,
    ProgressReport,
)
from portfolio.registry.models import Project

bp = Blueprint("progress", __name__, url_prefix="/projects/<int:project_id>")


def _project(project_id: int) -> Project:
    """The project, if the user may write its progress, milestones and annual plans."""
    project = db.get_or_404(Project, project_id)
    if not access.can_edit_progress(current_user, project):
        web.refuse()
    return project


def _child(model, child_id: int, project: Project):
    child = db.get_or_404(model, child_id)
    if child.project_id != project.id:
        abort(404)
    return child


def changed_since_seen(form, current: str) -> bool:
    """Whether the records changed since the form was shown; then the form takes what is there now,
    so saving again (after reading the page) applies the user's input."""
    if form.seen.data and form.seen.data != current:
        form.seen.data = current
        return True
    return False


def _detail(project: Project, anchor: str):
    return redirect(url_for("projects.detail", project_id=project.id, _anchor=anchor))


def _progress_form_page(project: Project, report: ProgressReport | None):
    form = ProgressForm(obj=report)
    if report is None and not form.is_submitted():
        # a new report is, nearly always, the quarter being gathered: offered unless the project already has it
        year, quarter = rules.round_quarter(web.today())
        if not any((r.year, r.quarter) == (year, quarter) for r in project.progress_reports):
            form.year.data, form.quarter.data = year, quarter
    locked = review.edit_refusal(current_user, report) if report else None
    if locked and form.is_submitted():
        # nothing is saved; what was typed stays on the page beside the reason and who can unlock it
        return render_template("progress/progress_form.html", project=project, report=report, form=form,
                               max_photos=photos.MAX_PHOTOS, locked=locked, conflicts=[]), 409
    conflicts = []
    if form.validate_on_submit() and not (conflicts := web.conflicts_since_opened(form, "progress_reports", report)):
        values = form.values()
        errors = validation.progress_errors(db.session, project, values, web.today(),
                                                  report_id=report.id if report else None)
        for name, message in errors.items():
            form[name].errors.append(message)
        if not errors:
            try:
                saved = operations.save_progress(db.session, project, values, report)
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflicts = web.conflicts_since_opened(form, "progress_reports", db.session.get(ProgressReport, report.id))
            except IntegrityError:
                db.session.rollback()
                form.quarter.errors.append(f"其他人刚刚新建了{values['year']}年第{values['quarter']}季度的进展；"
                                           "您填写的内容仍保留在下面，请在历史记录中编辑该季度")
                return render_template("progress/progress_form.html", project=project, report=report, form=form,
                                       max_photos=photos.MAX_PHOTOS, locked=None, conflicts=[]), 409
            else:
                flash(f"已保存{saved.year}年第{saved.quarter}季度进展（本季度完成投资"
                      f"{format_wan(saved.quarter_investment)}万元）。", "success")
                for notice in validation.progress_notices(project, values):
                    flash(notice, "warning")
                return _detail(project, "progress")
    return render_template("progress/progress_form.html", project=project, report=report, form=form,
                           max_photos=photos.MAX_PHOTOS, locked=locked, conflicts=conflicts), (
        409 if conflicts else 422 if form.errors else 200)


@bp.route("/progress/new", methods=["GET", "POST"])
def new_progress(project_id: int):
    return _progress_form_page(_project(project_id), None)


@bp.route("/progress/<int:report_id>/edit", methods=["GET", "POST"])
def edit_progress(project_id: int, report_id: int):
    project = _project(project_id)
    return _progress_form_page(project, _child(ProgressReport, report_id, project))


@bp.route("/progress/<int:report_id>/delete", methods=["GET", "POST"])
def delete_progress(project_id: int, report_id: int):
    project = _project(project_id)
    report = _child(ProgressReport, report_id, project)
    if refusal := review.edit_refusal(current_user, report):
        flash(f"不能删除：{refusal}。", "error")
        return _detail(project, "progress")
    form = ConfirmForm()
    if form.validate_on_submit():
        label = f"{report.year}年第{report.quarter}季度"
        files = photos.files_of(report.photos)
        operations.delete_progress(db.session, report)
        db.session.commit()
        photos.remove_unreferenced(db.session, files)
        flash(f"已删除{label}进展。", "success")
        return _detail(project, "progress")
    return render_template("core/confirm_delete.html", form=form, what=f"“{project.name}”{report.year}年第{report.quarter}季度的进展",
                           cancel_url=url_for("projects.detail", project_id=project.id, _anchor="progress"))


@bp.route("/annual-plans", methods=["POST"])
def save_annual_plan(project_id: int):
    project = _project(project_id)
    form = AnnualPlanForm()
    if form.validate_on_submit():
        if changed_since_seen(form, queries.annual_plans_seen(project)):
            form.year.errors.append("在您填写期间，其他人修改了这个项目的年度计划；请核对下方的内容，再次保存将以您的内容为准")
            return render_template("progress/annual_plan_form.html", project=project, form=form), 409
        try:
            operations.save_annual_plan(db.session, project, form.year.data, form.planned_investment.data)
            db.session.commit()
        except IntegrityError:  # someone created the same year's plan a moment ago
            db.session.rollback()
            form.year.errors.append(f"其他人刚刚保存了{form.year.data}年度计划投资；请查看后再保存，您填写的内容仍保留在下面")
            return render_template("progress/annual_plan_form.html", project=project, form=form), 409
        flash(f"已保存{form.year.data}年度计划投资。", "success")
        if row := next((r for r in queries.annual_plan_rows(db.session, project) if r.year == form.year.data), None):
            if row.notice:
                flash(row.notice, "warning")
        return _detail(project, "annual-plans")
    return render_template("progress/annual_plan_form.html", project=project, form=form), 422


@bp.route("/annual-plans/<int:plan_id>/delete", methods=["POST"])
def delete_annual_plan(project_id: int, plan_id: int):
    project = _project(project_id)
    plan = _child(AnnualPlan, plan_id, project)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    year = plan.year
    operations.delete_annual_plan(db.session, plan)
    db.session.commit()
    flash(f"已删除{year}年度计划投资。", "success")
    return _detail(project, "annual-plans")


@bp.route("/milestones", methods=["GET", "POST"])
def edit_milestones(project_id: int):
    project = _project(project_id)
    recorded = {m.kind: m for m in project.milestones}
    form = MilestonesForm(data={kind.value: {"planned_date": m.planned_date, "actual_date": m.actual_date,
                                             "note": m.note} for kind, m in recorded.items()}
                          | {"seen": queries.milestones_seen(project)})
    if form.validate_on_submit():
        if changed_since_seen(form, queries.milestones_seen(project)):
            flash("在您编辑期间，其他人修改了这个项目的节点；您填写的内容仍保留在下面，核对后再次保存将以您的内容为准。",
                  "error")
            return render_template("progress/milestones_form.html", project=project, form=form,
                                   kinds=list(MilestoneKind)), 409
        rows = form.rows()
        errors = validation.milestone_errors(rows, web.today())
        for (kind, field), message in errors.items():
            form[kind.value][field].errors.append(message)
        if not errors:
            try:
                change = operations.save_milestones(db.session, project, rows)
                db.session.commit()
            except IntegrityError:  # someone saved the same milestones a moment ago
                db.session.rollback()
                flash("其他人刚刚保存了这个项目的节点；您填写的内容仍保留在下面，请核对后再保存。", "error")
                return render_template("progress/milestones_form.html", project=project, form=form,
                                       kinds=list(MilestoneKind)), 409
            flash("已保存节点。", "success")
            if change:
                flash(change, "info")
            return _detail(project, "milestones")
    return render_template("progress/milestones_form.html", project=project, form=form,
                           kinds=list(MilestoneKind)), 422 if form.errors else 200


# --- 现场照片 and milestone documents ---------------------------------------------------------------------------


def _uploads(field: str) -> list[tuple[str, bytes]]:
    return [(upload.filename or "未命名", upload.read()) for upload in request.files.getlist(field)
            if upload and upload.filename]


def _commit_files(rows) -> None:
    """Commit rows whose files are stored; if the commit fails, their files go too."""
    try:
        db.session.commit()
    except Exception:
        stored = photos.files_of(rows)
        db.session.rollback()
        photos.remove_unreferenced(db.session, stored)
        raise


def _to_photos(project: Project, report: ProgressReport):
    return redirect(url_for(".edit_progress", project_id=project.id, report_id=report.id, _anchor="photos"))


@bp.post("/progress/<int:report_id>/photos")
def upload_photos(project_id: int, report_id: int):
    """Up to nine photos on a quarter's report, by whoever may edit that report (the form's own check)."""
    project = _project(project_id)
    report = _child(ProgressReport, report_id, project)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if refusal := review.edit_refusal(current_user, report):
        flash(f"不能上传照片：{refusal}。", "error")
        return _to_photos(project, report)
    try:
        added = photos.add_photos(db.session, report, _uploads("photos"), request.form.get("caption", ""),
                                  current_user.label, current_app.config["MAX_FILE_BYTES"])
    except FileRefused as error:
        db.session.rollback()
        flash(f"未上传任何照片：{error}。", "error")
        return _to_photos(project, report)
    except StaleDataError:
        db.session.rollback()
        flash("未上传任何照片：其他人同时修改了该季度进展或上传了照片，请刷新后重试。", "error")
        return _to_photos(project, report)
    try:
        _commit_files(added)
    except StaleDataError:
        flash("未上传任何照片：其他人同时修改了该季度进展或上传了照片，请刷新后重试。", "error")
        return _to_photos(project, report)
    flash(f"已上传{len(added)}张照片。", "success")
    return _to_photos(project, report)


@bp.post("/photos/<int:photo_id>")
def update_photo(project_id: int, photo_id: int):
    project = _project(project_id)
    photo = _child(ProgressPhoto, photo_id, project)
    form = PhotoForm()
    if refusal := review.edit_refusal(current_user, photo.report):
        flash(f"不能修改照片：{refusal}。", "error")
    elif form.validate_on_submit():
        photos.update_photo(db.session, photo, form.caption.data, form.taken_on.data)
        db.session.commit()
        flash("已保存照片说明。", "success")
    else:
        flash("未保存：" + "；".join(f"{form[name].label.text}：{messages[0]}" for name, messages in form.errors.items())
              + "。", "error")
    return _to_photos(project, photo.report)


@bp.post("/photos/<int:photo_id>/delete")
def delete_photo(project_id: int, photo_id: int):
    project = _project(project_id)
    photo = _child(ProgressPhoto, photo_id, project)
    report = photo.report
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if refusal := review.edit_refusal(current_user, report):
        flash(f"不能删除照片：{refusal}。", "error")
        return _to_photos(project, report)
    files = photos.files_of([photo])
    db.session.delete(photo)
    db.session.commit()
    photos.remove_unreferenced(db.session, files)
    flash("已删除照片。", "success")
    return _to_photos(project, report)


@bp.post("/documents")
def upload_document(project_id: int):
    """A document (批复文件, 施工许可证…) on one of the project's recorded milestones."""
    project = _project(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    milestone_id = web.int_arg("milestone_id")
    milestone = next((m for m in project.milestones if m.id == milestone_id), None)
    if milestone is None:
        flash("未上传：请选择该项目的一个节点。", "error")
        return _detail(project, "milestones")
    upload = request.files.get("document")
    try:
        document = photos.add_document(db.session, milestone, upload.filename if upload else "",
                                       upload.read() if upload else b"", request.form.get("title", ""),
                                       current_user.label, current_app.config["MAX_FILE_BYTES"])
    except FileRefused as error:
        db.session.rollback()
        flash(f"未上传：{error}。", "error")
        return _detail(project, "milestones")
    _commit_files([document])
    flash(f"已为“{milestone.kind.label}”上传“{document.title}”。", "success")
    return _detail(project, "milestones")


@bp.post("/documents/<int:document_id>/delete")
def delete_document(project_id: int, document_id: int):
    project = _project(project_id)
    document = _child(MilestoneDocument, document_id, project)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    files = photos.files_of([document])
    db.session.delete(document)
    db.session.commit()
    photos.remove_unreferenced(db.session, files)
    flash(f"已删除“{document.title}”。", "success")
    return _detail(project, "milestones")
