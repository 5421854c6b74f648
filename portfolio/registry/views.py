"""Views of the project registry: they validate a form, call an operation, commit, redirect."""
from datetime import date
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from portfolio import rules
from portfolio.accounts import access
from portfolio.core import audit, web
from portfolio.core.db import db
from portfolio.core.formatting import format_date, format_wan
from portfolio.core.forms import ConfirmForm
from portfolio.exports.render import EXPORT_KINDS, render_export
from portfolio.jobs import runner
from portfolio.jobs import views as jobs
from portfolio.problems import queries as problem_queries
from portfolio.problems.models import PROBLEM_TABLES
from portfolio.progress import queries as progress_queries
from portfolio.progress.forms import AnnualPlanForm
from portfolio.registry import operations, queries
from portfolio.registry.forms import ArchiveForm, ProjectFilterForm, ProjectForm
from portfolio.registry.models import FundingSource, Project
from portfolio.registry.validation import funding_field, funding_warning, project_errors
from portfolio.judgements.queries import assessments_as_of
from portfolio.rules.figures import facts_for

bp = Blueprint("projects", __name__, url_prefix="/projects")
FUNDING_FIELDS = [funding_field(source) for source in FundingSource]
HISTORY_ON_PAGE = 10
"""The project page shows the latest ten changes and links to the rest."""


def _get_project(project_id: int) -> Project:
    return db.get_or_404(Project, project_id)


def _project_form(project: Project | None = None) -> ProjectForm:
    funding = {funding_field(source): amount for source, amount in project.funding_by_source.items()} if project else {}
    return ProjectForm(
        obj=project,
        plans=queries.plans(db.session),
        regions=queries.regions(db.session),
        programmes=queries.programmes(db.session),
        project_id=project.id if project else None,
        **funding,
    )


def _save(form: ProjectForm, project: Project | None) -> Project | None:
    """Write the form's values; on a lost race for the project name, put the error on the form."""
    try:
        if project is None:
            project = operations.create_project(db.session, form.values())
        else:
            operations.update_project(db.session, project, form.values())
        db.session.commit()
    except IntegrityError:  # another save took the name or the code between the check and the write
        db.session.rollback()
        errors = project_errors(db.session, form.values(), project.id if project else None)
        for name, message in (errors or {"name": "保存时与他人同时提交的项目冲突，请核对后重试"}).items():
            form[name].errors.append(message)
        return None
    except StaleDataError:
        db.session.rollback()
        return None
    if warning := funding_warning(project.planned_investment, project.funding_by_source):
        flash(f"已保存，但{warning}。", "warning")
    return project


def _filters():
    filter_form = ProjectFilterForm(
        request.args, plans=queries.plans(db.session), regions=queries.regions(db.session)
    )
    return filter_form, filter_form.to_filters(web.today(), web.thresholds())


@bp.get("/")
def index():
    filter_form, filters = _filters()
    totals = queries.project_totals(db.session, filters)
    page = db.paginate(queries.projects_query(filters), page=web.page_arg(), per_page=current_app.config["PROJECTS_PER_PAGE"],
                       error_out=False, count=False)
    page.total = totals.count  # the totals line already counted the same filtered rows
    assessments = assessments_as_of(db.session, page.items, filters.as_of, filters.thresholds)
    period = rules.reporting_period(filters.as_of, filters.thresholds.report_due_days)
    review_states = {pid: latest.review_state for pid, f in facts_for(db.session, page.items).items()
                     if (latest := rules.latest_report(f, period)) is not None}
    return render_template("registry/index.html", filter_form=filter_form, filters=filters, page=page,
                           totals=totals, assessments=assessments, review_states=review_states,
                           photos=progress_queries.newest_photos(db.session, [p.id for p in page.items]),
                           reporting=rules.period_quarter(period),
                           export_in_background=_in_background(totals.count + totals.cancelled_count),
                           confirm=ConfirmForm(),
                           jobs=runner.recent_jobs(db.session, current_user, ("projects_export",)))


def _hidden_history(project: Project) -> tuple[str, ...]:
    """A county reads another county's project, but not its problems — nor their trail."""
    return () if access.can_see_region_problems(current_user, project.region_id) else PROBLEM_TABLES


