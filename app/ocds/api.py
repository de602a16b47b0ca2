"""OCDS 1.1 open data under /api/v1/ocds: release packages paged by a cursor, a record package
per process with its compiled release, and every release as JSON Lines or as one release
package in a zip file.

Public, with or without a token. OCDS is open data: what it holds is what the challenge and
contract pages already show anyone, so the feed answers without a token, and a program that
sends an API client's token with the `ocds:read` scope (or a person's API token) gets the very
same data. A token that is sent is checked all the same: an unknown or expired one is 401, a
client token without `ocds:read` 403, and a client that asks too often 429, so a program
learns of a broken set-up at once. Every reader reads as the public (app/ocds/service.py).
"""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import SecurityScopes

from app.api_clients import service as api_clients
from app.api_clients.deps import client_access
from app.auth.deps import Now, PlatformClock, api_context
from app.context import Context
from app.db import DbSession
from app.ocds import service
from app.ocds.bulk import PACKAGE_TAIL, ZipStream, package_head
from app.ocds.releases import moment, package_meta, record_package, release_package
from app.routing import CommittingRoute

# Public: open data (see the module docstring); a token, if sent, is checked.
public_router = APIRouter(prefix="/api/v1/ocds", route_class=CommittingRoute, tags=["ocds"])

SCOPE = "ocds:read"
JSON_LINES = "application/x-ndjson"
ZIP = "application/zip"
BULK_FILE = "releases.json"  # the one file in releases.zip: a release package
CHUNK_LINES = 200  # releases per chunk sent: fewer, larger writes


