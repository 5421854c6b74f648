"""Views of 消息: an account's messages, and the e-mail deliveries behind them."""
from flask import Blueprint

from portfolio.messages import models  # noqa: F401  (the tables, until the views use them)

bp = Blueprint("messages", __name__, url_prefix="/messages", template_folder="templates")
