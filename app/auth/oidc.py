"""OpenID Connect sign-in with an organisation's own identity provider, through Authlib.

Providers come from the environment: OIDC_PROVIDERS=entra,keycloak names them and each NAME has
OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _LABEL, _ORGANISATION and optionally _TRUST_EMAIL.
Every failure of the protocol becomes a SignInFailed with a message a person can act on.
"""

import logging
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from fastapi import Request
from joserfc.errors import ClaimError, JoseError

from app.errors import DomainError, Forbidden, NotFound

with warnings.catch_warnings():
    # Authlib 1.9 would rather use httpx2; httpx (which the app uses) is still supported.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App

log = logging.getLogger("uitkomst.oidc")

SCOPES = "openid email profile"
LEEWAY_SECONDS = 60
FLOW_SECONDS = 600
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
_TRUE = {"1", "true", "yes", "on"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OidcConfigError(ValueError):
    """The OIDC_* environment is incomplete; the app refuses to start."""


@dataclass(frozen=True)
class OidcProvider:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    organisation: str
    trust_email: bool = False

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def providers_from_env(environ: Mapping[str, str]) -> dict[str, OidcProvider]:
    """Parse OIDC_PROVIDERS and the variables of each provider it names."""
    names = [n.strip().lower() for n in environ.get("OIDC_PROVIDERS", "").split(",") if n.strip()]
    providers = {}
    for name in names:
        if not _NAME.match(name):
            raise OidcConfigError(
                f"OIDC_PROVIDERS: {name!r} is not a valid name (letters, digits and _ only)"
            )
        prefix = f"OIDC_{name.upper()}_"
        values = {
            key: environ.get(prefix + key.upper(), "").strip()
            for key in ("issuer", "client_id", "client_secret", "label", "organisation")
        }
        missing = [prefix + key.upper() for key, value in values.items() if not value]
        if missing:
            raise OidcConfigError(f"OIDC provider {name!r} needs {', '.join(missing)}")
        if not values["issuer"].startswith(("https://", "http://")) or len(values["issuer"]) > 500:
            raise OidcConfigError(f"{prefix}ISSUER must be an http(s) URL")
        trust = environ.get(prefix + "TRUST_EMAIL", "false").strip().lower() in _TRUE
        providers[name] = OidcProvider(name=name, trust_email=trust, **values)
    return providers


def build_oauth(providers: Mapping[str, OidcProvider], **client_kwargs: Any) -> OAuth:
    """One Authlib client per provider; client_kwargs reach httpx (tests pass a transport)."""
    oauth = OAuth()
    for provider in providers.values():
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "timeout": 10,
                **client_kwargs,
            },
        )
    return oauth


class SignInFailed(DomainError):
    """Sign-in through the identity provider did not succeed; the user stays signed out."""

    status = 401
    code = "oidc_failed"


class ProviderUnavailable(SignInFailed):
    """Still a 4xx: the outage is the provider's; the warning in the log is for the operator."""

    code = "oidc_unavailable"


class EmailNotVerified(Forbidden):
    code = "oidc_email_unverified"


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says signed in, after every check passed."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    id_token: str


def provider_for(request: Request, name: str) -> tuple[OidcProvider, StarletteOAuth2App]:
    provider = request.app.state.oidc_providers.get(name)
    if provider is None:
        raise NotFound("This sign-in method is not configured.", code="oidc_unknown_provider")
    return provider, request.app.state.oauth.create_client(name)


def _unavailable(provider: OidcProvider) -> ProviderUnavailable:
    return ProviderUnavailable(
        "%(provider)s cannot be reached right now. Try again in a few minutes.",
        provider=provider.label,
    )


async def _metadata(provider: OidcProvider, client: StarletteOAuth2App) -> dict[str, Any]:
    """The discovery document, checked to be about the issuer we were configured with."""
    try:
        metadata = await client.load_server_metadata()
    except (httpx.HTTPError, ValueError, TypeError) as error:  # unreachable, or not JSON object
        log.warning("OIDC discovery for %s failed: %r", provider.name, error)
        raise _unavailable(provider) from error
    if metadata.get("issuer") != provider.issuer:
        client.server_metadata.clear()  # look again next time; the operator may fix it
        log.warning("OIDC %s: discovery names issuer %r", provider.name, metadata.get("issuer"))
        raise SignInFailed(
            "%(provider)s answered as a different identity provider than configured. "
            "Nothing was signed in; please tell the platform admin.",
            code="oidc_wrong_issuer",
            provider=provider.label,
        )
    return metadata


def callback_url(request: Request, provider: OidcProvider) -> str:
    base = request.app.state.settings.base_url.rstrip("/")
    return f"{base}/auth/oidc/{provider.name}/callback"


async def begin(request: Request, provider: OidcProvider, client: StarletteOAuth2App):
    """Redirect to the provider; state, nonce and the PKCE verifier wait in the flow cookie."""
    await _metadata(provider, client)
    try:
        return await client.authorize_redirect(request, callback_url(request, provider))
    except (httpx.HTTPError, RuntimeError) as error:
        raise _unavailable(provider) from error


# What went wrong with the ID token, per claim (gettext ids; the test finds tables by this name).
_MESSAGES = {
    "iss": "The sign-in came from a different identity provider than expected.",
    "aud": "The sign-in was meant for a different application.",
    "nonce": "The sign-in does not belong to this browser session. Please start again.",
    "exp": "The sign-in has expired. Please start again.",
}


