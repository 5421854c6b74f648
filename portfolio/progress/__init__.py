"""Quarterly progress, annual investment plans and milestones of a project."""
from flask import Blueprint

bp = Blueprint("progress", __name__, url_prefix="/projects/<int:project_id>")

from portfolio.progress import routes  # noqa: E402,F401  (registers the views on bp)
