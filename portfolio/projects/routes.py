"""Views of the project registry: they validate a form, call a service, commit, redirect."""
import json
from datetime import UTC, datetime
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio import access, exports, rules, web
from portfolio.extensions import db
from portfolio.formatting import format_wan
from portfolio.forms import ConfirmForm
from portfolio.models import Project
from portfolio.progress.forms import AnnualPlanForm
from portfolio.projects import bp
from portfolio.projects.forms import ProjectFilterForm, ProjectForm
from portfolio.services import history
from portfolio.services import progress as progress_service
from portfolio.services import projects as project_service


def _get_project(project_id: int) -> Project:
    return db.get_or_404(Project, project_id)


def _project_form(project: Project | None = None) -> ProjectForm:
    return ProjectForm(
        obj=project,
        plans=project_service.plans(db.session),
        regions=project_service.regions(db.session),
        programmes=project_service.programmes(db.session),
        project_id=project.id if project else None,
    )


def _save(form: ProjectForm, project: Project | None) -> Project | None:
    """Write the form's values; on a lost race for the project name, put the error on the form."""
    try:
        if project is None:
            project = project_service.create_project(db.session, form.values())
        else:
            project_service.update_project(db.session, project, form.values())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors.append(f"该规划中已有名为“{form.name.data}”的项目")
        return None
    except StaleDataError:
        db.session.rollback()
        return None
    return project


def _filters():
    filter_form = ProjectFilterForm(
        request.args, plans=project_service.plans(db.session), regions=project_service.regions(db.session)
    )
    return filter_form, filter_form.to_filters(web.today(), web.thresholds())


@bp.get("/")
def index():
    filter_form, filters = _filters()
    totals = project_service.project_totals(db.session, filters)
    page = db.paginate(project_service.projects_query(filters), per_page=current_app.config["PROJECTS_PER_PAGE"],
                       error_out=False, count=False)
    page.total = totals.count  # the totals line already counted the same filtered rows
    facts = progress_service.facts_for(db.session, page.items)
    assessments = {pid: rules.assess(f, filters.as_of, filters.thresholds) for pid, f in facts.items()}
    review_states = {pid: latest.review_state for pid, f in facts.items()
                     if (latest := rules.latest_report(f, filters.as_of)) is not None}
    return render_template("projects/index.html", filter_form=filter_form, filters=filters, page=page,
                           totals=totals, assessments=assessments, review_states=review_states)


@bp.get("/<int:project_id>")
def detail(project_id: int):
    project = _get_project(project_id)
    as_of = web.today()
    facts = progress_service.facts_for(db.session, [project])[project.id]
    return render_template(
        "projects/detail.html", project=project, as_of=as_of,
        assessment=rules.assess(facts, as_of, web.thresholds()),
        history=progress_service.progress_history(db.session, project),
        annual_rows=progress_service.annual_plan_rows(db.session, project),
        timeline=progress_service.milestone_timeline(project, as_of),
        annual_form=AnnualPlanForm(formdata=None, year=as_of.year), confirm_form=ConfirmForm(),
        audit_entries=history.project_history(db.session, project.id),
    )


@bp.route("/new", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def create():
    form = _project_form()
    if form.validate_on_submit() and (project := _save(form, None)):
        flash(f"已新增项目“{project.name}”。", "success")
        return redirect(url_for(".detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), 422 if form.errors else 200


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def edit(project_id: int):
    project = _get_project(project_id)
    form = _project_form(project)
    conflicts = []
    if form.validate_on_submit():
        conflicts = web.conflicts_since_opened(form, "projects", project)
        if not conflicts and _save(form, project):
            flash(f"已保存项目“{project.name}”。", "success")
            return redirect(url_for(".detail", project_id=project.id))
        if not conflicts:
            conflicts = web.conflicts_since_opened(form, "projects", db.session.get(Project, project_id))
    return render_template("projects/form.html", form=form, project=project, conflicts=conflicts), (
        409 if conflicts else 422 if form.errors else 200)


@bp.route("/<int:project_id>/delete", methods=["GET", "POST"])
@web.require(access.can_edit_projects)
def delete(project_id: int):
    project = _get_project(project_id)
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        name = project.name
        project_service.delete_project(db.session, project)
        db.session.commit()
        flash(f"已删除项目“{name}”。", "success")
        return redirect(url_for(".index"))
    return render_template(
        "confirm_delete.html", form=ConfirmForm(), cancel_url=url_for(".detail", project_id=project.id),
        what=f"项目“{project.name}”({project.region.name},计划投资{format_wan(project.planned_investment)}万元)",
        consequence="其节点、年度计划和季度进展将一并删除,且无法恢复。",
    )


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@bp.get("/export.<any(xlsx, csv, json):fmt>")
def export(fmt: str):
    """The filtered list as Excel, CSV or an OC4IDS project package (json)."""
    _, filters = _filters()
    rows = exports.export_rows(db.session, filters, with_progress=fmt == "json")
    name = f"项目清单_{filters.as_of:%Y%m%d}"
    if fmt == "xlsx":
        data = exports.write_xlsx(rows, "项目清单")
    elif fmt == "csv":
        data = exports.write_csv(rows)
    else:
        config = current_app.config
        package = exports.oc4ids_package(rows, config["REPORT_ISSUER"], f"{config['OC4IDS_URI_PREFIX']}/{name}.json",
                                         datetime.now(UTC), config["OC4IDS_ID_PREFIX"], filters.as_of)
        data = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
        name = f"{name}_oc4ids"
    return send_file(BytesIO(data), mimetype=EXPORT_TYPES[fmt], as_attachment=True, download_name=f"{name}.{fmt}")
