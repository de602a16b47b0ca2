"""The OpenAPI description: one error shape, the refusals each operation can give, files as
files, and every integer input bounded (an unbounded one reached the database and gave 500)."""

import json

import pytest

from app.openapi import DOWNLOAD_TYPES

ERROR_OUT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
DOWNLOADS = [
    "/api/v1/challenges/{challenge_id}/attachments/{attachment_id}",
    "/api/v1/coalitions/{coalition_id}/proposal/attachments/{attachment_id}",
    "/api/v1/coalitions/{coalition_id}/submissions/{version}/attachments/{sha256}",
]


@pytest.fixture
def description(app) -> dict:
    return app.openapi()


def operations(description: dict):
    for path, item in description["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_refusal_is_described_with_the_one_error_shape(description):
    text = json.dumps(description)
    assert "HTTPValidationError" not in text and '"ValidationError"' not in text
    error_out = description["components"]["schemas"]["ErrorOut"]
    assert error_out["required"] == ["detail", "code"]
    assert error_out["properties"]["errors"]["additionalProperties"] == {"type": "string"}
    refusals = 0
    for label, operation in operations(description):
        for status, answer in operation["responses"].items():
            if status.startswith("4"):
                refusals += 1
                assert answer["content"] == ERROR_OUT, (label, status)
                assert answer["description"], (label, status)
    assert refusals > 100


@pytest.mark.parametrize(
    ("label", "statuses"),
    [
        ("GET /api/v1/challenges", {401, 403, 422}),
        ("POST /api/v1/challenges", {400, 401, 403, 409, 413, 422}),
        ("GET /api/v1/challenges/{challenge_id}", {401, 403, 404, 422}),
        (
            "POST /api/v1/challenges/{challenge_id}/attachments",
            {400, 401, 403, 404, 409, 413, 415, 422},
        ),
        ("POST /api/v1/coalitions/{coalition_id}/leave", {401, 403, 404, 409, 422}),
        ("GET /api/v1/audit/verify", {401, 403}),
        ("GET /api/v1/audit/events", {401, 403, 404, 422}),
        ("GET /api/v1/challenges/{challenge_id}/opening", {401, 403, 404, 409, 422}),
    ],
)
def test_each_operation_lists_the_refusals_it_can_give(description, label, statuses):
    operation = dict(operations(description))[label]
    assert {int(s) for s in operation["responses"] if s.startswith("4")} == statuses


@pytest.mark.parametrize("path", DOWNLOADS)
def test_downloads_are_described_as_files(description, path):
    content = description["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == DOWNLOAD_TYPES
    assert "application/json" not in content
    assert all(c["schema"] == {"type": "string", "format": "binary"} for c in content.values())


def test_created_and_no_content_are_described_as_sent(description):
    ops = dict(operations(description))
    created = ops["POST /api/v1/challenges"]["responses"]
    assert "201" in created and "200" not in created
    left = ops["POST /api/v1/coalitions/{coalition_id}/leave"]["responses"]
    assert "204" in left and "200" not in left and "content" not in left["204"]


def test_every_integer_input_has_bounds(description):
    """SQLite refuses integers past 64 bits before the query runs; bounds make that a 422."""
    schemas = description["components"]["schemas"]
    unbounded = []

    def walk(schema: dict, where: str) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                walk(schemas[name], name)
            return
        if schema.get("type") == "integer" and not ("maximum" in schema and "minimum" in schema):
            unbounded.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                walk(option, where)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]")

    for label, operation in operations(description):
        seen: set[str] = set()
        for parameter in operation.get("parameters", []):
            walk(parameter["schema"], f"{label} {parameter['name']}")
        for media in operation.get("requestBody", {}).get("content", {}).values():
            walk(media["schema"], f"{label} body")
    assert unbounded == []