@bp.get("/<int:project_id>")
def detail(project_id: int):
    project = _get_project(project_id)
    as_of = web.as_of_arg()
    thresholds = web.thresholds()
    history = db.session.scalars(audit.project_history_query(project.id, _hidden_history(project))
                                 .limit(HISTORY_ON_PAGE + 1)).all()
    return render_template(
        "registry/detail.html", project=project, as_of=as_of,
        assessment=assessments_as_of(db.session, [project], as_of, thresholds)[project.id],
        history=progress_queries.progress_history(db.session, project),
        annual_rows=progress_queries.annual_plan_rows(db.session, project),
        timeline=progress_queries.milestone_timeline(project, as_of),
        annual_form=AnnualPlanForm(formdata=None, year=as_of.year, seen=progress_queries.annual_plans_seen(project)),
        confirm_form=ConfirmForm(),
        audit_entries=history[:HISTORY_ON_PAGE], more_history=len(history) > HISTORY_ON_PAGE,
        reporting=rules.reporting_quarter(as_of, thresholds.report_due_days),
        problems=(problem_queries.project_problems(db.session, project)
                  if access.can_see_region_problems(current_user, project.region_id) else None),
        funding=queries.funding_summary(project),
        photo_reports=progress_queries.project_photos(db.session, project),
        recorded=queries.recorded_items(db.session, project) if access.can_delete_projects(current_user) else [],
    )


@bp.get("/<int:project_id>/history")
def history(project_id: int):
    """The project's whole 修改记录，newest first, a page at a time."""
    project = _get_project(project_id)
    page = db.paginate(audit.project_history_query(project.id, _hidden_history(project)), page=web.page_arg(),
                       per_page=current_app.config["PROJECTS_PER_PAGE"],
                       error_out=False)
    return render_template("registry/history.html", project=project, page=page)


