"""Views of 问题台账 and 督办单: they validate a form, call an operation, commit, redirect. A county
sees its own region's problems and notices only; a refused POST shows the form again with what
was typed and why."""
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts import access
from portfolio.core import once, web
from portfolio.core.db import db
from portfolio.core.formatting import QUARTER_NAMES, format_date
from portfolio.core.forms import ConfirmForm
from portfolio.core.spreadsheets import keep_as_text, lay_out_written_sheet
from portfolio.messages.models import MailState
from portfolio.messages.operations import deliver
from portfolio.problems import operations, queries, validation
from portfolio.problems.forms import LedgerFilterForm, NoticeForm, NoticeReplyForm, ProblemForm, ProblemUpdateForm
from portfolio.problems.models import Problem, SupervisionNotice
from portfolio.progress.models import ProgressReport
from portfolio.registry import queries as registry_queries
from portfolio.registry.models import Project, ProjectStatus

bp = Blueprint("problems", __name__, url_prefix="/problems")
LEDGER_COLUMNS = ["序号", "项目名称", "县(市、区)", "问题类型", "问题描述", "责任单位", "提出日期", "办结时限", "状态",
                  "办结日期", "说明"]


def _regions():
    """The regions a user may choose in filters and notices: a county none (it sees its own only)."""
    return None if access.problem_region_scope(current_user) is not None else registry_queries.regions(db.session)


def _problem(problem_id: int) -> Problem:
    problem = db.get_or_404(Problem, problem_id)
    if not access.can_see_region_problems(current_user, problem.project.region_id):
        web.refuse()
    return problem


def _notice(notice_id: int) -> SupervisionNotice:
    notice = db.get_or_404(SupervisionNotice, notice_id)
    if not access.can_see_region_problems(current_user, notice.region_id):
        web.refuse()
    return notice


def _ledger_filters():
    form = LedgerFilterForm(request.args, regions=_regions())
    return form, form.to_filters(web.today(), access.problem_region_scope(current_user))


# --- the ledger ---------------------------------------------------------------------------------------------------


@bp.get("/")
def index():
    form, filters = _ledger_filters()
    page = db.paginate(queries.ledger_query(filters), page=web.page_arg(),
                       per_page=current_app.config["PROJECTS_PER_PAGE"], error_out=False)
    year, quarter = form.quarter_asked(filters.today)
    figures = queries.problem_figures(db.session, *queries.round_window(year, quarter, filters.today),
                                      filters.region_id)
    project = db.session.get(Project, filters.project_id) if filters.project_id else None
    return render_template("problems/index.html", form=form, filters=filters, page=page, figures=figures,
                           period=f"{year}年{QUARTER_NAMES[quarter]}", project=project, is_overdue=queries.is_overdue)


