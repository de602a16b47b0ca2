"""Every state-changing page route refuses a form without the CSRF token."""

import re

from fastapi.routing import APIRoute

from app.organisations.models import Role
from tests.conftest import sign_in


def _routes(routes):
    """Routes, looking inside included routers (kept as wrappers by newer FastAPI)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            prefix = getattr(inner, "prefix", "")
            for _inner_prefix, sub in _routes(inner.routes):
                yield prefix, sub
        else:
            yield "", route


def _html_posts(app) -> list[str]:
    paths = []
    for prefix, route in _routes(app.routes):
        path = route.path if route.path.startswith(prefix) else prefix + route.path
        if not isinstance(route, APIRoute) or path.startswith(("/api/", "/oauth/")):
            continue
        if {"POST", "PUT", "PATCH", "DELETE"} & route.methods:
            paths.append(re.sub(r"\{[^}]+\}", "1", path))
    return paths


async def test_every_html_post_checks_csrf(app, client, make):
    paths = _html_posts(app)
    assert len(paths) > 15  # the walk found the forms
    # Signed in (a session is what a forged form would ride on); anonymous callers are asked to
    # sign in first (tests/test_anonymous_writes.py).
    await sign_in(client, (await make.user(Role.provider_member)).email)
    for path in paths:
        response = await client.post(path, data={"anything": "x"})
        assert response.status_code == 403, path