@bp.route("/new", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def create():
    form = _project_form()
    if form.validate_on_submit() and (project := _save(form, None)):
        flash(f"已新增项目“{project.name}”。", "success")
        return redirect(url_for(".detail", project_id=project.id))
    return render_template("registry/form.html", form=form, project=None, funding_fields=FUNDING_FIELDS), (
        422 if form.errors else 200)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def edit(project_id: int):
    project = _get_project(project_id)
    form = _project_form(project)
    if not access.can_edit_project(current_user, project):
        flash(f"该项目已于{format_date(project.archived_on)}归档，恢复后才能修改。", "error")
        if request.method == "GET":
            return redirect(url_for(".detail", project_id=project.id))
        return render_template("registry/form.html", form=form, project=project, funding_fields=FUNDING_FIELDS), 409
    conflicts = []
    if form.validate_on_submit():
        conflicts = web.conflicts_since_opened(form, "projects", project)
        if not conflicts and _save(form, project):
            flash(f"已保存项目“{project.name}”。", "success")
            return redirect(url_for(".detail", project_id=project.id))
        if not conflicts:
            conflicts = web.conflicts_since_opened(form, "projects", db.session.get(Project, project_id))
    return render_template("registry/form.html", form=form, project=project, conflicts=conflicts,
                           funding_fields=FUNDING_FIELDS), (
        409 if conflicts else 422 if form.errors else 200)


@bp.route("/<int:project_id>/archive", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def archive(project_id: int):
    """归档 with a reason, after a confirmation page that says what it does."""
    project = _get_project(project_id)
    form = ArchiveForm(version=project.version)
    if not access.can_archive_project(current_user, project):
        flash(f"该项目已于{format_date(project.archived_on)}归档，无需再次归档。", "error")
        return redirect(url_for(".detail", project_id=project.id))
    if form.validate_on_submit():
        if conflicts := web.conflicts_since_opened(form, "projects", project):
            return render_template("registry/archive.html", form=form, project=project, conflicts=conflicts,
                                   recorded=queries.recorded_items(db.session, project)), 409
        operations.archive_project(db.session, project, form.reason.data, web.today())
        db.session.commit()
        flash(f"已归档项目“{project.name}”：它不再出现在项目清单、汇总、报告和报送中，记录全部保留，可随时恢复。", "success")
        return redirect(url_for(".detail", project_id=project.id))
    return render_template("registry/archive.html", form=form, project=project, conflicts=[],
                           recorded=queries.recorded_items(db.session, project)), 422 if form.errors else 200


@bp.post("/<int:project_id>/restore")
@web.require(access.can_edit_projects)
def restore(project_id: int):
    project = _get_project(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if access.can_restore_project(current_user, project):
        operations.restore_project(db.session, project)
        db.session.commit()
        flash(f"已恢复项目“{project.name}”。", "success")
    else:
        flash("该项目未归档，无需恢复。", "error")
    return redirect(url_for(".detail", project_id=project.id))


@bp.route("/<int:project_id>/delete", methods=["GET", "POST"])
@web.require(access.can_delete_projects)
def delete(project_id: int):
    """A hard delete, only for a project with nothing recorded; anything else is archived."""
    project = _get_project(project_id)
    if recorded := queries.recorded_items(db.session, project):
        flash(f"项目“{project.name}”已有{'、'.join(recorded)}，不能删除，只能归档。", "error")
        return redirect(url_for(".detail", project_id=project.id))
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        name = project.name
        operations.delete_project(db.session, project)
        db.session.commit()
        flash(f"已删除项目“{name}”。", "success")
        return redirect(url_for(".index"))
    return render_template(
        "core/confirm_delete.html", form=ConfirmForm(), cancel_url=url_for(".detail", project_id=project.id),
        what=f"项目“{project.name}”（{project.region.name}，计划投资{format_wan(project.planned_investment)}万元）",
        consequence="该项目没有任何进展、节点、年度计划或问题记录；删除后无法恢复，修改记录中保留删除操作。",
    )


EXPORT_FORMATS = {"xlsx": ("xlsx", "Excel"), "csv": ("csv", "CSV"), "json": ("oc4ids", "OC4IDS")}
"""The export link's suffix → the export's kind and its name on the page."""


def _in_background(row_count: int) -> bool:
    """An export of more rows than PORTFOLIO_JOB_EXPORT_ROWS is made in the background."""
    return row_count > current_app.config["JOB_EXPORT_ROWS"]


@bp.get("/export.<any(xlsx, csv, json):fmt>")
def export(fmt: str):
    """The filtered list as Excel, CSV or an OC4IDS project package (json)."""
    _, filters = _filters()
    if _in_background(queries.count_projects(db.session, filters)):
        flash("这份清单行数较多，请点击“在后台导出”，导出时可看到进度。", "info")
        return redirect(url_for(".index", **request.args.to_dict(flat=False)), 303)
    kind = EXPORT_FORMATS[fmt][0]
    exported = render_export(db.session, kind, filters, current_app.config)
    return send_file(BytesIO(exported.data), mimetype=EXPORT_KINDS[kind], as_attachment=True,
                     download_name=exported.filename)


@bp.post("/export-job.<any(xlsx, csv, json):fmt>")
def export_job(fmt: str):
    """Ask for a large export in the background (a job): its page shows a progress bar, then the download."""
    filter_form, filters = _filters()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kind, label = EXPORT_FORMATS[fmt]
    scope = "；".join(queries.describe_filters(db.session, filters)) or "全部项目"
    job = jobs.start("projects_export", f"导出项目清单（{label}，截至{format_date(filters.as_of)}；{scope}）",
                     {"kind": kind, "args": request.args.to_dict(flat=False), "as_of": filters.as_of.isoformat()})
    return redirect(url_for("jobs.show", job_id=job.id) if job else url_for(".index", **request.args.to_dict(flat=False)))


def projects_export_job(parameters: dict, progress: runner.Progress) -> runner.JobResult:
    """The export as a job: the list's filters read again from its query string, judged as of the
    date the job was asked for, with the export's progress."""
    filter_form = ProjectFilterForm(MultiDict(parameters["args"]), plans=queries.plans(db.session),
                                    regions=queries.regions(db.session))
    filters = filter_form.to_filters(date.fromisoformat(parameters["as_of"]), web.thresholds())
    if filter_form.plan.errors or filter_form.region.errors:  # deleted since: never export more than was asked
        raise runner.JobRefused("筛选条件中的规划或县(市、区)已不存在，没有导出；请回到项目库重新筛选后再导出")
    exported = render_export(db.session, parameters["kind"], filters, current_app.config, progress)
    return runner.JobResult(exported.data, exported.filename, EXPORT_KINDS[parameters["kind"]],
                            f"已导出{exported.count}个项目")


runner.register_kind("projects_export", projects_export_job, ("项目库", "projects.index"))
