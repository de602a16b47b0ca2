"""The OpenAPI description made to match the answers: one error shape, the 4xx each operation can
give, and file downloads as files. General rules, so new routes are described without a list."""

from typing import Any

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.auth.deps import api_context
from app.documents.store import ALLOWED

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI before routers were included lazily: app.routes is flat

    def iter_route_contexts(routes):  # type: ignore[no-redef]
        return iter(routes)


JSON_PREFIXES = ("/api/", "/oauth/")
WRITES = {"post", "put", "patch", "delete"}
DOWNLOAD_TYPES = [*ALLOWED.values(), "application/octet-stream"]

DESCRIPTIONS = {
    400: "The request could not be read (e.g. a body that is not UTF-8)",
    401: "Missing, malformed or unknown bearer token",
    403: "Not allowed for this caller",
    404: "Not found, or not visible to this caller",
    409: "Not possible in the current state",
    413: "The request or the file is too large",
    415: "This type of file is not accepted",
    422: "Invalid input; `errors` says what is wrong with each field",
    429: "Too many attempts; try again later",
}


class ErrorOut(BaseModel):
    """What every refused API request answers."""

    detail: str = Field(description="What went wrong, in the caller's language")
    code: str = Field(description="A stable machine-readable code, e.g. `not_found`")
    errors: dict[str, str] = Field(
        default_factory=dict,
        description="Per field (a dotted path into the input) what is wrong with it",
    )


def install_openapi(app: FastAPI) -> None:
    """Replace app.openapi with FastAPI's description, corrected once and then cached."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(FastAPI.openapi(app), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(schema: dict[str, Any], routes: list) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema()
    for route in iter_route_contexts(routes):
        original = getattr(route, "original_route", route)
        if not (isinstance(original, APIRoute) and route.include_in_schema):
            continue
        if not route.path_format.startswith(JSON_PREFIXES):
            continue
        for method in route.methods:
            operation = schema["paths"][route.path_format].get(method.lower())
            if operation is not None:
                _correct(operation, route, method.lower())
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return schema


def _correct(operation: dict[str, Any], route: Any, method: str) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(_refusals(operation, route, method)):
        answer = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        if answer.get("description") in (None, "", "Validation Error"):
            answer["description"] = DESCRIPTIONS[status]
        answer["content"] = {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
        }
    if _serves_file(route):
        success = responses.setdefault(str(route.status_code or 200), {})
        content = success.get("content") or {}
        if not content or set(content) == {"application/json"}:
            binary = {"schema": {"type": "string", "format": "binary"}}
            success["content"] = {media_type: binary for media_type in DOWNLOAD_TYPES}
            if success.get("description") in (None, "", "Successful Response"):
                success["description"] = "The file, as it was uploaded"
    operation["responses"] = dict(sorted(responses.items()))


def _refusals(operation: dict[str, Any], route: Any, method: str) -> set[int]:
    """The 4xx this operation can answer, from what it takes and whether it knows its caller."""
    statuses = {int(code) for code in operation.get("responses", {}) if code.startswith("4")}
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    if parameters or body:
        statuses.add(422)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if body:
        statuses |= {400, 413}
    if "multipart/form-data" in body:
        statuses.add(415)
    if _knows_caller(route.dependant):
        statuses |= {401, 403}
        if method in WRITES:
            statuses.add(409)
    return statuses


def _knows_caller(dependant: Dependant) -> bool:
    return any(
        sub.call is api_context
        or getattr(sub.call, "requires_credentials", False)  # an API client's token
        or _knows_caller(sub)
        for sub in dependant.dependencies
    )


def _serves_file(route: Any) -> bool:
    """A route whose response class has no media type of its own (FileResponse, a bare
    Response) serves a file, whatever FastAPI guessed."""
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        annotation = get_typed_return_annotation(route.endpoint)
        if not (isinstance(annotation, type) and issubclass(annotation, Response)):
            return False
        response_class = annotation
    status = route.status_code or 200
    return response_class.media_type is None and 200 <= status < 300 and status != 204
