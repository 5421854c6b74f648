"""Submitting and reviewing a quarter's progress."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from portfolio.reviews import routes  # noqa: E402,F401  (registers the views on bp)
