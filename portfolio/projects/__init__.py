"""The project registry: list, detail, create, edit, delete."""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from portfolio.projects import routes  # noqa: E402,F401  (registers the views on bp)
