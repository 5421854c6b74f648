"""Views of the quarterly report: choose the scope, see its size, download the PDF, issue it,
and download what was issued."""
from datetime import date, datetime
from io import BytesIO

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portfolio.accounts import access
from portfolio.core import web
from portfolio.core.db import db, utc_now
from portfolio.core.forms import ConfirmForm
from portfolio.jobs import runner
from portfolio.jobs import views as jobs
from portfolio.registry import queries as registry
from portfolio.registry.models import Plan, Region, Sector
from portfolio.reports import issue
from portfolio.reports.data import (
    QuarterlyReport,
    ReportFilters,
    build_quarterly_report,
    count_report_projects,
    quarter_problem,
    report_title,
)
from portfolio.reports.docx import DOCX, render_quarterly_docx
from portfolio.reports.fonts import register_font
from portfolio.reports.forms import ReportForm
from portfolio.reports.models import IssuedReport
from portfolio.reports.pdf import render_quarterly_pdf
from portfolio.rules import quarter_of

bp = Blueprint("reports", __name__, url_prefix="/reports")
PDF = "application/pdf"


def _form() -> ReportForm:
    today = web.today()
    previous = (today.year, quarter_of(today) - 1) if quarter_of(today) > 1 else (today.year - 1, 4)
    return ReportForm(request.values or None, plans=registry.plans(db.session),
                      regions=registry.regions(db.session), year=previous[0], quarter=previous[1])


def _form_arguments(form: ReportForm) -> dict[str, list[str]]:
    """The report form's fields as sent (query string or form body), for the page's address."""
    return {name: request.values.getlist(name) for name in form._fields if name in request.values
            and name != "csrf_token"}


def _checked(form: ReportForm) -> ReportFilters | None:
    """The filters when the form is valid and the quarter has begun, else None (errors on the form)."""
    if not form.validate():
        return None
    if problem := quarter_problem(form.year.data, form.quarter.data, web.today()):
        form.quarter.errors.append(problem)
        return None
    return ReportFilters(
        plan=db.session.get(Plan, form.plan.data) if form.plan.data else None,
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        sector=form.sector.data,
        approved_only=form.approved_only.data,
    )


def _count(form: ReportForm, filters: ReportFilters) -> int:
    return count_report_projects(db.session, form.year.data, form.quarter.data, filters, web.today())


def _in_background(project_count: int) -> bool:
    """A report of more projects than PORTFOLIO_JOB_REPORT_PROJECTS is built in the background."""
    return project_count > current_app.config["JOB_REPORT_PROJECTS"]


def _filename(report: QuarterlyReport, suffix: str = ".pdf") -> str:
    return f"{report.year}年第{report.quarter}季度进展情况报告{suffix}"


def _build(form: ReportForm, filters: ReportFilters, problem_region: int | None = None,
           with_photos: bool = False) -> QuarterlyReport:
    return build_quarterly_report(db.session, form.year.data, form.quarter.data, filters,
                                  current_app.config["REPORT_ISSUER"], utc_now(), web.today(), web.thresholds(),
                                  problem_region=problem_region, with_photos=with_photos)


def _page(form: ReportForm, filters: ReportFilters | None, status: int | None = None):
    issued = issue.issued_for(db.session, form.year.data, form.quarter.data, filters) if filters else None
    changed = issue.differences(issued, _build(form, filters)) if issued else None
    project_count = _count(form, filters) if filters else None
    return render_template(
        "reports/index.html", form=form, filters=filters, project_count=project_count,
        title=report_title(form.year.data, form.quarter.data, filters, web.today()) if filters else None,
        issued=issued, changed=changed,
        all_issued=issue.all_issued(db.session), confirm=ConfirmForm(),
        in_background=project_count is not None and _in_background(project_count),
        jobs=runner.recent_jobs(db.session, current_user, ("quarterly_report",)),
    ), status or (422 if form.errors else 200)


@bp.get("/")
def index():
    form = _form()
    return _page(form, _checked(form) if request.args else None)


