"""Regions: the counties, districts and county-level cities (县(市、区)) of a city."""
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.extensions import db
from portfolio.models.columns import enum_type
from portfolio.models.enums import RegionKind


class Region(db.Model):
    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("city", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(50))
    full_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[RegionKind] = mapped_column(enum_type(RegionKind, "kind"))

    @property
    def display_name(self) -> str:
        return f"{self.name}({self.full_name})" if self.full_name else self.name
