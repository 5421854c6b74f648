"""Writing projects. Operations flush; the view or command commits once. Values have passed
`portfolio.registry.validation` before they come here."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.registry.models import FundingSource, Project, ProjectFunding, ProjectStatus, StatusChange

PROJECT_FIELDS = (
    "plan_id", "programme_id", "region_id", "name", "site", "sector", "content",
    "planned_investment", "start_year", "end_year", "responsible_unit", "status",
    "project_code", "nature", "owner_unit", "responsible_leader", "contact_person", "contact_phone",
    "longitude", "latitude",
)
OPTIONAL_FIELDS = {"content": "", "responsible_unit": None, "programme_id": None, "project_code": None,
                   "nature": None, "owner_unit": None, "responsible_leader": None, "contact_person": None,
                   "contact_phone": None, "longitude": None, "latitude": None}
"""What a new project has for the fields a table or a call leaves out."""


def create_project(session: Session, values: dict) -> Project:
    values = OPTIONAL_FIELDS | values
    project = Project(**{key: values[key] for key in PROJECT_FIELDS})
    session.add(project)
    session.add(StatusChange(project=project, status=project.status, since=None, source="created"))
    if values.get("funding"):
        set_funding(project, values["funding"])
    session.flush()
    return project


def set_funding(project: Project, funding: dict[FundingSource, Decimal]) -> bool:
    """The project's 资金来源 become `funding` (a source with 0 or none is removed); whether anything changed."""
    wanted = {source: amount for source, amount in funding.items() if amount}
    rows = {row.source: row for row in project.funding}
    changed = False
    for source, row in rows.items():
        if source not in wanted:
            project.funding.remove(row)
            changed = True
        elif row.amount != wanted[source]:
            row.amount, changed = wanted[source], True
    for source in FundingSource:
        if source in wanted and source not in rows:
            project.funding.append(ProjectFunding(source=source, amount=wanted[source]))
            changed = True
    return changed


def update_project(session: Session, project: Project, values: dict, today: date | None = None) -> None:
    """Apply the values; a new status is recorded in the history from `values["status_date"]`
    (default `today`)."""
    new_status = values.get("status", project.status)
    for key in PROJECT_FIELDS:
        if key in values and key != "status":
            setattr(project, key, values[key])
    if new_status is not project.status:
        change_status(session, project, new_status, values.get("status_date") or today or date.today(), "manual")
    funding_changed = "funding" in values and set_funding(project, values["funding"])
    if session.is_modified(project) or funding_changed:
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


def archive_project(session: Session, project: Project, reason: str, today: date) -> None:
    """归档: the project leaves lists, totals, reports and the quarterly round; its records stay."""
    project.archived_on, project.archive_reason = today, reason
    project.version += 1
    session.flush()


def restore_project(session: Session, project: Project) -> None:
    project.archived_on = project.archive_reason = None
    project.version += 1
    session.flush()


def delete_project(session: Session, project: Project) -> None:
    """Only for a project with nothing recorded (`queries.recorded_items` is empty)."""
    session.delete(project)
    session.flush()
