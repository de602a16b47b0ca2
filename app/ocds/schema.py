"""The OCDS 1.1.5 release schema with the platform's extensions applied, built once from the
files vendored in app/ocds/schema/ (see its SOURCES.md), so validation never needs the network.

Each extension's release-schema.json is a JSON Merge Patch (RFC 7386) on the core release
schema. The patched schema is registered under the core schema's own id, so the package
schemas, which `$ref` it by that URL, get the patched one too. The validator is jsonschema-rs
(imported where it is used, so the app starts without loading it); the merger
(app/ocds/records.py) gets the same dict from `release_schema()`.
The schemas returned are shared and cached: read them, never change them.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schema"
CORE_DIR = SCHEMA_DIR / "core"
EXTENSIONS_DIR = SCHEMA_DIR / "extensions"
VERSION = "1.1"  # what a package declares; the vendored schema is release 1.1.5

_RAW = "https://raw.githubusercontent.com/open-contracting-extensions"
# Folder -> the extension's canonical URL (repository and ref as in SOURCES.md), in the order
# they are applied: a dependency before what builds on it.
EXTENSIONS: dict[str, str] = {
    "lots": f"{_RAW}/ocds_lots_extension/master/extension.json",
    "awardCriteria": f"{_RAW}/ocds_awardCriteria_extension/master/extension.json",
    # The eu extension's Lot.submissionTerms refers to it.
    "submissionTerms": f"{_RAW}/ocds_submissionTerms_extension/master/extension.json",
    "bids": f"{_RAW}/ocds_bid_extension/master/extension.json",
    "enquiries": f"{_RAW}/ocds_enquiry_extension/master/extension.json",
    "metrics": f"{_RAW}/ocds_metrics_extension/1.1/extension.json",
    "transaction_milestones": (
        f"{_RAW}/ocds_transactions_relatedMilestone_extension/master/extension.json"
    ),
    "contract_suppliers": f"{_RAW}/ocds_contract_suppliers_extension/master/extension.json",
    "process_title": f"{_RAW}/ocds_process_title_extension/master/extension.json",
    "eu": f"{_RAW}/ocds_eu_extension/1.1/extension.json",
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 section 2: `patch` applied to `target`, a new value; null in a patch removes
    the key. Neither argument is changed (parts the patch leaves alone are shared)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@cache
def core_release_schema() -> dict[str, Any]:
    return _read(CORE_DIR / "release-schema.json")


@cache
def release_schema() -> dict[str, Any]:
    """The core release schema with every extension in EXTENSIONS applied, in that order."""
    schema = copy.deepcopy(core_release_schema())
    for name in EXTENSIONS:
        schema = merge_patch(schema, _read(EXTENSIONS_DIR / name / "release-schema.json"))
    return schema


@cache
def release_package_schema() -> dict[str, Any]:
    """The core release package schema; its releases `$ref` the patched release schema."""
    return _read(CORE_DIR / "release-package-schema.json")


@cache
def record_package_schema() -> dict[str, Any]:
    """The core record package schema; its releases and compiled release `$ref` the patched
    release schema, its versioned release the core versioned schema (without extensions)."""
    return _read(CORE_DIR / "record-package-schema.json")


def extension_urls() -> list[str]:
    """What a package declares in `extensions`."""
    return list(EXTENSIONS.values())


@cache
def _registry() -> Any:
    import jsonschema_rs

    resources = [
        release_schema(),
        _read(CORE_DIR / "versioned-release-validation-schema.json"),
    ]
    return jsonschema_rs.Registry([(resource["id"], resource) for resource in resources])


@cache
def _validator(kind: str) -> Any:
    import jsonschema_rs

    schema = {
        "release": release_schema,
        "release package": release_package_schema,
        "record package": record_package_schema,
    }[kind]()
    return jsonschema_rs.Draft4Validator(
        schema, registry=_registry(), validate_formats=True, offline=True
    )


def _errors(kind: str, instance: Any) -> list[str]:
    found = []
    for error in _validator(kind).iter_errors(instance):
        where = "/".join(str(part) for part in error.instance_path)
        found.append(f"{where or '(root)'}: {error.message}")
    return found


def validate_release(release: Any) -> list[str]:
    """What is wrong with a release against the patched schema, one line each; empty if valid."""
    return _errors("release", release)


def validate_release_package(package: Any) -> list[str]:
    return _errors("release package", package)


def validate_record_package(package: Any) -> list[str]:
    return _errors("record package", package)
