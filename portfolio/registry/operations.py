"""Writing projects. Operations flush; the view or command commits once. Values have passed
`portfolio.registry.validation` before they come here."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.registry.models import Project, ProjectStatus, StatusChange

PROJECT_FIELDS = (
    "plan_id", "programme_id", "region_id", "name", "site", "sector", "content",
    "planned_investment", "start_year", "end_year", "responsible_unit", "status",
)


def create_project(session: Session, values: dict) -> Project:
    project = Project(**{key: values[key] for key in PROJECT_FIELDS})
    session.add(project)
    session.add(StatusChange(project=project, status=project.status, since=None, source="created"))
    session.flush()
    return project


def update_project(session: Session, project: Project, values: dict, today: date | None = None) -> None:
    """Apply the values; a new status is recorded in the history from `values["status_date"]`
    (default `today`)."""
    new_status = values.get("status", project.status)
    for key in PROJECT_FIELDS:
        if key in values and key != "status":
            setattr(project, key, values[key])
    if new_status is not project.status:
        change_status(session, project, new_status, values.get("status_date") or today or date.today(), "manual")
    if session.is_modified(project):
        project.version += 1
    session.flush()


def change_status(session: Session, project: Project, status: ProjectStatus, since: date, source: str) -> None:
    """The project has `status` from `since` on (never before its newest change, so the newest
    change stays the current status)."""
    if project.status_since is not None and since < project.status_since:
        since = project.status_since
    if project.id is not None and session.scalar(
            select(StatusChange.id).where(StatusChange.project_id == project.id).limit(1)) is None:
        # the status it had until now, from the beginning (projects loaded before the history existed)
        session.add(StatusChange(project=project, status=project.status, since=None, source="initial"))
    session.add(StatusChange(project=project, status=status, since=since, source=source))
    project.status, project.status_since = status, since


def delete_project(session: Session, project: Project) -> None:
    session.delete(project)
    session.flush()
