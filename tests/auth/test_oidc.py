"""Sign-in through an identity provider, against a fake provider in the test process."""

import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import oidc
from app.auth.models import OidcIdentity, WebSession
from app.organisations.models import Role, User
from tests.auth.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider
from tests.conftest import csrf, post_form

ORGANISATION = "Gemeente Testdorp"
LABEL = "Inloggen met Testdorp-account"


def provider(fake: FakeProvider, **overrides) -> oidc.OidcProvider:
    values = {
        "name": "testdorp",
        "issuer": fake.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "label": LABEL,
        "organisation": ORGANISATION,
    }
    return oidc.OidcProvider(**{**values, **overrides})


@pytest.fixture
def fake() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
async def org(make):
    return await make.org(name=ORGANISATION)


@pytest.fixture
def idp(app, fake, org, client) -> FakeProvider:
    oidc.configure(app, {"testdorp": provider(fake)}, transport=fake.transport)
    client.cookies.set("uk_lang", "en")
    return fake


async def start(client, next: str = "/challenges") -> dict[str, str]:
    """Click the provider's button; return the parameters sent to the provider."""
    response = await client.get("/auth/oidc/testdorp/login", params={"next": next})
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith("https://idp.example.test/authorize?")
    return dict(parse_qsl(urlsplit(location).query))


async def come_back(client, params: dict[str, str]):
    return await client.get("/auth/oidc/testdorp/callback", params=params)


async def sign_in(client, fake, next: str = "/challenges"):
    params = await start(client, next)
    code = fake.authorize(params)
    return await come_back(client, {"code": code, "state": params["state"]})


async def signed_in_name(client) -> bool:
    page = await client.get("/challenges")
    return "Sanne de Vries" in page.text


