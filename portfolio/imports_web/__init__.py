"""Uploading plan tables and quarterly figures: upload → preview → confirm."""
from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from portfolio.imports_web import routes  # noqa: E402,F401  (registers the views on bp)
