"""The baseline for bench/challenge_list.py: a bare Starlette app, no database, no templates.

Served by the same uvicorn, with the same flags, as Uitkomst, so the difference between the two
is what Uitkomst does per request (middleware, dependencies, queries, rendering).
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def text(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def json(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "items": []})


app = Starlette(routes=[Route("/", text), Route("/json", json)])
