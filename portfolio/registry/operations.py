"""Writing projects. Operations flush; the view or command commits once. Values have passed
`portfolio.registry.validation` before they come here."""
from sqlalchemy.orm import Session

from portfolio.registry.models import Project

PROJECT_FIELDS = (
    "plan_id", "programme_id", "region_id", "name", "site", "sector", "content",
    "planned_investment", "start_year", "end_year", "responsible_unit", "status",
)


def create_project(session: Session, values: dict) -> Project:
    project = Project(**{key: values[key] for key in PROJECT_FIELDS})
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, project: Project, values: dict) -> None:
    for key in PROJECT_FIELDS:
        if key in values:
            setattr(project, key, values[key])
    if session.is_modified(project):
        project.version += 1
    session.flush()


def delete_project(session: Session, project: Project) -> None:
    session.delete(project)
    session.flush()
