"""Dutch by default, English on request: gettext catalogs read straight from the .po files."""

import gettext as _gettext
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
CATALOG_DIR = Path(__file__).parent

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
_translations: dict[str, _gettext.NullTranslations] = {}


def _load(locale: str) -> _gettext.NullTranslations:
    po_file = CATALOG_DIR / f"{locale}.po"
    if not po_file.exists():
        return _gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def translations(locale: str) -> _gettext.NullTranslations:
    if locale not in _translations:
        _translations[locale] = _load(locale)
    return _translations[locale]


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


def translate(message: str, **params: object) -> str:
    text = gettext(message)
    return text % params if params else text


class Lazy(str):
    """A message id rendered in the caller's language when it is shown."""

    def __new__(cls, message: str, **params: object) -> "Lazy":
        obj = super().__new__(cls, message)
        obj.params = params
        return obj

    def __str__(self) -> str:
        return translate(str.__str__(self), **self.params)


_ = gettext
N_ = Lazy
