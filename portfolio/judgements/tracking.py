"""Keeping the stored judgements current in the transaction that changes a project's facts.

Each flush notes the projects whose facts it changed (the project itself, its progress, milestones,
annual plans or status changes, added, changed or deleted through the session) and, once it has
written them, judges them again: every query after a flush — autoflush included — reads current
judgements. Writes that bypass the session's objects (bulk inserts) call `note`; what they noted
is judged at the next flush or before the commit.
"""
from collections.abc import Iterable
from itertools import chain

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portfolio.judgements.operations import store
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.registry.models import Project, StatusChange
from portfolio.rules import Thresholds

PENDING = "judgements_pending"
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


def _judge_noted(session: Session, *_args) -> None:
    thresholds = None
    while ids := session.info.pop(PENDING, None):
        thresholds = thresholds or configured_thresholds()
        store(session, ids, thresholds)


def bring_up_to_date(session: Session) -> None:
    """Flush, and judge whatever was noted without a flush (bulk writes); before a commit."""
    session.flush()
    _judge_noted(session)


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def register() -> None:
    """Listen on every session (once)."""
    for name, listener in (("after_flush", _note_flushed), ("after_flush_postexec", _judge_noted),
                           ("before_commit", bring_up_to_date), ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
