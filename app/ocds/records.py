"""The compiled release: ocdsmerge's merge of a process's releases, with its merge rules read
from the same patched schema the validator uses (app/ocds/schema.py), so nothing is fetched."""

from functools import cache
from typing import Any

import ocdsmerge

from app.ocds.schema import release_schema


@cache
def merger() -> ocdsmerge.Merger:
    # Every $ref in the patched release schema is internal (#/definitions/...): jsonref
    # resolves them in memory.
    return ocdsmerge.Merger(schema=release_schema())


def compile_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The process as it stands now: every release merged in date order."""
    return merger().create_compiled_release(releases)
