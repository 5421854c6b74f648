"""Administration: accounts and the whole audit trail (admins only)."""
from flask import Blueprint

from portfolio import access, web

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@web.require(access.can_manage_users)
def admins_only():
    """Every view of this blueprint is for administrators."""


from portfolio.admin import routes  # noqa: E402,F401  (registers the views on bp)
