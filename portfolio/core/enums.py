"""Closed vocabularies of the domain: stored as English codes, shown with Chinese labels."""
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry the Chinese term the UI shows."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def from_label(cls, label: str):
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)

    @classmethod
    def from_text(cls, text: str):
        """By its Chinese label or its code, as people type either on a command line or in a table."""
        for member in cls:
            if text in (member.label, member.value):
                return member
        raise ValueError(text)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]
