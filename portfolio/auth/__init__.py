"""Logging in and out, and changing one's own password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from portfolio.auth import routes  # noqa: E402,F401  (registers the views on bp)
