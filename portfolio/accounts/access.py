"""Who may do what: plain predicates over a user and a project, used by every route,
every form, the imports and the query layer (county users' progress writes)."""
from portfolio.accounts.models import Role, User
from portfolio.registry.models import Project

EDITORS = {Role.ADMIN, Role.CITY}


def can_edit_projects(user: User) -> bool:
    return user.role in EDITORS


def can_edit_progress(user: User, project: Project) -> bool:
    """Progress, milestones and annual plans: the city for all projects, a county for its own."""
    return user.role in EDITORS or (user.role is Role.COUNTY and user.region_id == project.region_id)


def can_import_progress(user: User) -> bool:
    return user.role in EDITORS or user.role is Role.COUNTY


def progress_region_scope(user: User) -> set[int] | None:
    """The regions whose progress the user may write; None means every region."""
    return None if user.role in EDITORS else ({user.region_id} if user.role is Role.COUNTY else set())


def can_review(user: User) -> bool:
    return user.role in EDITORS


def can_submit(user: User, region_id: int) -> bool:
    return user.role in EDITORS or (user.role is Role.COUNTY and user.region_id == region_id)


def can_manage_users(user: User) -> bool:
    return user.role is Role.ADMIN
