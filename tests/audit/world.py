"""Small helpers for the audit API tests."""

from datetime import timedelta


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def after_deadline(app, clock) -> None:
    """Move the test clock past the factories' submission deadline (30 days)."""
    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None
