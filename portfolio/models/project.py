"""Projects (项目) with their milestones (节点) and annual investment plans (年度计划)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.extensions import db
from portfolio.models.columns import enum_type, timestamp_type, utc_now
from portfolio.models.enums import MilestoneKind, ProjectStatus, Sector
from portfolio.models.plan import Plan, Programme
from portfolio.models.region import Region
from portfolio.models.types import money

if TYPE_CHECKING:
    from portfolio.models.progress import ProgressReport

FIRST_YEAR = 1949
LAST_YEAR = 2100


def format_build_years(start_year: int, end_year: int) -> str:
    """建设年限 as the plans print it: "2021—2024", or "2023" for a single year."""
    return str(start_year) if start_year == end_year else f"{start_year}—{end_year}"


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("plan_id", "name"),
        CheckConstraint("planned_investment >= 0", name="investment_not_negative"),
        CheckConstraint("end_year >= start_year", name="years_in_order"),
        CheckConstraint(
            f"start_year BETWEEN {FIRST_YEAR} AND {LAST_YEAR} AND end_year BETWEEN {FIRST_YEAR} AND {LAST_YEAR}",
            name="years_in_range",
        ),
        Index(None, "region_id"),
        Index(None, "programme_id"),
        Index(None, "plan_id"),
        Index(None, "end_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(String(100))
    sector: Mapped[Sector] = mapped_column(enum_type(Sector, "sector"))
    content: Mapped[str] = mapped_column(Text, default="")
    planned_investment: Mapped[Decimal] = mapped_column(money())
    start_year: Mapped[int]
    end_year: Mapped[int]
    responsible_unit: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus, "status"))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    modified_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now, onupdate=utc_now)

    # Figures derived from the progress reports and milestones, kept current by
    # `portfolio.services.progress` on every write, so list filters need no aggregate queries.
    last_report_period: Mapped[int | None]
    """The newest report's quarter as `rules.quarter_period` numbers it."""
    last_cumulative_investment: Mapped[Decimal | None] = mapped_column(money())
    last_year_investment: Mapped[Decimal | None] = mapped_column(money())
    """Sum of the quarterly investments in the newest report's year."""
    open_milestone_due: Mapped[date | None]
    """The earliest planned date among milestones not reached yet."""
    demo_data: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Set by `flask demo`: the project's progress, milestones and annual plans are generated, not real."""
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    """Optimistic locking: a save based on an older version is refused, not silently applied."""

    plan: Mapped[Plan] = relationship(back_populates="projects")
    programme: Mapped[Programme | None] = relationship()
    region: Mapped[Region] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    annual_plans: Mapped[list[AnnualPlan]] = relationship(
        back_populates="project", order_by="AnnualPlan.year", cascade="all, delete-orphan", passive_deletes=True
    )
    progress_reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )

    # The version is raised by the services on each edit a person makes (not when derived figures
    # are refreshed); the ORM checks it on every UPDATE, so a save based on an older version fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def build_years(self) -> str:
        return format_build_years(self.start_year, self.end_year)

    @property
    def planned_start(self) -> date:
        """A build period "2021—2024" starts on the first day of its first year."""
        return date(self.start_year, 1, 1)

    @property
    def planned_end(self) -> date:
        """…and ends on the last day of its last year, so "2024" is not overdue until 2025."""
        return date(self.end_year, 12, 31)


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("project_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind, "kind"))
    planned_date: Mapped[date | None]
    actual_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="milestones")


class AnnualPlan(db.Model):
    __tablename__ = "annual_plans"
    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint("planned_investment >= 0", name="investment_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int]
    planned_investment: Mapped[Decimal] = mapped_column(money())

    project: Mapped[Project] = relationship(back_populates="annual_plans")
