"""Security headers on every kind of answer, Secure cookies, and templates a strict CSP allows
(issue 7, finding 9)."""

import io
import re
from pathlib import Path

import httpx
import pytest

from app.challenges import attachments
from app.config import Settings
from app.main import create_app
from app.organisations.models import Role
from tests.conftest import sign_in
from tests.documents import samples

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def assert_protected(response: httpx.Response, *, csp: str = CSP) -> None:
    assert response.headers["content-security-policy"] == csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


async def test_a_public_page(client):
    response = await client.get("/challenges")
    assert response.status_code == 200
    assert_protected(response)
    assert "strict-transport-security" not in response.headers  # plain HTTP, SECURE_COOKIES off
    assert "no-store" not in response.headers.get("cache-control", "")  # may be cached


async def test_error_pages_and_static_files_too(client):
    assert_protected(await client.get("/does-not-exist"))
    script = await client.get("/static/app.js")
    assert script.status_code == 200
    assert_protected(script)


async def test_a_signed_in_page_is_not_stored(client, officer):
    await sign_in(client, officer.email)
    for path in ("/challenges", "/challenges/new", "/does-not-exist"):
        response = await client.get(path)
        assert_protected(response)
        assert response.headers["cache-control"] == "no-store", path
    api = await client.get("/api/v1/challenges")  # the session cookie goes along
    assert api.headers["cache-control"] == "no-store"
    assert "cache-control" not in (await client.get("/static/app.css")).headers  # public asset


async def test_an_api_answer_with_credentials_is_not_stored(client, make, officer):
    token = await make.token(officer)
    mine = await client.get("/api/v1/challenges", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200
    assert_protected(mine)
    assert mine.headers["cache-control"] == "no-store"
    refused = await client.get("/api/v1/challenges", headers={"Authorization": "Bearer wrong"})
    assert refused.headers["cache-control"] == "no-store"
    public = await client.get("/api/v1/challenges")
    assert_protected(public)
    assert "no-store" not in public.headers.get("cache-control", "")


async def test_a_file_download(client, app, make, officer):
    challenge = await make.challenge(officer)
    attachment = await attachments.add_attachment(
        make.ctx(officer),
        app.state.documents,
        challenge.id,
        "notitie.pdf",
        io.BytesIO(samples.pdf()),
        1_000_000,
    )
    await sign_in(client, officer.email)
    response = await client.get(f"/challenges/{challenge.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert_protected(response, csp="default-src 'none'; sandbox")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"


async def test_swagger_ui_loads_only_from_this_origin(client):
    """/api/docs works without internet: every asset it names is served here, and its policy
    allows this origin and its own inline scripts (by hash), no CDN and no 'unsafe-inline'."""
    response = await client.get("/api/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "https:" not in policy and "unsafe-inline" not in policy
    assert "script-src 'self' 'sha256-" in policy
    assert "style-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert len(assets) == 3  # the script, the style sheet and the icon
    for url in assets:
        assert url.startswith("/static/swagger-ui/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        assert served.content
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "unsafe-inline" not in redirect.headers["content-security-policy"]


# --- HTTPS: HSTS and Secure cookies ----------------------------------------------------------


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


async def test_over_https_hsts_is_sent(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.get("/challenges")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.fixture
async def secure_client(settings, clock, db_maker):
    application = create_app(settings.model_copy(update={"secure_cookies": True}), clock=clock)
    application.state.sessionmaker = db_maker
    transport = httpx.ASGITransport(app=application)
    # Plain http on purpose: behind a TLS-terminating proxy the app may see http.
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_with_secure_cookies_every_cookie_is_secure_and_hsts_is_sent(secure_client, officer):
    first = await secure_client.get("/login")
    assert first.headers["strict-transport-security"].startswith("max-age=")
    csrf_cookie = set_cookies(first)["uk_csrf"]
    assert "; secure" in csrf_cookie.lower()
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text).group(1)
    # The client keeps a Secure cookie for https only; hand it back as a browser behind TLS would.
    secure_client.cookies.set("uk_csrf", csrf_cookie.split("=", 1)[1].split(";", 1)[0])
    signed_in = await secure_client.post(
        "/login", data={"email": officer.email, "password": "secret-pass", "csrf_token": token}
    )
    assert signed_in.status_code == 303, signed_in.text
    assert "; secure" in set_cookies(signed_in)["uk_session"].lower()
    language = await secure_client.get("/lang/en")
    assert "; secure" in set_cookies(language)["uk_lang"].lower()


def test_secure_cookies_are_on_in_production_unless_turned_off():
    secret = "x" * 40
    assert Settings(environment="production", secret_key=secret).secure_cookies is True
    off = Settings(environment="production", secret_key=secret, secure_cookies=False)
    assert off.secure_cookies is False
    assert Settings(environment="dev").secure_cookies is False
    assert Settings(environment="demo", secure_cookies=True).secure_cookies is True


# --- templates a strict CSP allows -----------------------------------------------------------

INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "hx-on attribute": re.compile(r"\s(data-)?hx-on", re.I),
    "on…= event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_holds_inline_script_style_or_handlers():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    found = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_template_check_finds_what_it_looks_for():
    bad = (
        '<div style="x"></div><script>alert(1)</script><a onclick="x()"></a>'
        "<form hx-on::after-request=\"x\"></form><style>a{}</style><a href='javascript:x'>"
    )
    assert all(pattern.search(bad) for pattern in INLINE.values())
    assert not INLINE["inline <script>"].search('<script src="/static/app.js" defer></script>')
