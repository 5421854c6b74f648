"""Closed vocabularies of the domain: stored as English codes, shown with Chinese labels."""
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry the Chinese term the UI shows."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def from_label(cls, label: str):
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


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


class Role(LabelledEnum):
    ADMIN = "admin", "管理员"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    VIEWER = "viewer", "只读"


class ReviewState(LabelledEnum):
    """A county's quarterly progress: 草稿 → 已报送 → 已审核, or back to 退回 with a comment."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "退回"
