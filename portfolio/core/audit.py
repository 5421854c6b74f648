"""The audit trail: every create, update and delete of an audited record, written by the
session in the same transaction as the change (after each flush, on the same connection),
and read back for a project's 修改记录，the administrators' page and the optimistic-locking
message ("what someone else changed since you opened the form").

A model joins the trail by inheriting `Audited` and naming its table and fields in Chinese.
"""
import getpass
import json
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import ClassVar

from flask import g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import CheckConstraint, ForeignKey, Index, Select, String, Text, event, inspect, or_, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Mapped, Session, mapped_column

from portfolio.core.db import db, timestamp_type, utc_now


class Audited:
    """Mixin for models whose every change is recorded."""

    audit_table_label: ClassVar[str]
    audit_field_labels: ClassVar[dict[str, str]]
    audit_not_recorded: ClassVar[frozenset[str]] = frozenset({"created_dt", "modified_dt"})
    """Timestamps, figures derived from other records, bookkeeping."""
    audit_secret: ClassVar[frozenset[str]] = frozenset()
    """Recorded as *** only."""
    audit_references: ClassVar[dict[str, tuple[str, str]]] = {}
    """Foreign keys recorded by the name they point to: field → (table, name column)."""

    tables: ClassVar[dict[str, type["Audited"]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__tablename__" in cls.__dict__:
            Audited.tables[cls.__tablename__] = cls

    @property
    def audit_project_id(self) -> int | None:
        """The project the record belongs to, for the project page's 修改记录."""
        return getattr(self, "project_id", None)


class AuditEntry(db.Model):
    """One create, update or delete: who, when, which record, each field's old and new value.

    Written in the same transaction as the change; the app offers no way to edit or delete it.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index(None, "table_name", "record_id"),
        Index(None, "project_id"),
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(50))
    """Kept as text too, so the trail still names who it was if the account goes."""
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int]
    project_id: Mapped[int | None]
    """The project the record belongs to, for the project page's 修改记录 (no foreign key: it outlives deletes)."""
    changes: Mapped[str] = mapped_column(Text)
    """JSON: {field: [old, new]}."""


# --- writing ------------------------------------------------------------------------------

def _plain(value):
    """A stored value in words: enum labels, 是/否，amounts with two decimals (finer values, such as
    coordinates, with all of theirs)."""
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent >= -2 else f"{value:f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _named(connection, instance: "Audited", key: str, value):
    """A foreign key as the name of the row it points to (the id if that row is gone)."""
    if value is None or key not in instance.audit_references:
        return _plain(value)
    table, column = instance.audit_references[key]
    name = connection.execute(select(sql_column(column)).select_from(sql_table(table))
                              .where(sql_column("id") == value)).scalar()
    return name if name is not None else f"#{value}"


def act_as(user_id: int, username: str) -> None:
    """Outside a request (a background job): record this app context's changes in the account's name."""
    g.audit_user = (user_id, username)


def _who() -> tuple[int | None, str]:
    if has_app_context() and "audit_user" in g:
        return g.audit_user
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, f"命令行：{getpass.getuser()}"


def _changes(connection, instance: Audited, action: str) -> dict:
    """{field: [old, new]} as stored: on create the values written, on delete the values removed."""
    state = inspect(instance)
    changes = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key in instance.audit_not_recorded or key == "id":
            continue
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        else:
            value = state.dict.get(key)  # never a "no value" marker for a column the flush did not load
            old, new = (None, value) if action == "create" else (value, None)
        if old == new:
            continue
        changes[key] = (["***", "***"] if key in instance.audit_secret
                        else [_named(connection, instance, key, old), _named(connection, instance, key, new)])
    if action == "update" and changes and "version" in state.mapper.columns:
        # the ORM consumes the version's own history; record the version this change produced
        changes["version"] = [None, instance.version]
    return changes


def _write_trail(session, _flush_context) -> None:
    user_id, username = _who()
    connection = session.connection()
    rows = []
    for action, instances in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for instance in instances:
            if not isinstance(instance, Audited):
                continue
            if changes := _changes(connection, instance, action):
                rows.append({"user_id": user_id, "username": username, "action": action,
                             "table_name": instance.__tablename__, "record_id": instance.id,
                             "project_id": instance.audit_project_id,
                             "changes": json.dumps(changes, ensure_ascii=False, default=str)})
    if rows:
        connection.execute(AuditEntry.__table__.insert(), rows)


def register() -> None:
    """Listen once per process, however many apps are created."""
    if not event.contains(Session, "after_flush", _write_trail):
        event.listen(Session, "after_flush", _write_trail)


# --- reading ------------------------------------------------------------------------------

def table_label(table_name: str) -> str:
    model = Audited.tables.get(table_name)
    return model.audit_table_label if model else table_name


def describe(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, old, new) in words, for the 修改记录 pages; the version number is left out."""
    model = Audited.tables.get(entry.table_name)
    labels = model.audit_field_labels if model else {}
    changes = json.loads(entry.changes)
    return [(labels.get(key, key), "—" if old is None else str(old), "—" if new is None else str(new))
            for key, (old, new) in changes.items() if key != "version"]


def project_history_query(project_id: int, leave_out: Collection[str] = ()) -> Select:
    """A project's 修改记录，newest first; `leave_out`: tables the reader may not see."""
    query = select(AuditEntry).where(AuditEntry.project_id == project_id)
    if leave_out:
        query = query.where(AuditEntry.table_name.not_in(leave_out))
    return query.order_by(AuditEntry.created_dt.desc(), AuditEntry.id.desc())


def all_entries_query(table_name: str | None = None) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.created_dt.desc(), AuditEntry.id.desc())
    return query.where(AuditEntry.table_name == table_name) if table_name else query


def changes_since(session: Session, table_name: str, record_id: int, version: int) -> list[AuditEntry]:
    """Updates of the record that raised its version above `version`, oldest first."""
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == table_name, AuditEntry.record_id == record_id,
                                 or_(AuditEntry.action == "update", AuditEntry.action == "delete"))
        .order_by(AuditEntry.id)
    )

    def new_version(entry: AuditEntry) -> int:
        return (json.loads(entry.changes).get("version") or [0, 0])[1] or 0

    return [entry for entry in entries if new_version(entry) > version]
