"""Small helpers for the audit API tests."""

from datetime import timedelta


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def after_deadline(app, clock) -> None:
    """Move the test clock past the factories' submission deadline (30 days)."""
    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None


async def register(make, registrar, scopes: str = "audit:read") -> tuple[str, str]:
    """An API client registered by `registrar`'s admin screen (None: at the command line)."""
    from app.api_clients import service

    made, secret = await service.create_client(
        make.ctx(registrar), {"name": "Programma", "scopes": scopes}, operator=registrar is None
    )
    return made.client_id, secret


async def client_token(client, credentials: tuple[str, str]) -> dict[str, str]:
    """A bearer header with a fresh token from POST /oauth/token (they last minutes)."""
    answer = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


async def program(client, make, registrar, scopes: str = "audit:read") -> dict[str, str]:
    """A bearer header for a newly registered client (see `register`)."""
    return await client_token(client, await register(make, registrar, scopes))