async def ocds_reader(request: Request, db: DbSession, now: Now, clock: PlatformClock) -> Context:
    """The public's view; a token, if any, is checked first (client token or personal one)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    lookup = Context(db=db, user=None, now=now)
    if scheme.lower() == "bearer" and token.strip():
        if await api_clients.token_holder(lookup, token.strip()) is not None:
            await client_access(request, SecurityScopes([SCOPE]), db, now, header)
            return Context(db=db, user=None, now=now, clock=clock)
    if header:
        await api_context(request, db, now, clock)  # a person's token, or 401
    return Context(db=db, user=None, now=now, clock=clock)


Reader = Annotated[Context, Depends(ocds_reader)]

TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent, but it is unknown, expired or revoked"},
    403: {"description": "A client token without the ocds:read scope"},
    429: {"description": "Too many requests from this API client; see Retry-After"},
}
SECURITY = {"security": [{}, {"ApiClient": [SCOPE]}]}

RELEASE_EXAMPLE = {
    "ocid": "ocds-xxxxxx-7",
    "id": "ocds-xxxxxx-7-tender",
    "date": "2026-03-01T09:00:00Z",
    "tag": ["tender"],
    "initiationType": "tender",
    "language": "nl",
    "parties": [
        {
            "id": "uitkomst-organisation-1",
            "name": "Gemeente Voorbeeldstad",
            "roles": ["buyer", "procuringEntity"],
        }
    ],
    "buyer": {"id": "uitkomst-organisation-1", "name": "Gemeente Voorbeeldstad"},
    "tender": {
        "id": "7",
        "title": "Jongeren aan het werk",
        "status": "active",
        "value": {"amount": 250000, "currency": "EUR"},
        "awardCriteria": "qualityOnly",
        "tenderPeriod": {"startDate": "2026-03-01T09:00:00Z", "endDate": "2026-03-20T12:00:00Z"},
        "lots": [
            {
                "id": "1",
                "awardCriteria": {
                    "criteria": [
                        {
                            "type": "quality",
                            "name": "Aanpak",
                            "numbers": [{"number": 60, "weight": "percentageExact"}],
                        }
                    ]
                },
            }
        ],
    },
}
PACKAGE_META = {
    "uri": "http://127.0.0.1:8000/api/v1/ocds/releases",
    "version": "1.1",
    "extensions": ["https://raw.githubusercontent.com/.../extension.json"],
    "publishedDate": "2026-03-31T09:00:00Z",
    "publisher": {"name": "Uitkomst", "uri": "http://127.0.0.1:8000"},
    "license": "https://creativecommons.org/publicdomain/zero/1.0/",
}


def _package(description: str, example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
        },
        **TOKEN_RESPONSES,
    }


def _settings(request: Request):
    return request.app.state.settings


def _url(request: Request, path: str, **params: Any) -> str:
    base = _settings(request).base_url.rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{path}" + (f"?{query}" if query else "")


def _aware(since: datetime | None) -> datetime | None:
    if since is not None and since.tzinfo is None:
        return since.replace(tzinfo=UTC)
    return since


Since = Annotated[
    datetime | None,
    Query(
        description="Only releases dated on or after this moment (ISO 8601; UTC if no zone)",
        examples=["2026-03-01T00:00:00Z"],
    ),
]


@public_router.get(
    "/releases",
    response_class=JSONResponse,
    summary="A page of releases (release package)",
    responses=_package(
        "A release package; `links.next` holds the next page's URL while there is one",
        {
            **PACKAGE_META,
            "releases": [RELEASE_EXAMPLE],
            "links": {"next": "http://127.0.0.1:8000/api/v1/ocds/releases?cursor=WzcsIjIw"},
        },
    ),
    openapi_extra=SECURITY,
)
async def list_releases(
    request: Request,
    ctx: Reader,
    cursor: Annotated[
        str | None,
        Query(max_length=500, description="From `links.next` of the page before"),
    ] = None,
    since: Since = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
) -> JSONResponse:
    """Every release of every published challenge, one per event, in a stable order (by
    process, then date): follow `links.next` until it is absent."""
    publisher = service.publisher_of(_settings(request))
    after = service.Cursor.decode(cursor) if cursor else None
    since = _aware(since)
    page = await service.release_page(ctx, publisher, after=after, since=since, limit=limit)
    since_text = moment(since) if since else None
    here = _url(request, "/api/v1/ocds/releases", cursor=cursor, since=since_text, limit=limit)
    next_url = None
    if page.next is not None:
        next_url = _url(
            request,
            "/api/v1/ocds/releases",
            cursor=page.next.encode(),
            since=since_text,
            limit=limit,
        )
    package = release_package(publisher, page.releases, ctx.now, here, next_url)
    return JSONResponse(package)


@public_router.get(
    "/releases.jsonl",
    response_class=StreamingResponse,
    summary="Every release, one per line (JSON Lines)",
    responses={
        200: {
            "description": "One release per line, as JSON; streamed",
            "content": {JSON_LINES: {"schema": {"type": "string"}}},
        },
        **TOKEN_RESPONSES,
    },
    openapi_extra=SECURITY,
)
async def download_releases(request: Request, ctx: Reader, since: Since = None):
    """For open-data portals: the whole feed in one download, read from the database a page at
    a time while it is sent, so memory stays flat however many releases there are."""
    batches = _every_release(request, ctx, _aware(since))

    async def lines() -> AsyncIterator[bytes]:
        async for chunk in batches:
            yield ("\n".join(chunk) + "\n").encode()

    return StreamingResponse(lines(), media_type=JSON_LINES)


@public_router.get(
    "/releases.zip",
    response_class=StreamingResponse,
    summary="Every release in one release package, zipped",
    responses={
        200: {
            "description": (
                "A zip archive (ZIP64, deflated) holding one file, `releases.json`: a release "
                "package with every release; streamed"
            ),
            "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}},
        },
        **TOKEN_RESPONSES,
    },
    openapi_extra=SECURITY,
)
async def download_zip(request: Request, ctx: Reader, since: Since = None):
    """For open-data portals that harvest OCDS files: the whole feed as one release package,
    the form OCDS tools read, zipped while it is sent (memory stays flat, as for JSON Lines)."""
    publisher = service.publisher_of(_settings(request))
    since = _aware(since)
    here = _url(request, "/api/v1/ocds/releases.zip", since=moment(since) if since else None)
    head = package_head(package_meta(publisher, ctx.now, here))
    batches = _every_release(request, ctx, since)
    now = ctx.now

    async def archive() -> AsyncIterator[bytes]:
        zipped = ZipStream(BULK_FILE, now)
        yield zipped.write(head)
        separator = b""
        async for chunk in batches:
            data = zipped.write(separator + ",".join(chunk).encode())
            separator = b","
            if data:
                yield data
        yield zipped.write(PACKAGE_TAIL) + zipped.close()

    disposition = {"Content-Disposition": 'attachment; filename="releases.zip"'}
    return StreamingResponse(archive(), media_type=ZIP, headers=disposition)


def _every_release(request: Request, ctx: Context, since: datetime | None):
    """Every release of the feed as JSON texts, CHUNK_LINES at a time, read while they are
    sent in a session of its own (the request's is closed once the endpoint has returned)."""
    publisher = service.publisher_of(_settings(request))
    state = request.app.state
    maker = getattr(state, "read_sessionmaker", None) or state.sessionmaker
    now, clock = ctx.now, ctx.clock

    async def batches() -> AsyncIterator[list[str]]:
        async with maker() as db:
            reader = Context(db=db, user=None, now=now, clock=clock)
            chunk: list[str] = []
            async for release in service.every_release(reader, publisher, since):
                chunk.append(_dumps(release))
                if len(chunk) == CHUNK_LINES:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

    return batches()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@public_router.get(
    "/records/{ocid}",
    response_class=JSONResponse,
    summary="One contracting process (record package)",
    responses=_package(
        "A record package: every release of the process and the compiled release",
        {
            **PACKAGE_META,
            "records": [
                {
                    "ocid": "ocds-xxxxxx-7",
                    "releases": [RELEASE_EXAMPLE],
                    "compiledRelease": {
                        **RELEASE_EXAMPLE,
                        "id": "ocds-xxxxxx-7-2026-03-01T09:00:00Z",
                        "tag": ["compiled"],
                    },
                }
            ],
        },
    ),
    openapi_extra=SECURITY,
)
async def get_record(
    request: Request,
    ctx: Reader,
    ocid: Annotated[
        str, Path(max_length=100, description="The process's ocid", examples=["ocds-xxxxxx-7"])
    ],
) -> JSONResponse:
    """A challenge's whole history as OCDS: its releases and the compiled release that
    ocdsmerge makes of them with the same patched schema the feed validates against."""
    publisher = service.publisher_of(_settings(request))
    found = await service.record(ctx, publisher, ocid)
    here = _url(request, f"/api/v1/ocds/records/{ocid}")
    package = record_package(publisher, found.ocid, found.releases, found.compiled, ctx.now, here)
    return JSONResponse(package)
