"""The interactive API documentation works without internet: Swagger UI comes from this origin,
under a policy that allows nothing else."""

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_from_this_origin_only(pages, live_server) -> None:
    page = pages.new()
    origin = urlparse(live_server.url).netloc
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).netloc not in (origin, "") and elsewhere.append(request.url)
        ),
    )
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Uitkomst" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 0  # the operations, read from /openapi.json
    assert elsewhere == []
    assert not pages.errors, pages.errors