def _token_problem(error: JoseError) -> SignInFailed:
    claim = error.claim.split(",")[0] if isinstance(error, ClaimError) else ""
    message = _MESSAGES.get(
        claim, "The identity provider's answer could not be verified. Please start again."
    )
    return SignInFailed(message, code="oidc_invalid_token")


async def complete(
    request: Request, provider: OidcProvider, client: StarletteOAuth2App
) -> Identity:
    """Check the callback, exchange the code and validate the ID token; then read the claims."""
    error = request.query_params.get("error")
    if error == "access_denied":
        raise SignInFailed(
            "Sign-in was cancelled at %(provider)s. You are not signed in.",
            code="oidc_cancelled",
            provider=provider.label,
        )
    if error:
        log.warning("OIDC %s returned error %r", provider.name, error)
        raise SignInFailed(
            "%(provider)s could not sign you in. Please try again.",
            code="oidc_provider_error",
            provider=provider.label,
        )
    metadata = await _metadata(provider, client)
    claims_options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "exp": {"essential": True},
    }
    try:
        token = await client.authorize_access_token(
            request, claims_options=claims_options, leeway=LEEWAY_SECONDS
        )
    except OAuthError as failure:
        if failure.error == "mismatching_state":
            raise SignInFailed(
                "This sign-in link is no longer valid (it was used already, has expired or "
                "was started in another browser). Please start again.",
                code="oidc_state_mismatch",
            ) from failure
        log.warning("OIDC %s token request refused: %s", provider.name, failure)
        raise SignInFailed(
            "%(provider)s did not accept the sign-in (it may have been used already). "
            "Please start again.",
            code="oidc_code_refused",
            provider=provider.label,
        ) from failure
    except JoseError as failure:
        log.warning("OIDC %s ID token refused: %r", provider.name, failure)
        raise _token_problem(failure) from failure
    except (httpx.HTTPError, ValueError, TypeError, KeyError, RuntimeError) as failure:
        log.warning("OIDC %s token exchange failed: %r", provider.name, failure)
        raise _unavailable(provider) from failure
    claims = token.get("userinfo")
    if "id_token" not in token or not claims:
        raise SignInFailed(
            "%(provider)s did not send an ID token. Please tell the platform admin.",
            code="oidc_no_id_token",
            provider=provider.label,
        )
    extra = {}
    if not (claims.get("email") and "email_verified" in claims and claims.get("name")):
        extra = await _userinfo(provider, client, metadata, token, claims["sub"])
    return _identity(provider, dict(claims), extra, token["id_token"])


async def _userinfo(provider, client, metadata, token, subject: str) -> dict[str, Any]:
    """The userinfo endpoint, for providers that keep email or name out of the ID token."""
    if not metadata.get("userinfo_endpoint"):
        return {}
    try:
        info = dict(await client.userinfo(token=token))
    except (httpx.HTTPError, ValueError, OAuthError) as failure:
        raise _unavailable(provider) from failure
    if info.get("sub") != subject:  # OIDC Core 5.3.2: never use another subject's claims
        raise SignInFailed(
            "The identity provider's answer could not be verified. Please start again.",
            code="oidc_invalid_token",
        )
    return info


def _verified(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _text(value: Any) -> str:
    """A claim as text fit to store: a string without control characters (NUL included)."""
    return _CONTROL.sub("", value).strip() if isinstance(value, str) else ""


def _identity(provider: OidcProvider, claims: dict, userinfo: dict, id_token: str) -> Identity:
    subject = claims["sub"]
    if not isinstance(subject, str) or _CONTROL.search(subject) or len(subject) > 255:
        raise SignInFailed(  # OIDC Core 2: at most 255 ASCII characters
            "The identity provider's answer could not be verified. Please start again.",
            code="oidc_invalid_token",
        )
    # Email and email_verified come as a pair from one source, preferring one that has both.
    sources = [s for s in (claims, userinfo) if _text(s.get("email"))]
    source = next((s for s in sources if "email_verified" in s), sources[0] if sources else {})
    email = _text(source.get("email")).lower() or None
    if email and (len(email) > 254 or "@" not in email):
        email = None
    name = _text(claims.get("name")) or _text(userinfo.get("name"))
    if not name:
        parts = [
            _text(claims.get(k)) or _text(userinfo.get(k)) for k in ("given_name", "family_name")
        ]
        name = " ".join(p for p in parts if p)
    return Identity(
        issuer=provider.issuer,
        subject=subject,
        email=email,
        email_verified=provider.trust_email or _verified(source.get("email_verified")),
        name=name[:200] or None,
        id_token=id_token,
    )


async def end_session_url(request: Request, name: str | None, id_token: str | None) -> str | None:
    """Where to send the browser so the provider ends its session too, if it offers that."""
    provider = request.app.state.oidc_providers.get(name or "")
    if provider is None:
        return None
    client = request.app.state.oauth.create_client(provider.name)
    try:
        metadata = await _metadata(provider, client)
    except SignInFailed:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    root = request.app.state.settings.base_url.rstrip("/") + "/"
    result = await client.create_logout_url(
        post_logout_redirect_uri=root, id_token_hint=id_token, client_id=provider.client_id
    )
    return result["url"]


def configure(app: Any, providers: Mapping[str, OidcProvider], **client_kwargs: Any) -> None:
    """Install the providers (and their Authlib clients) on the app."""
    app.state.oidc_providers = dict(providers)
    app.state.oauth = build_oauth(providers, **client_kwargs)
