"""Problems (问题), their dated replies, and supervision notices (督办单) about them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, enum_type, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.registry.models import Project, Region


class ProblemKind(LabelledEnum):
    LAND = "land", "用地"
    FUNDING = "funding", "资金"
    PERMITS = "permits", "手续"
    RELOCATION = "relocation", "征迁"
    CONSTRUCTION = "construction", "施工"
    OTHER = "other", "其他"


class ProblemState(LabelledEnum):
    """待协调 → 协调中 → 已解决, or 无法解决 with a reason."""

    PENDING = "pending", "待协调"
    COORDINATING = "coordinating", "协调中"
    SOLVED = "solved", "已解决"
    UNSOLVABLE = "unsolvable", "无法解决"

    @property
    def is_open(self) -> bool:
        return self in (ProblemState.PENDING, ProblemState.COORDINATING)


class Problem(Audited, db.Model):
    audit_table_label = "问题"
    audit_field_labels = {
        "project_id": "项目", "progress_report_id": "来源季度进展", "kind": "问题类型", "description": "问题描述",
        "responsible_units": "责任单位", "deadline": "办结时限", "state": "状态", "closing_note": "说明",
        "raised_on": "提出日期", "closed_on": "办结日期", "raised_by": "提出人",
    }
    audit_references = {"project_id": ("projects", "name")}

    __tablename__ = "problems"
    __table_args__ = (
        Index(None, "project_id"),
        Index(None, "state", "deadline"),
        CheckConstraint("state NOT IN ('solved', 'unsolvable') OR closed_on IS NOT NULL", name="closed_has_date"),
        CheckConstraint("state <> 'unsolvable' OR closing_note IS NOT NULL", name="unsolvable_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    progress_report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id", ondelete="SET NULL"))
    """The quarterly progress whose 存在问题 it was raised from, if any."""
    kind: Mapped[ProblemKind] = mapped_column(enum_type(ProblemKind, "kind"))
    description: Mapped[str] = mapped_column(Text)
    responsible_units: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date | None]
    state: Mapped[ProblemState] = mapped_column(enum_type(ProblemState, "state"), default=ProblemState.PENDING)
    closing_note: Mapped[str | None] = mapped_column(Text)
    """How it was solved, or why it cannot be (required for 无法解决)."""
    raised_on: Mapped[date]
    closed_on: Mapped[date | None]
    """The day it became 已解决 or 无法解决: the report counts it open until then."""
    raised_by: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    project: Mapped[Project] = relationship()
    replies: Mapped[list[ProblemReply]] = relationship(back_populates="problem", cascade="all, delete-orphan",
                                                        order_by="ProblemReply.id")
    notices: Mapped[list[SupervisionNotice]] = relationship(secondary="supervision_notice_problems",
                                                            back_populates="problems")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ProblemReply(Audited, db.Model):
    """A dated note on a problem's coordination (who did what, what was agreed)."""

    audit_table_label = "问题进展"
    audit_field_labels = {"problem_id": "问题", "replied_on": "日期", "body": "内容", "author": "填写人"}

    __tablename__ = "problem_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    replied_on: Mapped[date]
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    problem: Mapped[Problem] = relationship(back_populates="replies")

    @property
    def audit_project_id(self) -> int | None:
        return self.problem.project_id if self.problem else None


supervision_notice_problems = Table(
    "supervision_notice_problems", db.metadata,
    Column("notice_id", ForeignKey("supervision_notices.id", ondelete="CASCADE"), primary_key=True),
    Column("problem_id", ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
)


class NoticeState(LabelledEnum):
    AWAITING_REPLY = "awaiting_reply", "待回复"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"


class SupervisionNotice(Audited, db.Model):
    """督办〔2026〕3号: to a county (its accounts reply in the app) or to a unit (the city records the
    reply), about one or more problems, with a reply deadline."""

    audit_table_label = "督办单"
    audit_field_labels = {
        "year": "年份", "number": "编号", "region_id": "督办对象（县(市、区)）", "unit": "督办对象（单位）",
        "requirement": "督办事项", "reply_deadline": "回复期限", "issued_on": "印发日期", "issued_by": "印发人",
        "state": "状态", "reply": "回复内容", "replied_on": "回复日期", "replied_by": "回复人",
    }
    audit_references = {"region_id": ("regions", "name")}

    __tablename__ = "supervision_notices"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint("region_id IS NOT NULL OR unit IS NOT NULL", name="has_recipient"),
        CheckConstraint("state = 'awaiting_reply' OR reply IS NOT NULL OR state = 'closed'", name="replied_has_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    unit: Mapped[str | None] = mapped_column(String(100))
    requirement: Mapped[str] = mapped_column(Text)
    reply_deadline: Mapped[date]
    issued_on: Mapped[date]
    issued_by: Mapped[str] = mapped_column(String(100))
    state: Mapped[NoticeState] = mapped_column(enum_type(NoticeState, "state"), default=NoticeState.AWAITING_REPLY)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None]
    replied_by: Mapped[str | None] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region | None] = relationship()
    problems: Mapped[list[Problem]] = relationship(secondary="supervision_notice_problems", back_populates="notices",
                                                   order_by="Problem.id")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def issue_number(self) -> str:
        return f"督办〔{self.year}〕{self.number}号"

    @property
    def recipient(self) -> str:
        return "、".join(part for part in ((self.region.name if self.region else None), self.unit) if part)

    def overdue_on(self, day: date) -> bool:
        """Unanswered after its reply deadline: red on the dashboard and the ledger."""
        return self.state is NoticeState.AWAITING_REPLY and day > self.reply_deadline

    @property
    def audit_project_id(self) -> int | None:
        return None


PROBLEM_TABLES = (Problem.__tablename__, ProblemReply.__tablename__)
"""The tables whose audit entries sit in a project's 修改记录 but are only for those who see its problems."""