@bp.get("/quarterly.<any(pdf, docx):fmt>")
def quarterly_file(fmt: str):
    """The report as PDF, or as Word (.docx) for the office to edit before it is issued."""
    form = _form()
    filters = _checked(form)
    if filters is None:
        return _page(form, None, 422)
    if _in_background(_count(form, filters)):
        flash("这份报告项目较多，请点击“在后台生成PDF”，生成时可看到进度。", "info")
        return redirect(url_for(".index", **_form_arguments(form)), 303)
    # a county reads every project, but only its own county's problems (the 问题台账's rule)
    report = _build(form, filters, access.problem_region_scope(current_user), with_photos=bool(form.photos.data))
    font = register_font(current_app.config["PDF_FONT"])
    if fmt == "docx":
        return send_file(BytesIO(render_quarterly_docx(report, font)), mimetype=DOCX, as_attachment=True,
                         download_name=_filename(report, ".docx"))
    return send_file(BytesIO(render_quarterly_pdf(report, font)), mimetype=PDF, as_attachment=True,
                     download_name=_filename(report))


@bp.post("/quarterly-job")
def quarterly_job():
    """Ask for the PDF in the background (a job); its page shows a progress bar, then the download."""
    form = _form()
    filters = _checked(form)
    if filters is None or not ConfirmForm().validate_on_submit():
        return _page(form, filters, 422)
    parameters = {"year": form.year.data, "quarter": form.quarter.data, "plan": form.plan.data,
                  "region": form.region.data, "sector": form.sector.data.value if form.sector.data else None,
                  "approved_only": bool(form.approved_only.data), "photos": bool(form.photos.data),
                  "problem_region": access.problem_region_scope(current_user), "as_of": web.today().isoformat()}
    job = jobs.start("quarterly_report", report_title(form.year.data, form.quarter.data, filters, web.today()),
                     parameters)
    return redirect(url_for("jobs.show", job_id=job.id) if job else url_for(".index", **_form_arguments(form)))


def quarterly_report_job(parameters: dict, progress: runner.Progress) -> runner.JobResult:
    """The report as a job: the same data and drawing as the download, with its progress."""
    progress(0, 1, "读取数据、判断预警")
    filters = ReportFilters(
        plan=db.session.get(Plan, parameters["plan"]) if parameters["plan"] else None,
        region=db.session.get(Region, parameters["region"]) if parameters["region"] else None,
        sector=Sector(parameters["sector"]) if parameters["sector"] else None,
        approved_only=parameters["approved_only"])
    report = build_quarterly_report(
        db.session, parameters["year"], parameters["quarter"], filters, current_app.config["REPORT_ISSUER"],
        datetime.fromisoformat(parameters[runner.ASKED_AT]), date.fromisoformat(parameters["as_of"]), web.thresholds(),
        problem_region=parameters["problem_region"], with_photos=parameters["photos"])
    progress(0, 1, "排版")
    pdf = render_quarterly_pdf(report, register_font(current_app.config["PDF_FONT"]), on_progress=progress)
    return runner.JobResult(pdf, _filename(report), PDF)


runner.register_kind("quarterly_report", quarterly_report_job, ("季度报告", "reports.index"))


@bp.post("/issue")
@web.require(access.can_review)
def issue_quarterly():
    """印发：store this quarter's report, as it stands now, for ever."""
    form = _form()
    filters = _checked(form)
    if filters is None or not ConfirmForm().validate_on_submit():
        return _page(form, filters, 422)
    report = _build(form, filters, with_photos=bool(form.photos.data))
    if problem := issue.issue_problem(db.session, report, filters, web.today()):
        form.quarter.errors.append(problem)
        return _page(form, filters, 409)
    issued = issue.issue_report(db.session, report, render_quarterly_pdf(
        report, register_font(current_app.config["PDF_FONT"])), filters)
    db.session.commit()
    flash(f"已印发《{issued.title}》（{issued.issue_number}）。", "success")
    return redirect(url_for(".index", **{k: v for k, v in request.form.items() if k != "csrf_token"}))


@bp.get("/issued/<int:issued_id>.pdf")
def issued_pdf(issued_id: int):
    issued = db.get_or_404(IssuedReport, issued_id)
    return send_file(BytesIO(issued.pdf), mimetype=PDF, as_attachment=True,
                     download_name=f"{issued.issue_number}{issued.title}.pdf")
