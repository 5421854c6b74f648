"""Small helpers the blueprints share."""
from datetime import date
from decimal import Decimal

from flask import current_app

from portfolio.rules import Thresholds


def today() -> date:
    return date.today()


def thresholds() -> Thresholds:
    """The investment-lag thresholds set by LAG_YELLOW_PP / LAG_RED_PP (README)."""
    return Thresholds(lag_yellow_pp=Decimal(str(current_app.config["LAG_YELLOW_PP"])),
                      lag_red_pp=Decimal(str(current_app.config["LAG_RED_PP"])))
