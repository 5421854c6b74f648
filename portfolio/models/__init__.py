"""The data model; import models from here."""
from portfolio.models.enums import MilestoneKind, ProjectStatus, RegionKind, ReviewState, Role, Sector
from portfolio.models.plan import Plan, Programme
from portfolio.models.progress import ProgressReport
from portfolio.models.project import AnnualPlan, Milestone, Project
from portfolio.models.region import Region
from portfolio.models.user import AuditEntry, LoginAttempt, User

__all__ = [
    "AnnualPlan",
    "AuditEntry",
    "LoginAttempt",
    "Milestone",
    "MilestoneKind",
    "Plan",
    "Programme",
    "ProgressReport",
    "Project",
    "ProjectStatus",
    "Region",
    "RegionKind",
    "ReviewState",
    "Role",
    "Sector",
    "User",
]
