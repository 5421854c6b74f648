"""The quarterly progress report from the web: choose the scope, see its size, download the PDF."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from portfolio.reporting import routes  # noqa: E402,F401  (registers the views on bp)
