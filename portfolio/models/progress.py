"""Quarterly progress reports (季度进展)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.extensions import db
from portfolio.models.columns import enum_type, timestamp_type, utc_now
from portfolio.models.enums import ReviewState
from portfolio.models.project import Project
from portfolio.models.types import ExactDecimal, money


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_valid"),
        CheckConstraint("cumulative_investment >= 0", name="cumulative_not_negative"),
        CheckConstraint("quarter_investment >= 0", name="quarter_investment_not_negative"),
        CheckConstraint("physical_progress BETWEEN 0 AND 100", name="physical_progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int]
    quarter: Mapped[int]
    cumulative_investment: Mapped[Decimal] = mapped_column(money())
    quarter_investment: Mapped[Decimal] = mapped_column(money())
    physical_progress: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2))
    works_status: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    review_state: Mapped[ReviewState] = mapped_column(enum_type(ReviewState, "review_state"),
                                                      default=ReviewState.DRAFT, server_default="draft")
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    modified_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    project: Mapped[Project] = relationship(back_populates="progress_reports")

    # The version is raised by the services on each edit a person makes (not when derived figures
    # are refreshed); the ORM checks it on every UPDATE, so a save based on an older version fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