@bp.get("/export.xlsx")
def export():
    """The filtered ledger as an Excel workbook."""
    _, filters = _ledger_filters()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "问题台账"
    sheet.append([f"问题台账（{format_date(filters.today)}导出）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(LEDGER_COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, problem in enumerate(db.session.scalars(queries.ledger_query(filters)), start=1):
        sheet.append([number, problem.project.name, problem.project.region.name, problem.kind.label,
                      problem.description, problem.responsible_units, format_date(problem.raised_on),
                      format_date(problem.deadline) if problem.deadline else "", problem.state.label,
                      format_date(problem.closed_on) if problem.closed_on else "", problem.closing_note or ""])
        for cell in sheet[sheet.max_row]:
            keep_as_text(cell)
    lay_out_written_sheet(sheet, header_row=2, freeze="C3")
    buffer = BytesIO()
    workbook.save(buffer)
    return send_file(BytesIO(buffer.getvalue()), as_attachment=True, download_name=f"问题台账-{filters.today}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new problem of the project `?project=`, perhaps from a quarter's 存在问题 (`&report=`)."""
    project_id = web.int_arg("project")
    project = db.get_or_404(Project, project_id) if project_id else abort(404)
    if not access.can_raise_problem(current_user, project):
        web.refuse()
    if project.status is ProjectStatus.CANCELLED and request.method == "GET":
        flash(f"“{project.name}”已取消，不能登记问题。", "error")
        return redirect(url_for("projects.detail", project_id=project.id))
    report_id = web.int_arg("report")
    report = db.get_or_404(ProgressReport, report_id) if report_id else None
    if report is not None and report.project_id != project.id:
        abort(404)
    form = ProblemForm(project=project, today=web.today(),
                       data={"description": report.problems} if report is not None and report.problems else None)
    if form.validate_on_submit():
        problem = operations.raise_problem(db.session, project, form.values(), current_user.label, web.today(), report)
        db.session.commit()
        flash("已登记问题。", "success")
        return redirect(url_for(".detail", problem_id=problem.id))
    status = 409 if form.form_errors else 422 if form.errors else 200
    return render_template("problems/form.html", form=form, project=project, report=report), status


@bp.get("/<int:problem_id>")
def detail(problem_id: int):
    problem = _problem(problem_id)
    return _detail_page(problem, ProblemUpdateForm(formdata=None, problem=problem))


def _detail_page(problem: Problem, form: ProblemUpdateForm, status: int = 200):
    notices = [n for n in problem.notices if access.can_see_region_problems(current_user, n.region_id)]
    return render_template("problems/detail.html", problem=problem, form=form, notices=notices,
                           today=web.today(), overdue=queries.is_overdue(problem, web.today())), status


@bp.post("/<int:problem_id>/update")
def update(problem_id: int):
    """A coordination step: a dated reply, perhaps with a new state (the city's); a county replies on
    its own problems without moving the state."""
    problem = _problem(problem_id)
    if not access.can_reply_problem(current_user, problem):
        web.refuse()
    form = ProblemUpdateForm(problem=problem)
    if not access.can_manage_problems(current_user):
        form.state.data, form.closing_note.data = problem.state, None
    if form.version.data != str(problem.version) and form.is_submitted():
        form.version.data = str(problem.version)
        flash("在您填写期间，其他人更新了这个问题；请核对上方的内容，您填写的内容仍保留在下面，再次提交即可保存。", "error")
        return _detail_page(problem, form, 409)
    if not form.validate_on_submit():
        return _detail_page(problem, form, 409 if validation.closed_refusal(problem) else 422)
    values = form.values()
    try:
        operations.add_reply(db.session, problem, values["body"], current_user.label, web.today())
        operations.change_state(db.session, problem, values["state"], values["closing_note"], web.today())
        db.session.commit()
    except StaleDataError:  # saved by someone else between the check above and this write
        db.session.rollback()
        problem = _problem(problem_id)
        form.version.data = str(problem.version)
        flash("在您填写期间，其他人更新了这个问题；请核对上方的内容，您填写的内容仍保留在下面，再次提交即可保存。", "error")
        return _detail_page(problem, form, 409)
    flash(f"已记录协调进展（{problem.state.label}）。", "success")
    return redirect(url_for(".detail", problem_id=problem.id))


# --- 督办单 --------------------------------------------------------------------------------------------------------


@bp.get("/notices/")
def notices():
    page = db.paginate(queries.notices_query(access.problem_region_scope(current_user)), page=web.page_arg(),
                       per_page=current_app.config["PROJECTS_PER_PAGE"], error_out=False)
    return render_template("problems/notices.html", page=page, today=web.today())


def _notice_form(formdata=None) -> NoticeForm:
    preselected = [int(v) for v in request.args.getlist("problem") if v.isdigit() and len(v) < 10]
    return NoticeForm(formdata, problems=queries.open_problems(db.session, None),
                      regions=registry_queries.regions(db.session), today=web.today(),
                      data={"problem_ids": preselected} if formdata is None else None)


@bp.route("/notices/new", methods=["GET", "POST"])
@web.require(access.can_manage_problems)
def new_notice():
    form = _notice_form(request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        token = request.form.get("once")
        for attempt in (1, 2):  # a number taken by a notice issued at the same moment: number it again
            try:
                once.claim(db.session, token)
                notice = operations.issue_notice(db.session, form.values(), current_user.label, web.today(),
                                                 current_app.config)
                db.session.commit()
                break
            except IntegrityError:
                db.session.rollback()
                if once.used(db.session, token):
                    flash(once.ALREADY_DONE, "error")
                    return redirect(url_for(".notices"))
        else:
            form.form_errors.append("其他人同时印发了督办单，编号冲突；您填写的内容仍保留在下面，请再次提交。")
            return render_template("problems/notice_form.html", form=form), 409
        deliveries = queries.notice_deliveries(notice)
        deliver(db.session, deliveries, current_app.config)  # after the commit: see messages.operations
        db.session.commit()
        failed = [d for d in deliveries if d.state is MailState.FAILED]
        flash(f"已印发{notice.issue_number}。" + (f"邮件发送失败{len(failed)}封（{failed[0].error}）；站内消息已送达。"
                                               if failed else ""), "warning" if failed else "success")
        return redirect(url_for(".notice", notice_id=notice.id))
    return render_template("problems/notice_form.html", form=form), 422 if form.errors else 200


@bp.get("/notices/<int:notice_id>")
def notice(notice_id: int):
    notice = _notice(notice_id)
    return _notice_page(notice, NoticeReplyForm(formdata=None, notice=notice, obj=notice))


def _notice_page(notice: SupervisionNotice, form: NoticeReplyForm, status: int = 200):
    return render_template("problems/notice.html", notice=notice, form=form, confirm_form=ConfirmForm(),
                           today=web.today()), status


@bp.post("/notices/<int:notice_id>/reply")
def reply_notice(notice_id: int):
    notice = _notice(notice_id)
    if not access.can_reply_notice(current_user, notice):
        web.refuse()
    form = NoticeReplyForm(notice=notice)
    if not form.validate_on_submit():
        return _notice_page(notice, form, 409 if validation.close_refusal(notice) else 422)
    try:
        operations.reply_to_notice(db.session, notice, form.reply.data, current_user.label, web.today())
        db.session.commit()
    except StaleDataError:  # another reply or 办结 at the same moment
        db.session.rollback()
        notice = _notice(notice_id)
        flash("在您填写期间，该督办单已被他人回复或办结；请核对上方的内容，您填写的内容仍保留在下面。", "error")
        return _notice_page(notice, form, 409)
    flash(f"已回复{notice.issue_number}。", "success")
    return redirect(url_for(".notice", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/close")
@web.require(access.can_manage_problems)
def close_notice(notice_id: int):
    notice = _notice(notice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if refusal := validation.close_refusal(notice):
        flash(f"{refusal}。", "error")
        return _notice_page(notice, NoticeReplyForm(formdata=None, notice=notice, obj=notice), 409)
    operations.close_notice(db.session, notice)
    db.session.commit()
    flash(f"{notice.issue_number}已办结。", "success")
    return redirect(url_for(".notice", notice_id=notice.id))
