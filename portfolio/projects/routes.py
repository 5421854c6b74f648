"""Views of the project registry: they validate a form, call a service, commit, redirect."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from portfolio.extensions import db
from portfolio.forms import ConfirmForm
from portfolio.models import Project
from portfolio.projects import bp
from portfolio.projects.forms import ProjectFilterForm, ProjectForm
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
    return project


@bp.get("/")
def index():
    filter_form = ProjectFilterForm(
        request.args, plans=project_service.plans(db.session), regions=project_service.regions(db.session)
    )
    filters = filter_form.to_filters()
    page = db.paginate(
        project_service.projects_query(filters), per_page=current_app.config["PROJECTS_PER_PAGE"], error_out=False
    )
    totals = project_service.project_totals(db.session, filters)
    return render_template("projects/index.html", filter_form=filter_form, filters=filters, page=page, totals=totals)


@bp.get("/<int:project_id>")
def detail(project_id: int):
    return render_template("projects/detail.html", project=_get_project(project_id))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _project_form()
    if form.validate_on_submit() and (project := _save(form, None)):
        flash(f"已新增项目“{project.name}”。", "success")
        return redirect(url_for(".detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), 422 if form.errors else 200


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = _get_project(project_id)
    form = _project_form(project)
    if form.validate_on_submit() and _save(form, project):
        flash(f"已保存项目“{project.name}”。", "success")
        return redirect(url_for(".detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project), 422 if form.errors else 200


@bp.route("/<int:project_id>/delete", methods=["GET", "POST"])
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
    return render_template("projects/confirm_delete.html", project=project, form=ConfirmForm())
