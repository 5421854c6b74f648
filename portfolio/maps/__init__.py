"""The city's county map: real boundaries (vendored), shaded by the roll-up's figures."""
from flask import Blueprint

bp = Blueprint("maps", __name__)
"""Only the map's template macro (`maps/_map.html`); the map is shown by the dashboard."""
