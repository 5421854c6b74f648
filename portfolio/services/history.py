"""Reading the audit trail: a project's 修改记录, everything for admins, and what someone else
changed since a form was opened (for the optimistic-locking message)."""
import json

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from portfolio.models import AuditEntry


def project_history(session: Session, project_id: int, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.project_id == project_id)
        .order_by(AuditEntry.created_dt.desc(), AuditEntry.id.desc()).limit(limit)
    ))


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
