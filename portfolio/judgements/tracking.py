"""Keeping the stored judgements current in the transaction that changes a project's facts.

Each flush notes the projects whose facts it changed (the project itself, its progress, milestones,
annual plans or status changes, added, changed or deleted through the session); writes that bypass
the session's objects (bulk inserts) call `note`. What is noted is judged again, in the same
transaction, before anything reads stored judgements (a statement that names the table) and before
the commit — so an import of 10,000 projects judges them in a few batches, not one by one.
"""
from collections.abc import Iterable
from itertools import chain

from flask import has_app_context
from sqlalchemy import CompoundSelect, Join, Select, Table, event
from sqlalchemy.orm import ORMExecuteState, Session

from portfolio.judgements.operations import store
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.registry.models import Project, StatusChange
from portfolio.rules import Thresholds

PENDING = "judgements_pending"
JUDGEMENTS = "judgements"
FACTS = (ProgressReport, Milestone, AnnualPlan, StatusChange)


def configured_thresholds() -> Thresholds:
    """The thresholds of the running app's settings (README: PORTFOLIO_LAG_YELLOW_PP, …), the
    defaults outside an app."""
    if not has_app_context():
        return Thresholds()
    from portfolio.core.web import thresholds

    return thresholds()


def note(session: Session, project_ids: Iterable[int]) -> None:
    """These projects' facts changed: judge them again before the transaction ends."""
    session.info.setdefault(PENDING, set()).update(project_ids)


def _note_flushed(session: Session, _flush_context) -> None:
    changed = set()
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Project):
            changed.add(instance.id)
        elif isinstance(instance, FACTS):
            changed.add(instance.project_id)
    if changed:
        note(session, changed)


def _judge_noted(session: Session) -> None:
    thresholds = None
    while ids := session.info.pop(PENDING, None):
        thresholds = thresholds or configured_thresholds()
        store(session, ids, thresholds)


def _names_judgements(clause) -> bool:
    """Whether a FROM clause is, or joins, or selects from the judgements table (its FROMs only: a
    walk of the whole statement on every query of a long import cost more than the import)."""
    if isinstance(clause, Table):
        return clause.name == JUDGEMENTS
    if isinstance(clause, Join):
        return _names_judgements(clause.left) or _names_judgements(clause.right)
    inner = getattr(clause, "element", None)
    return isinstance(inner, Select | CompoundSelect) and _reads_judgements(inner)


def _reads_judgements(statement) -> bool:
    if isinstance(statement, CompoundSelect):
        return any(_reads_judgements(select) for select in statement.selects)
    if isinstance(statement, Select):
        return any(_names_judgements(clause) for clause in statement.get_final_froms())
    table = getattr(statement, "table", None)  # INSERT, UPDATE, DELETE
    return table is not None and _names_judgements(table)


def _before_reading(state: ORMExecuteState) -> None:
    if state.session.info.get(PENDING) and _reads_judgements(state.statement):
        _judge_noted(state.session)


def bring_up_to_date(session: Session) -> None:
    """Flush, and judge whatever was noted without a flush (bulk writes); before a commit."""
    session.flush()
    _judge_noted(session)


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def register() -> None:
    """Listen on every session (once)."""
    for name, listener in (("after_flush", _note_flushed), ("do_orm_execute", _before_reading),
                           ("before_commit", bring_up_to_date), ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
