"""Views of 报送情况 (the city), 催报 and the county's to-do."""
from flask import Blueprint

from portfolio.cycle import models  # noqa: F401  (the tables, until the views use them)

bp = Blueprint("cycle", __name__, url_prefix="/round", template_folder="templates")