async def actions(db) -> list[str]:
    return list(await db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- the happy paths ---------------------------------------------------------------------------


async def test_the_sign_in_page_shows_a_button_per_provider(client, idp):
    page = await client.get("/login", params={"next": "/challenges/new"})
    assert LABEL in page.text
    assert 'href="/auth/oidc/testdorp/login?next=/challenges/new"' in page.text


async def test_the_flow_uses_pkce_state_and_nonce(client, idp):
    params = await start(client)
    assert params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"] and params["code_challenge"]
    assert params["redirect_uri"] == "http://127.0.0.1:8000/auth/oidc/testdorp/callback"
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert "uk_oidc" in client.cookies  # the flow's state waits in a short-lived signed cookie


async def test_a_new_user_gets_an_account_without_a_role(client, idp, db, org):
    response = await sign_in(client, idp, next="/challenges?status=open")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/challenges?status=open"
    assert await signed_in_name(client)
    user = await db.scalar(select(User).where(User.email == "sanne@testdorp.nl"))
    assert user.role is None and user.organisation_id == org.id and user.password_hash is None
    link = await db.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
    assert (link.provider, link.issuer, link.subject) == ("testdorp", idp.issuer, "user-123")
    assert await actions(db) == ["user.created", "user.identity_linked", "user.signed_in"]
    assert (await client.get("/challenges/new")).status_code == 403  # no role, no rights


async def test_a_verified_email_links_the_existing_account(client, idp, db, make):
    existing = await make.user(Role.policy_officer, email="sanne@testdorp.nl")
    assert (await sign_in(client, idp)).status_code == 303
    assert existing.name in (await client.get("/challenges")).text
    link = await db.scalar(select(OidcIdentity))
    assert link.user_id == existing.id
    assert await db.scalar(select(User.role)) == Role.policy_officer  # roles untouched
    assert await actions(db) == ["user.identity_linked", "user.signed_in"]


async def test_the_link_survives_an_email_change_at_the_provider(client, idp, db):
    await sign_in(client, idp)
    await post_form(client, "/logout", {})
    idp.account.update(email="s.devries@nieuw.nl", email_verified=False, name="Sanne V.")
    assert (await sign_in(client, idp)).status_code == 303
    users = list(await db.scalars(select(User)))
    assert [u.email for u in users] == ["sanne@testdorp.nl"]


async def test_email_and_name_may_come_from_userinfo(client, idp, db):
    idp.id_token_claims = ()  # the ID token says only who, the userinfo endpoint the rest
    assert (await sign_in(client, idp)).status_code == 303
    assert await signed_in_name(client)
    assert "/userinfo" in idp.requests


async def test_trust_email_accepts_a_provider_that_omits_email_verified(app, client, fake, org):
    fake.account.pop("email_verified")
    oidc.configure(app, {"testdorp": provider(fake, trust_email=True)}, transport=fake.transport)
    client.cookies.set("uk_lang", "en")
    assert (await sign_in(client, fake)).status_code == 303
    assert await signed_in_name(client)


async def test_sign_out_ends_the_provider_session_too(client, idp, db):
    await sign_in(client, idp)
    out = await post_form(client, "/logout", {})
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.example.test/logout"
    query = dict(parse_qsl(target.query))
    assert query["id_token_hint"] == idp.issued_id_tokens[-1]
    assert query["post_logout_redirect_uri"] == "http://127.0.0.1:8000/"
    assert not await signed_in_name(client)
    assert await db.scalar(select(WebSession)) is None


async def test_sign_out_stays_local_without_an_end_session_endpoint(client, idp):
    idp.discovery_overrides["end_session_endpoint"] = None
    await sign_in(client, idp)
    out = await post_form(client, "/logout", {})
    assert out.headers["location"] == "/"


# --- every failure: a clear message on the sign-in page, still signed out, never a 500 --------


async def refused(client, response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert message in response.text
    assert 'action="/login"' in response.text  # the sign-in page, to try again
    assert "uk_session" not in client.cookies
    assert not await signed_in_name(client)


async def test_tampered_state_is_refused(client, idp, db):
    params = await start(client)
    code = idp.authorize(params)
    response = await come_back(client, {"code": code, "state": params["state"] + "x"})
    await refused(client, response, 401, "This sign-in link is no longer valid")
    assert "/token" not in idp.requests  # the code was never even tried
    assert await db.scalar(select(User)) is None


@pytest.mark.parametrize("cookie", [None, "forged.value"], ids=["no-cookie", "forged-cookie"])
async def test_a_callback_from_another_browser_is_refused(client, idp, cookie):
    params = await start(client)
    code = idp.authorize(params)
    client.cookies.delete("uk_oidc")
    if cookie:
        client.cookies.set("uk_oidc", cookie, path="/auth/oidc")
    response = await come_back(client, {"code": code, "state": params["state"]})
    await refused(client, response, 401, "This sign-in link is no longer valid")


async def test_a_replayed_callback_is_refused(client, idp):
    params = await start(client)
    pending = client.cookies["uk_oidc"]
    callback = {"code": idp.authorize(params), "state": params["state"]}
    assert (await come_back(client, callback)).status_code == 303
    await post_form(client, "/logout", {})
    # The same browser, the same URL: the state was used up.
    again = await come_back(client, callback)
    await refused(client, again, 401, "This sign-in link is no longer valid")
    # Even with the flow cookie as it was before: the provider refuses the used code.
    client.cookies.set("uk_oidc", pending, path="/auth/oidc")
    replayed = await come_back(client, callback)
    await refused(client, replayed, 401, "did not accept the sign-in")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"nonce": "not-the-nonce"}, "does not belong to this browser session"),
        ({"nonce": None}, "does not belong to this browser session"),
        ({"iss": "https://evil.example.test"}, "different identity provider than expected"),
        ({"aud": "another-app"}, "meant for a different application"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "has expired"),
    ],
    ids=["wrong-nonce", "missing-nonce", "wrong-issuer", "wrong-audience", "expired"],
)
async def test_an_id_token_that_does_not_hold_is_refused(client, idp, db, claims, message):
    idp.id_token_overrides = claims
    await refused(client, await sign_in(client, idp), 401, message)
    assert await db.scalar(select(User)) is None


async def test_an_id_token_signed_with_another_key_is_refused(client, idp):
    idp.signing_key = RSAKey.generate_key(2048, {"kid": "test-key"})
    await refused(client, await sign_in(client, idp), 401, "could not be verified")


