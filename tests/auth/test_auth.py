"""Local sign-in, sessions, throttling and API tokens."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.organisations.models import Role
from tests.conftest import csrf, post_form, sign_in


async def login(client, email, password):
    token = await csrf(client)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )


async def test_sign_in_and_out(client, make):
    user = await make.user(Role.policy_officer, email="fatima@gemeente.nl")
    await sign_in(client, "  Fatima@Gemeente.NL ")  # email is matched case-insensitively
    assert user.name in (await client.get("/challenges")).text
    assert "uk_session" in client.cookies
    out = await post_form(client, "/logout", {})
    assert out.status_code == 303
    assert user.name not in (await client.get("/challenges")).text


async def test_a_stolen_cookie_is_useless_after_sign_out(client, make):
    user = await make.user(Role.policy_officer)
    await sign_in(client, user.email)
    stolen = client.cookies["uk_session"]
    await post_form(client, "/logout", {})
    client.cookies.set("uk_session", stolen)
    assert user.name not in (await client.get("/challenges")).text


async def test_session_expires(client, make, clock):
    user = await make.user(Role.policy_officer)
    await sign_in(client, user.email)
    clock.advance(timedelta(days=15))
    assert user.name not in (await client.get("/challenges")).text


async def test_wrong_password_gives_a_clear_message(client, make):
    user = await make.user(Role.policy_officer)
    client.cookies.set("uk_lang", "en")
    response = await login(client, user.email, "wrong")
    assert response.status_code == 401
    assert "Email address or password is not correct." in response.text
    assert f'value="{user.email}"' in response.text


async def test_unknown_and_inactive_accounts_cannot_sign_in(client, make, db):
    user = await make.user(Role.policy_officer)
    user.is_active = False
    await db.flush()
    assert (await login(client, user.email, "secret-pass")).status_code == 401
    assert (await login(client, "nobody@example.nl", "secret-pass")).status_code == 401


async def test_login_throttling_per_account(client, make, clock):
    user = await make.user(Role.policy_officer)
    for _ in range(5):
        assert (await login(client, user.email, "wrong")).status_code == 401
    blocked = await login(client, user.email, "secret-pass")
    assert blocked.status_code == 429  # even the right password waits
    clock.advance(timedelta(minutes=16))
    assert (await login(client, user.email, "secret-pass")).status_code == 303


async def test_a_success_clears_earlier_failures(client, make):
    user = await make.user(Role.policy_officer)
    for _ in range(4):
        await login(client, user.email, "wrong")
    assert (await login(client, user.email, "secret-pass")).status_code == 303
    for _ in range(4):
        assert (await login(client, user.email, "wrong")).status_code == 401


async def test_login_without_csrf_is_refused(client, make):
    user = await make.user(Role.policy_officer)
    response = await client.post("/login", data={"email": user.email, "password": "secret-pass"})
    assert response.status_code == 403
    assert "uk_session" not in client.cookies


async def test_next_only_goes_to_local_paths(client, make):
    user = await make.user(Role.policy_officer)
    token = await csrf(client)
    response = await client.post(
        "/login",
        data={
            "email": user.email,
            "password": "secret-pass",
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert response.headers["location"] == "/"


async def test_api_tokens_are_stored_hashed(make, db):
    user = await make.user(Role.auditor)
    token = await make.token(user)
    stored = (await db.scalars(select(ApiToken.token_hash))).all()
    assert token not in stored
    assert len(stored) == 1


async def test_revoked_token_is_refused(client, make, db, clock):
    user = await make.user(Role.auditor)
    token = await make.token(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/audit/verify", headers=headers)).status_code == 200
    row = await db.scalar(select(ApiToken))
    row.revoked_at = clock.now()
    await db.flush()
    assert (await client.get("/api/v1/audit/verify", headers=headers)).status_code == 401


async def test_user_without_role_can_read_but_not_act(client, make):
    user = await make.user(None)
    await sign_in(client, user.email)
    assert (await client.get("/challenges")).status_code == 200
    assert (await client.get("/challenges/new")).status_code == 403


async def test_language_switch(client):
    dutch = await client.get("/login")
    assert 'lang="nl"' in dutch.text
    switched = await client.get("/lang/en", params={"next": "/login"})
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert 'lang="en"' in (await client.get("/login")).text
