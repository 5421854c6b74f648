"""Views of 问题台账 and 督办单."""
from flask import Blueprint

from portfolio.problems import models  # noqa: F401  (the tables, until the views use them)

bp = Blueprint("problems", __name__, url_prefix="/problems", template_folder="templates")
