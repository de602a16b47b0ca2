"""Small helper so StrEnum columns store their values as plain strings on every backend."""

from enum import StrEnum

from sqlalchemy import Enum


def enum_column(enum: type[StrEnum]) -> Enum:
    return Enum(
        enum,
        native_enum=False,
        length=40,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
