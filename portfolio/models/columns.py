"""Column helpers shared by the models."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum

from portfolio.models.enums import LabelledEnum


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
