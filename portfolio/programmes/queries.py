"""Reading 专栏 tasks with their state."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portfolio.programmes.models import ProgrammeTask
from portfolio.programmes.rules import TaskState, task_state
from portfolio.registry.models import Plan, Programme, Project


@dataclass(frozen=True)
class TaskRow:
    task: ProgrammeTask
    state: TaskState


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: Programme
    tasks: int
    completed: int
    started: int


def state_of(task: ProgrammeTask) -> TaskState:
    return task_state(task.target_quantity, task.unit, task.progress[-1].quantity if task.progress else None)


def programme_summaries(session: Session) -> list[ProgrammeSummary]:
    """Every programme of every plan, with how many of its tasks are done and begun."""
    tasks: dict[int, list[ProgrammeTask]] = {}
    for task in session.scalars(select(ProgrammeTask).options(selectinload(ProgrammeTask.progress))):
        tasks.setdefault(task.programme_id, []).append(task)
    summaries = []
    for programme in session.scalars(select(Programme).join(Programme.plan).options(selectinload(Programme.plan))
                                     .order_by(Plan.start_year, Plan.id, Programme.number)):
        states = [state_of(task) for task in tasks.get(programme.id, [])]
        summaries.append(ProgrammeSummary(programme, len(states),
                                          sum(1 for s in states if s.share is not None and s.share >= 1),
                                          sum(1 for s in states if s.done is not None)))
    return summaries


def programme_tasks(session: Session, programme: Programme) -> list[TaskRow]:
    query = (select(ProgrammeTask).where(ProgrammeTask.programme_id == programme.id)
             .options(selectinload(ProgrammeTask.progress), selectinload(ProgrammeTask.projects))
             .order_by(ProgrammeTask.number))
    return [TaskRow(task, state_of(task)) for task in session.scalars(query)]


def linkable_projects(session: Session, programme: Programme) -> list[Project]:
    """Projects of the programme's plan (the ones a task may be delivered by), archived ones left out."""
    return list(session.scalars(select(Project).where(Project.plan_id == programme.plan_id,
                                                      Project.archived_on.is_(None)).order_by(Project.id)))
