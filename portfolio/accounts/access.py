"""Who may do what: plain predicates over a user and a project, used by every route,
every form, the imports and the query layer (county users' progress writes)."""
from portfolio.accounts.models import Role, User
from portfolio.problems.models import SupervisionNotice
from portfolio.registry.models import Project

EDITORS = {Role.ADMIN, Role.CITY}


def can_edit_projects(user: User) -> bool:
    return user.role in EDITORS


def can_edit_project(user: User, project: Project) -> bool:
    """An archived project is read only until it is restored."""
    return can_edit_projects(user) and not project.archived


def can_archive_project(user: User, project: Project) -> bool:
    return can_edit_projects(user) and not project.archived


def can_restore_project(user: User, project: Project) -> bool:
    return can_edit_projects(user) and project.archived


def can_delete_projects(user: User) -> bool:
    """Only an administrator deletes, and only a project with nothing recorded (else it is archived)."""
    return user.role is Role.ADMIN


def can_manage_programme_tasks(user: User) -> bool:
    """专栏 task progress and linked projects: city staff and administrators."""
    return user.role in EDITORS


def can_enter_indicator_values(user: User) -> bool:
    """规划指标 actual values: city staff and administrators."""
    return user.role in EDITORS


def can_edit_progress(user: User, project: Project) -> bool:
    """Progress, milestones and annual plans: the city for all projects, a county for its own;
    nobody for an archived project."""
    if project.archived:
        return False
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


def can_manage_problems(user: User) -> bool:
    """Coordinating problems (replies, state) and issuing or closing 督办单: the city."""
    return user.role in EDITORS


def can_see_region_problems(user: User, region_id: int | None) -> bool:
    """Problems and 督办单 of a region: everyone but a county sees all; a county its own region's."""
    return user.role is not Role.COUNTY or (region_id is not None and user.region_id == region_id)


def problem_region_scope(user: User) -> int | None:
    """The one region whose problems and 督办单 a county user sees; None means every region."""
    return user.region_id if user.role is Role.COUNTY else None


def can_raise_problem(user: User, project: Project) -> bool:
    if project.archived:
        return False
    return user.role in EDITORS or (user.role is Role.COUNTY and user.region_id == project.region_id)


def can_reply_notice(user: User, notice: SupervisionNotice) -> bool:
    """The city (also on behalf of a unit), or the county the 督办单 was sent to."""
    return user.role in EDITORS or (user.role is Role.COUNTY and notice.region_id is not None
                                    and user.region_id == notice.region_id)


def can_view_round(user: User) -> bool:
    """报送情况 of every county: the city's page (a county's own is its home page)."""
    return user.role is not Role.COUNTY


def can_send_reminders(user: User) -> bool:
    return user.role in EDITORS


def can_reply_problem(user: User, problem) -> bool:
    """A dated reply on a problem: the city, or the county whose project it is (its own answer); only
    the city moves the state; nobody on an archived project's problems (read only)."""
    if problem.project.archived:
        return False
    return user.role in EDITORS or (user.role is Role.COUNTY and user.region_id == problem.project.region_id)


def can_revoke_token(user: User, owner_id: int) -> bool:
    """An API token: its own account, or an administrator."""
    return user.id == owner_id or user.role is Role.ADMIN
