"""Writing task progress and links. Operations flush; the view commits."""
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from portfolio.programmes.models import ProgrammeTask, TaskProgress
from portfolio.registry.models import Project


def record_progress(session: Session, task: ProgrammeTask, recorded_on: date, quantity: Decimal, note: str,
                    entered_by: str) -> bool:
    """The quantity done by `recorded_on`: a new entry, or a correction of that date's (then True)."""
    current = next((entry for entry in task.progress if entry.recorded_on == recorded_on), None)
    if current is None:
        session.add(TaskProgress(task=task, recorded_on=recorded_on, quantity=quantity, note=note.strip(),
                                 entered_by=entered_by))
    else:
        current.quantity, current.note, current.entered_by = quantity, note.strip(), entered_by
    session.flush()
    return current is not None


def link_project(session: Session, task: ProgrammeTask, project: Project) -> None:
    task.projects.append(project)
    session.flush()


def unlink_project(session: Session, task: ProgrammeTask, project: Project) -> None:
    if project in task.projects:
        task.projects.remove(project)
    session.flush()
