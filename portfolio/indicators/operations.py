"""Writing indicator values. Operations flush; the view commits."""
from decimal import Decimal

from sqlalchemy.orm import Session

from portfolio.indicators.models import IndicatorValue, PlanIndicator


def record_value(session: Session, indicator: PlanIndicator, year: int, value: Decimal, source: str,
                 entered_by: str) -> bool:
    """The year's value becomes `value`: a new one, or a correction of the one entered (then True)."""
    current = next((row for row in indicator.values if row.year == year), None)
    if current is None:
        session.add(IndicatorValue(indicator=indicator, year=year, value=value, source=source.strip(),
                                   entered_by=entered_by))
    else:
        current.value, current.source, current.entered_by = value, source.strip(), entered_by
    session.flush()
    return current is not None
