"""Server-rendered pages: the template environment and render(), whole page or one htmx block."""

import hashlib
import hmac
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from app.auth.permissions import Action, can
from app.challenges.models import THEME_LABELS
from app.challenges.schemas import QUESTION_MIN
from app.clock import AMSTERDAM
from app.coalitions.schemas import CONTRIBUTION_MAX, ROLE_MAX
from app.config import ROOT, get_settings
from app.i18n import get_locale, gettext, ngettext
from app.i18n.formats import babel_locale as _babel_locale
from app.i18n.formats import day, moment
from app.validation import NAME_MAX

CSRF_COOKIE = "uk_csrf"
SESSION_COOKIE = "uk_session"
LANG_COOKIE = "uk_lang"

templates = Jinja2Blocks(directory=str(ROOT / "templates"))
env = templates.env
env.auto_reload = get_settings().environment == "dev"  # no file checks per render elsewhere
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def csrf_token(request: Request) -> str:
    nonce = request.scope.get("csrf_nonce", "")
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(request), submitted or "")


def money(cents: int | None) -> str:
    """€ 450.000 for whole euros, € 23.786,60 otherwise (never € 23.786,6)."""
    if cents is None:
        return "–"
    return format_currency(
        Decimal(cents) / 100,
        "EUR",
        locale=_babel_locale(),
        format="¤ #,##0" if cents % 100 == 0 else "¤ #,##0.00",
        currency_digits=False,
    )


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=_babel_locale())


def local_input(value: datetime | None) -> str:
    """A UTC moment as the value of a datetime-local input (Amsterdam time)."""
    return value.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if value else ""


def change(value: Any, field: str) -> str:
    """One side of an amendment's change, readable."""
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return ngettext("%(num)s item", "%(num)s items", len(value)) % {"num": len(value)}
    if field == "budget_cents":
        return money(value)
    if field in ("question_deadline", "submission_deadline"):
        return moment(datetime.fromisoformat(value))
    if field in ("period_start", "period_end", "expected_award_date"):
        return day(date.fromisoformat(value))
    return str(value)


env.filters.update(
    money=money, number=number, moment=moment, day=day, local_input=local_input, change=change
)
env.globals.update(
    can=can,
    Action=Action,
    get_locale=get_locale,
    csrf_token=csrf_token,
    theme_labels=THEME_LABELS,
)
# The browser's hints (maxlength, minlength) from the same limits the services check.
env.globals["limits"] = {
    "coalition_name": NAME_MAX,
    "role": ROLE_MAX,
    "contribution": CONTRIBUTION_MAX,
    "question_min": QUESTION_MIN,
}


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _demo_now(request: Request) -> datetime | None:
    """The platform's now, shown on every page in demo mode only (where the clock can move)."""
    app = request.scope.get("app")
    settings = getattr(app.state, "settings", None) if app is not None else None
    if settings is None or not settings.demo_mode:
        return None
    return getattr(request.state, "now", None)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    """The whole page, or only `block` when htmx asks for that region."""
    ctx = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "demo_now": _demo_now(request),
        **(context or {}),
    }
    if block and is_htmx(request) and request.headers.get("HX-Target") == block:
        return templates.TemplateResponse(
            request, template, ctx, status_code=status_code, block_name=block
        )
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: HX-Redirect for htmx, 303 otherwise."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
