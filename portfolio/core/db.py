"""The database: Flask extensions, the naming convention, SQLite's connection settings and
the column types every model shares (exact money, enums stored as codes, UTC timestamps)."""
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import BigInteger, DateTime, Engine, Enum, MetaData, Numeric, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from portfolio.core.enums import LabelledEnum


class Base(DeclarativeBase):
    # Named constraints make migrations reproducible on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Enforce foreign keys and let several users write without "database is locked".

    WAL lets readers work while one writer commits; the busy timeout makes a second writer
    wait for the first instead of failing at once.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.close()


class ExactDecimal(TypeDecorator):
    """`NUMERIC(p, s)` that always hands back a `Decimal` quantized to `s` places (percentages).

    SQLite returns floats; with at most 14 significant digits a float still identifies the
    decimal uniquely, so rounding it to the column's scale restores the exact value.
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


class Money(TypeDecorator):
    """万元 with two decimals, exact everywhere: NUMERIC(14, 2) on PostgreSQL; on SQLite, which has
    no exact decimal type, an integer count of 分 (the value × 100). Python always sees a
    `Decimal` with two places, and a SUM computed in SQL equals the Decimal sum to the fen.
    Plain numbers compared with or combined with a money column are bound as money too, so
    arithmetic in SQL must give other factors an explicit type (`literal(k, Integer())`).
    """

    impl = Numeric
    cache_ok = True
    quantum = Decimal("0.01")

    def __init__(self):
        super().__init__(14, 2)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self.quantum, ROUND_HALF_UP)
        return int(value * 100) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)


def money() -> Money:
    """万元 amounts: up to 999,999,999,999.99."""
    return Money()


def enum_type(enum_cls: type[LabelledEnum], name: str) -> Enum:
    """A VARCHAR holding the enum's code, with a named CHECK listing the allowed codes."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp_type() -> DateTime:
    return DateTime(timezone=True)
