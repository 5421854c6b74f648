"""Quarterly progress reports (季度进展), milestones (节点) and annual investment plans (年度计划) of a project."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import ExactDecimal, db, enum_type, money, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.registry.models import Project


class MilestoneKind(LabelledEnum):
    """The standard milestones, in the order a project reaches them."""

    PROJECT_APPROVAL = "project_approval", "立项批复"
    FEASIBILITY_APPROVAL = "feasibility_approval", "可研批复"
    DESIGN_APPROVAL = "design_approval", "初步设计批复"
    CONSTRUCTION_PERMIT = "construction_permit", "施工许可"
    COMMENCEMENT = "commencement", "开工"
    MAIN_WORKS_DONE = "main_works_done", "主体完工"
    ACCEPTANCE = "acceptance", "竣工验收"
    IN_USE = "in_use", "投入使用"


class ReviewState(LabelledEnum):
    """A county's quarterly progress: 草稿 → 已报送 → 已审核，or back to 退回 with a comment."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "退回"


class ProgressReport(Audited, db.Model):
    audit_table_label = "季度进展"
    audit_field_labels = {
        "project_id": "项目", "year": "年份", "quarter": "季度", "cumulative_investment": "累计完成投资",
        "quarter_investment": "本季度完成投资", "physical_progress": "工程进度(%)", "works_status": "形象进度",
        "problems": "存在问题", "next_steps": "下步计划", "review_state": "审核状态", "review_comment": "审核意见",
        "generated": "演示数据",
    }
    audit_references = {"project_id": ("projects", "name")}

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
    generated: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Made by `flask demo`; `demo --remove` deletes only such rows, never what a person entered."""

    project: Mapped[Project] = relationship(
        backref=backref("progress_reports", cascade="all, delete-orphan", passive_deletes=True))
    photos: Mapped[list[ProgressPhoto]] = relationship(
        back_populates="report", order_by="ProgressPhoto.id", cascade="all, delete-orphan")

    # The version is raised by the services on each edit a person makes (not when derived figures
    # are refreshed); the ORM checks it on every UPDATE, so a save based on an older version fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class Milestone(Audited, db.Model):
    audit_table_label = "节点"
    audit_field_labels = {"project_id": "项目", "kind": "节点", "planned_date": "计划日期", "actual_date": "实际日期",
                          "note": "备注", "generated": "演示数据"}
    audit_references = {"project_id": ("projects", "name")}

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("project_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind, "kind"))
    planned_date: Mapped[date | None]
    actual_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    generated: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Made by `flask demo`; `demo --remove` deletes only such rows, never what a person entered."""

    project: Mapped[Project] = relationship(
        backref=backref("milestones", cascade="all, delete-orphan", passive_deletes=True))
    documents: Mapped[list[MilestoneDocument]] = relationship(
        back_populates="milestone", order_by="MilestoneDocument.id", cascade="all, delete-orphan")


class AnnualPlan(Audited, db.Model):
    audit_table_label = "年度计划"
    audit_field_labels = {"project_id": "项目", "year": "年份", "planned_investment": "年度计划投资(万元)",
                          "generated": "演示数据"}
    audit_references = {"project_id": ("projects", "name")}

    __tablename__ = "annual_plans"
    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint("planned_investment >= 0", name="investment_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int]
    planned_investment: Mapped[Decimal] = mapped_column(money())
    generated: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Made by `flask demo`; `demo --remove` deletes only such rows, never what a person entered."""

    project: Mapped[Project] = relationship(backref=backref(
        "annual_plans", order_by="AnnualPlan.year", cascade="all, delete-orphan", passive_deletes=True))


class ProgressPhoto(Audited, db.Model):
    """现场照片 of a quarter's progress: the cleaned JPEG and its thumbnail in the media folder."""

    audit_table_label = "现场照片"
    audit_field_labels = {"report_id": "季度进展", "caption": "说明", "taken_on": "拍摄日期", "digest": "文件"}
    audit_not_recorded = Audited.audit_not_recorded | {"thumbnail_digest", "width", "height", "uploaded_by",
                                                       "project_id"}

    __tablename__ = "progress_photos"
    __table_args__ = (Index(None, "report_id"), Index(None, "project_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the stored JPEG (see `portfolio.core.media`)."""
    thumbnail_digest: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    caption: Mapped[str] = mapped_column(String(200), default="")
    taken_on: Mapped[date | None]
    """Read from the photo's EXIF before its metadata was removed; the uploader may correct it."""
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    report: Mapped[ProgressReport] = relationship(back_populates="photos")


class MilestoneDocument(Audited, db.Model):
    """A document that proves a milestone (批复文件, 施工许可证): a PDF, JPEG or PNG kept as uploaded."""

    audit_table_label = "节点文件"
    audit_field_labels = {"milestone_id": "节点", "title": "标题", "filename": "文件名", "digest": "文件"}
    audit_not_recorded = Audited.audit_not_recorded | {"media_type", "size", "uploaded_by", "project_id"}

    __tablename__ = "milestone_documents"
    __table_args__ = (Index(None, "milestone_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    milestone: Mapped[Milestone] = relationship(back_populates="documents")
