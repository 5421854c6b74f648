"""Plans (规划) and the programmes (专栏) they contain."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.extensions import db

if TYPE_CHECKING:
    from portfolio.models.project import Project


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("end_year >= start_year", name="years_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str] = mapped_column(String(50))
    start_year: Mapped[int]
    end_year: Mapped[int]
    source_document: Mapped[str | None] = mapped_column(String(200))

    programmes: Mapped[list[Programme]] = relationship(
        back_populates="plan", order_by="Programme.number", cascade="all, delete-orphan"
    )
    projects: Mapped[list[Project]] = relationship(back_populates="plan")

    @property
    def period(self) -> str:
        return f"{self.start_year}—{self.end_year}"


class Programme(db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))

    plan: Mapped[Plan] = relationship(back_populates="programmes")

    @property
    def display_name(self) -> str:
        return f"专栏{self.number}:{self.title}"
