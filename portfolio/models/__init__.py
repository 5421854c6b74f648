"""The data model; import models from here."""
from portfolio.models.enums import MilestoneKind, ProjectStatus, RegionKind, Sector
from portfolio.models.plan import Plan, Programme
from portfolio.models.progress import ProgressReport
from portfolio.models.project import AnnualPlan, Milestone, Project
from portfolio.models.region import Region

__all__ = [
    "AnnualPlan",
    "Milestone",
    "MilestoneKind",
    "Plan",
    "Programme",
    "ProgressReport",
    "Project",
    "ProjectStatus",
    "Region",
    "RegionKind",
    "Sector",
]