async def test_a_provider_that_claims_another_issuer_is_refused(client, idp):
    idp.discovery_overrides["issuer"] = "https://evil.example.test"
    response = await client.get("/auth/oidc/testdorp/login")
    await refused(client, response, 401, "different identity provider than configured")


async def test_an_unverified_email_is_refused(client, idp, db, make):
    existing = await make.user(Role.admin, email="sanne@testdorp.nl")
    idp.account["email_verified"] = False
    response = await sign_in(client, idp)
    await refused(client, response, 403, "has not verified your email address sanne@testdorp.nl")
    assert await db.scalar(select(OidcIdentity)) is None  # no takeover of the admin account
    assert existing.role == Role.admin


async def test_a_missing_email_verified_counts_as_unverified(client, idp):
    idp.account.pop("email_verified")
    await refused(client, await sign_in(client, idp), 403, "has not verified your email")


async def test_no_email_at_all_is_refused(client, idp):
    idp.account.pop("email")
    await refused(client, await sign_in(client, idp), 401, "did not share your email address")


async def test_userinfo_about_someone_else_is_refused(client, idp):
    idp.id_token_claims = ()
    real = idp.userinfo

    def other_subject(request):
        response = real(request)
        return type(response)(200, json={**response.json(), "sub": "someone-else"})

    idp.userinfo = other_subject
    await refused(client, await sign_in(client, idp), 401, "could not be verified")


async def test_odd_claims_are_cleaned_or_refused(client, idp, db):
    idp.account.update(name="Sanne\x00 de Vries\n", email="sanne@testdorp.nl\x00")
    assert (await sign_in(client, idp)).status_code == 303
    user = await db.scalar(select(User))
    assert (user.name, user.email) == ("Sanne de Vries", "sanne@testdorp.nl")


@pytest.mark.parametrize("subject", ["x" * 256, "user\x00123"], ids=["too-long", "nul"])
async def test_an_odd_subject_is_refused(client, idp, subject):
    idp.account["sub"] = subject
    await refused(client, await sign_in(client, idp), 401, "could not be verified")


async def test_provider_down_is_a_clear_message(client, idp):
    idp.down = True
    response = await client.get("/auth/oidc/testdorp/login")
    await refused(client, response, 401, "cannot be reached right now")


@pytest.mark.parametrize("answer", [b"<html>maintenance</html>", b"[1, 2]"], ids=["html", "list"])
async def test_a_provider_answering_nonsense_is_like_one_that_is_down(client, idp, answer):
    idp.discovery = lambda _request: httpx.Response(200, content=answer)
    response = await client.get("/auth/oidc/testdorp/login")
    await refused(client, response, 401, "cannot be reached right now")


async def test_a_token_endpoint_answering_nonsense(client, idp):
    params = await start(client)
    code = idp.authorize(params)
    idp.token = lambda _request: httpx.Response(200, content=b"<html>oops</html>")
    response = await come_back(client, {"code": code, "state": params["state"]})
    await refused(client, response, 401, "cannot be reached right now")


async def test_provider_down_during_the_callback(client, idp):
    params = await start(client)
    code = idp.authorize(params)
    idp.down = True
    response = await come_back(client, {"code": code, "state": params["state"]})
    await refused(client, response, 401, "cannot be reached right now")


async def test_user_cancelled_at_the_provider(client, idp):
    params = await start(client)
    response = await come_back(
        client,
        {"error": "access_denied", "error_description": "cancelled", "state": params["state"]},
    )
    await refused(client, response, 401, f"Sign-in was cancelled at {LABEL}")


async def test_other_provider_errors(client, idp):
    params = await start(client)
    response = await come_back(client, {"error": "server_error", "state": params["state"]})
    await refused(client, response, 401, "could not sign you in")


async def test_a_callback_without_anything_is_refused(client, idp):
    await refused(client, await come_back(client, {}), 401, "no longer valid")


async def test_an_unknown_provider_is_not_found(client, idp):
    response = await client.get("/auth/oidc/nope/login")
    assert response.status_code == 404
    assert "This sign-in method is not configured." in response.text
    assert (await client.get("/auth/oidc/nope/callback?code=x&state=y")).status_code == 404


