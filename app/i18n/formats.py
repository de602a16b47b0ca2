"""Dates in the reader's language; for pages and for the messages services raise."""

from datetime import date, datetime

from babel.dates import format_date, format_datetime

from app.clock import AMSTERDAM
from app.i18n import get_locale


def babel_locale() -> str:
    return "nl_NL" if get_locale() == "nl" else "en_GB"


def moment(value: datetime | None) -> str:
    if value is None:
        return "–"
    return format_datetime(value.astimezone(AMSTERDAM), "d MMMM yyyy, HH:mm", locale=babel_locale())


def day(value: date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, "d MMMM yyyy", locale=babel_locale())
