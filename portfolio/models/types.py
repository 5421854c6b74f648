"""Column types shared by the models."""
from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """`NUMERIC(p, s)` that always hands back a `Decimal` quantized to `s` places.

    PostgreSQL stores and returns exact decimals. SQLite has no decimal type and returns
    floats; with at most 14 significant digits a float still identifies the decimal
    uniquely, so rounding it to the column's scale restores the exact value.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision, scale)
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(self.impl.precision, self.impl.scale, asdecimal=False))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self.quantum)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float | int):
            return Decimal(f"{value:.{self.scale}f}")  # rounds to the scale and quantizes in one step
        return value.quantize(self.quantum)


def money() -> ExactDecimal:
    """万元 amounts: up to 999,999,999,999.99."""
    return ExactDecimal(14, 2)