async def test_a_missing_organisation_is_a_clear_message(app, client, fake, db):
    oidc.configure(
        app, {"testdorp": provider(fake, organisation="Bestaat Niet")}, transport=fake.transport
    )
    client.cookies.set("uk_lang", "en")
    await refused(client, await sign_in(client, fake), 401, "is not set up completely")
    assert await db.scalar(select(User)) is None


async def test_a_disabled_account_stays_out(client, idp, db, make):
    user = await make.user(None, email="sanne@testdorp.nl")
    user.is_active = False
    await db.flush()
    await refused(client, await sign_in(client, idp), 403, "This account has been disabled.")


async def test_messages_are_dutch_by_default(client, idp):
    client.cookies.delete("uk_lang")
    idp.down = True
    response = await client.get("/auth/oidc/testdorp/login")
    assert "is nu niet bereikbaar" in response.text


async def test_next_only_goes_to_local_paths(client, idp):
    response = await sign_in(client, idp, next="https://evil.example/phish")
    assert response.headers["location"] == "/"


async def test_the_password_lock_never_holds_the_identity_provider(app, client, idp, make):
    """Someone's wrong passwords lock the local sign-in; the provider still lets the owner in,
    and the browser is then a known device for the password too."""
    owner = await make.user(Role.policy_officer, email="sanne@testdorp.nl")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as attacker:
        for _ in range(5):
            token = await csrf(attacker)
            form = {"email": owner.email, "password": "guess", "csrf_token": token}
            assert (await attacker.post("/login", data=form)).status_code == 401
        form = {"email": owner.email, "password": "secret-pass", "csrf_token": token}
        assert (await attacker.post("/login", data=form)).status_code == 429
    assert (await sign_in(client, idp)).status_code == 303
    assert owner.name in (await client.get("/challenges")).text
    await post_form(client, "/logout", {})
    form = {"email": owner.email, "password": "secret-pass", "csrf_token": await csrf(client)}
    assert (await client.post("/login", data=form)).status_code == 303


# --- configuration -----------------------------------------------------------------------------


def test_providers_from_the_environment():
    env = {
        "OIDC_PROVIDERS": "entra, Keycloak",
        "OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "OIDC_ENTRA_CLIENT_ID": "id-1",
        "OIDC_ENTRA_CLIENT_SECRET": "secret-1",
        "OIDC_ENTRA_LABEL": "Inloggen met Microsoft",
        "OIDC_ENTRA_ORGANISATION": "Gemeente Voorbeeldstad",
        "OIDC_ENTRA_TRUST_EMAIL": "true",
        "OIDC_KEYCLOAK_ISSUER": "https://sso.example.nl/realms/gemeente",
        "OIDC_KEYCLOAK_CLIENT_ID": "id-2",
        "OIDC_KEYCLOAK_CLIENT_SECRET": "secret-2",
        "OIDC_KEYCLOAK_LABEL": "Inloggen met Keycloak",
        "OIDC_KEYCLOAK_ORGANISATION": "Gemeente Voorbeeldstad",
    }
    providers = oidc.providers_from_env(env)
    assert list(providers) == ["entra", "keycloak"]
    assert providers["entra"].trust_email is True
    assert providers["keycloak"].trust_email is False
    assert providers["keycloak"].metadata_url == (
        "https://sso.example.nl/realms/gemeente/.well-known/openid-configuration"
    )
    assert oidc.providers_from_env({}) == {}


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"OIDC_PROVIDERS": "entra"}, "OIDC_ENTRA_ISSUER, OIDC_ENTRA_CLIENT_ID"),
        ({"OIDC_PROVIDERS": "en tra"}, "not a valid name"),
        (
            {
                "OIDC_PROVIDERS": "x",
                "OIDC_X_ISSUER": "ftp://x",
                "OIDC_X_CLIENT_ID": "a",
                "OIDC_X_CLIENT_SECRET": "b",
                "OIDC_X_LABEL": "c",
                "OIDC_X_ORGANISATION": "d",
            },
            "OIDC_X_ISSUER must be an http(s) URL",
        ),
    ],
)
def test_an_incomplete_configuration_refuses_to_start(env, problem):
    with pytest.raises(oidc.OidcConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        oidc.providers_from_env(env)
