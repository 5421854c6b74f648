"""The registry: plans (规划) and their programmes (专栏), regions (县(市、区)) and projects (项目)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, enum_type, money, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.core.limits import FIRST_YEAR, LAST_YEAR


class RegionKind(LabelledEnum):
    COUNTY = "county", "县"
    DISTRICT = "district", "区"
    COUNTY_LEVEL_CITY = "county_level_city", "县级市"
    CITY_CENTRE = "city_centre", "市本级/中心城区"


class Sector(LabelledEnum):
    HEALTH = "health", "医疗卫生"
    EDUCATION = "education", "教育"
    ELDERLY_CARE = "elderly_care", "养老"
    CHILDCARE = "childcare", "托育"
    EMPLOYMENT_TRAINING = "employment_training", "就业培训"
    CULTURE_TOURISM = "culture_tourism", "文化旅游"
    SPORTS = "sports", "体育"
    HOUSING = "housing", "住房保障"
    SOCIAL_SECURITY = "social_security", "社会保障"
    OTHER = "other", "其他"


class ProjectStatus(LabelledEnum):
    PREPARING = "preparing", "前期"
    UNDER_WAY = "under_way", "在建"
    COMPLETED = "completed", "已竣工"
    IN_USE = "in_use", "已投用"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "已取消"


class ProjectNature(LabelledEnum):
    """建设性质."""

    NEW = "new", "新建"
    EXTENSION = "extension", "扩建"
    RECONSTRUCTION = "reconstruction", "改建"
    RELOCATION = "relocation", "迁建"


class FundingSource(LabelledEnum):
    """资金来源, in the order registries list them."""

    CENTRAL_BUDGET = "central_budget", "中央预算内投资"
    SPECIAL_BONDS = "special_bonds", "地方政府专项债券"
    ULTRA_LONG_BONDS = "ultra_long_bonds", "超长期特别国债"
    PROVINCIAL_FUNDS = "provincial_funds", "省级财政资金"
    LOCAL_FUNDS = "local_funds", "市县财政资金"
    BANK_LOANS = "bank_loans", "银行贷款"
    OWN_FUNDS = "own_funds", "企业自筹"
    PRIVATE_CAPITAL = "private_capital", "社会资本"
    OTHER = "other", "其他"


CHINA_LONGITUDE = (Decimal("73.5"), Decimal("135.1"))
CHINA_LATITUDE = (Decimal("3.8"), Decimal("53.6"))
"""The bounding box of China's territory (WGS-84 degrees): coordinates outside it are a typing error."""


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


def format_build_years(start_year: int, end_year: int) -> str:
    """建设年限 as the plans print it: "2021—2024", or "2023" for a single year."""
    return str(start_year) if start_year == end_year else f"{start_year}—{end_year}"


class BuildPeriod:
    """建设年限 of anything with a `start_year` and an `end_year` (a project, the rules' facts)."""

    start_year: int
    end_year: int

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


