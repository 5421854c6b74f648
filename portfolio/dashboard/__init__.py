"""The home page: where the portfolio stands and which projects need attention."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from portfolio.dashboard import routes  # noqa: E402,F401  (registers the views on bp)
