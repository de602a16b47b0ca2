"""The interactive API documentation (Swagger UI), served from the app itself: it works without
internet and its policy allows nothing but this origin and the two inline scripts it starts with.

Swagger UI's files (swagger-ui-dist 5, Apache-2.0) come from the fastapi-offline package (MIT),
a maintained PyPI package that ships them; upgrading is a version bump of that dependency."""

import base64
import hashlib
import re
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/static/swagger-ui"
ASSETS_DIR = files("fastapi_offline") / "static"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def docs_page() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Uitkomst - Swagger UI",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


def inline_script_hashes() -> str:
    """CSP sources for exactly the inline scripts of the two docs pages, and nothing else."""
    pages = (docs_page().body, get_swagger_ui_oauth2_redirect_html().body)
    scripts = [s for page in pages for s in _INLINE_SCRIPT.findall(bytes(page).decode())]
    digests = (base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


def install_docs(app: FastAPI) -> None:
    """/api/docs and its OAuth2 redirect page; the assets are mounted before /static."""

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return docs_page()

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.mount(ASSETS_URL, StaticFiles(directory=str(ASSETS_DIR)), name="swagger-ui")
