"""专栏 tasks, the projects linked to them, and their progress entries."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, timestamp_type, utc_now
from portfolio.registry.models import Programme, Project

QUANTITY_TYPE = Numeric(16, 4)
"""Counts and amounts of a task (17 所, 48.33 万人次): exact decimals."""

task_projects = Table(
    "programme_task_projects", db.metadata,
    Column("task_id", ForeignKey("programme_tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)


class ProgrammeTask(db.Model):
    """One quantitative item of a 专栏, as printed: "新建17所中小学校" → 17 所."""

    __tablename__ = "programme_tasks"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    """The item's heading in the box (基础教育优质均衡工程)."""
    text: Mapped[str] = mapped_column(Text)
    target_quantity: Mapped[Decimal] = mapped_column(QUANTITY_TYPE)
    unit: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    """The seed note ("左右", a range read at its lower bound, an OCR break)."""

    programme: Mapped[Programme] = relationship()
    projects: Mapped[list[Project]] = relationship(secondary=task_projects, order_by="Project.id")
    progress: Mapped[list[TaskProgress]] = relationship(
        back_populates="task", order_by="TaskProgress.recorded_on", cascade="all, delete-orphan", passive_deletes=True)


class TaskProgress(Audited, db.Model):
    """How much of a task is done by a date (cumulative), and what it rests on."""

    audit_table_label = "专栏任务进展"
    audit_field_labels = {"task_id": "任务", "recorded_on": "截至日期", "quantity": "累计完成", "note": "说明"}
    audit_references = {"task_id": ("programme_tasks", "text")}
    audit_not_recorded = Audited.audit_not_recorded | {"entered_by"}

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("task_id", "recorded_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id", ondelete="CASCADE"))
    recorded_on: Mapped[date]
    quantity: Mapped[Decimal] = mapped_column(QUANTITY_TYPE)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    task: Mapped[ProgrammeTask] = relationship(back_populates="progress")

    @property
    def audit_project_id(self) -> None:
        return None