class Project(BuildPeriod, Audited, db.Model):
    audit_table_label = "项目"
    audit_field_labels = {
        "name": "项目名称", "site": "建设地点", "region_id": "县(市、区)", "plan_id": "规划", "programme_id": "所属专栏",
        "sector": "领域", "content": "建设内容", "planned_investment": "计划投资(万元)", "start_year": "建设起始年",
        "end_year": "建设结束年", "responsible_unit": "责任单位", "status": "项目状态", "demo_data": "演示数据",
        "project_code": "项目代码", "nature": "建设性质", "owner_unit": "项目单位", "responsible_leader": "包联领导",
        "contact_person": "联系人", "contact_phone": "联系电话", "longitude": "经度", "latitude": "纬度",
        "archived_on": "归档日期", "archive_reason": "归档原因", "status_since": "状态起始日期",
    }
    audit_references = {"region_id": ("regions", "name"), "plan_id": ("plans", "title"),
                        "programme_id": ("programmes", "title")}

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
        CheckConstraint("(longitude IS NULL) = (latitude IS NULL)", name="coordinates_paired"),
        CheckConstraint(
            f"longitude BETWEEN {CHINA_LONGITUDE[0]} AND {CHINA_LONGITUDE[1]}"
            f" AND latitude BETWEEN {CHINA_LATITUDE[0]} AND {CHINA_LATITUDE[1]}",
            name="coordinates_in_china",
        ),
        CheckConstraint("(archived_on IS NULL) = (archive_reason IS NULL)", name="archive_has_reason"),
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
    project_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    """项目代码 of the national investment-project approval platform; unique where present."""
    nature: Mapped[ProjectNature | None] = mapped_column(enum_type(ProjectNature, "nature"))
    owner_unit: Mapped[str | None] = mapped_column(String(200))
    """项目单位: the owner that builds the project."""
    responsible_leader: Mapped[str | None] = mapped_column(String(50))
    """包联领导: the city leader who answers for the project."""
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    """WGS-84 degrees (what GPS and OC4IDS use; not the GCJ-02 of Chinese web maps)."""
    archived_on: Mapped[date | None]
    """归档: the project has left the registry's lists, totals and reports (its records are kept)."""
    archive_reason: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    modified_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now, onupdate=utc_now)

    status_since: Mapped[date | None]
    """The date of the newest status change (None: the status has always been the current one):
    from then on the current status holds (`rules.status_on`)."""
    demo_data: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Set by `flask demo`: the project's progress, milestones and annual plans are generated, not real."""
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    """Optimistic locking: a save based on an older version is refused, not silently applied."""

    plan: Mapped[Plan] = relationship(back_populates="projects")
    programme: Mapped[Programme | None] = relationship()
    region: Mapped[Region] = relationship()
    # `milestones`, `annual_plans` and `progress_reports` are declared by portfolio.progress.models as
    # backrefs: progress depends on the registry, never the other way (no import circle).
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="StatusChange.id",
    )
    funding: Mapped[list[ProjectFunding]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectFunding.id",
    )
    """Deleted through the session with the project (not only by the database), so the audit trail records it."""

    # The version is raised by the services on each edit a person makes (not when derived figures
    # are refreshed); the ORM checks it on every UPDATE, so a save based on an older version fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def audit_project_id(self) -> int:
        return self.id

    @property
    def archived(self) -> bool:
        return self.archived_on is not None

    @property
    def funding_by_source(self) -> dict[FundingSource, Decimal]:
        return {row.source: row.amount for row in self.funding}


def in_registry(as_of: date | None = None) -> ColumnElement[bool]:
    """The projects lists, totals and reports count: not archived on `as_of` (archived later, or
    never), so a report made again for a past quarter still counts a project archived since;
    without a date, not archived now (what may still be written to)."""
    if as_of is None:
        return Project.archived_on.is_(None)
    return or_(Project.archived_on.is_(None), Project.archived_on > as_of)


class ProjectFunding(Audited, db.Model):
    """资金来源: how much of a project's planned investment (万元) one source provides; a source the
    project does not draw on has no row."""

    audit_table_label = "资金来源"
    audit_field_labels = {"project_id": "项目", "source": "资金来源", "amount": "金额(万元)"}
    audit_references = {"project_id": ("projects", "name")}

    __tablename__ = "project_funding"
    __table_args__ = (
        UniqueConstraint("project_id", "source"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(None, "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    source: Mapped[FundingSource] = mapped_column(enum_type(FundingSource, "source"))
    amount: Mapped[Decimal] = mapped_column(money())

    project: Mapped[Project] = relationship(back_populates="funding")



class StatusChange(db.Model):
    """A project's status from a date on (DESIGN.md: status is judged as of the date).

    Written when a project is created (`since` empty: from the beginning), when its status is
    changed by hand (the date entered) and when a milestone moves it on (the milestone's date,
    never before the newest change). The newest change is the project's current status.
    """

    __tablename__ = "status_changes"
    __table_args__ = (Index(None, "project_id", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus, "status"))
    since: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(24))
    """created, manual, a milestone kind's code, or backfill."""

    project: Mapped[Project] = relationship(back_populates="status_changes")
