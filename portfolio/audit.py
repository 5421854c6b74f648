"""The audit trail: every create, update and delete of the audited records, written by the
session in the same transaction as the change (after each flush, on the same connection)."""
import getpass
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from portfolio.models import AnnualPlan, AuditEntry, Milestone, ProgressReport, Project, User

AUDITED = (Project, Milestone, ProgressReport, AnnualPlan, User)
NOT_RECORDED = {
    "created_dt", "modified_dt", "last_report_period", "last_cumulative_investment", "last_year_investment",
    "open_milestone_due", "session_token", "failed_logins", "locked_until_dt",
}
"""Timestamps, figures derived from other records, and login bookkeeping."""
SECRET = {"password_hash"}
FIELD_LABELS = {
    "name": "项目名称", "site": "建设地点", "region_id": "县(市、区)", "plan_id": "规划", "programme_id": "所属专栏",
    "sector": "领域", "content": "建设内容", "planned_investment": "计划投资(万元)", "start_year": "建设起始年",
    "end_year": "建设结束年", "responsible_unit": "责任单位", "status": "项目状态", "demo_data": "演示数据",
    "year": "年份", "quarter": "季度", "cumulative_investment": "累计完成投资", "quarter_investment": "本季度完成投资",
    "physical_progress": "工程进度(%)", "works_status": "形象进度", "problems": "存在问题", "next_steps": "下步计划",
    "review_state": "审核状态", "review_comment": "审核意见", "kind": "节点", "planned_date": "计划日期",
    "actual_date": "实际日期", "note": "备注", "username": "用户名", "display_name": "姓名", "role": "角色",
    "is_enabled": "启用", "must_change_password": "须修改密码", "password_hash": "密码", "project_id": "项目",
    "version": "版本",
}
TABLE_LABELS = {"projects": "项目", "milestones": "节点", "progress_reports": "季度进展", "annual_plans": "年度计划",
                "users": "账户"}


def _plain(value):
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _who() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, f"命令行:{getpass.getuser()}"


def _changes(instance, action: str) -> dict:
    state = inspect(instance)
    changes = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key in NOT_RECORDED or key == "id":
            continue
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        else:
            value = state.attrs[key].loaded_value
            old, new = (None, value) if action == "create" else (value, None)
        if old == new:
            continue
        changes[key] = ["***", "***"] if key in SECRET else [_plain(old), _plain(new)]
    if action == "update" and changes and "version" in state.mapper.columns:
        # the ORM consumes the version's own history; record the version this change produced
        changes["version"] = [None, instance.version]
    return changes


def _project_id(instance) -> int | None:
    return instance.id if isinstance(instance, Project) else getattr(instance, "project_id", None)


def _write_trail(session, _flush_context) -> None:
    user_id, username = _who()
    rows = []
    for action, instances in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for instance in instances:
            if not isinstance(instance, AUDITED):
                continue
            if changes := _changes(instance, action):
                rows.append({"user_id": user_id, "username": username, "action": action,
                             "table_name": instance.__tablename__, "record_id": instance.id,
                             "project_id": _project_id(instance),
                             "changes": json.dumps(changes, ensure_ascii=False, default=str)})
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def register() -> None:
    """Listen once per process, however many apps are created."""
    if not event.contains(Session, "after_flush", _write_trail):
        event.listen(Session, "after_flush", _write_trail)


def describe(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, old, new) in words, for the 修改记录 pages; the version number is left out."""
    changes = json.loads(entry.changes)
    return [(FIELD_LABELS.get(key, key), "—" if old is None else str(old), "—" if new is None else str(new))
            for key, (old, new) in changes.items() if key != "version"]
