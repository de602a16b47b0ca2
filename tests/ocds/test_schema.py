"""The vendored OCDS schema with the extensions applied (JSON Merge Patch), and validation."""

import copy
import hashlib
import json
import re
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ocds import schema
from app.ocds.schema import merge_patch

# --- JSON Merge Patch: RFC 7386 Appendix A, every example --------------------------------------

RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_merge_patch_does_what_rfc_7386_shows(target, patch, result):
    assert merge_patch(target, patch) == result


def test_an_ocds_like_patch_adds_a_field_and_keeps_the_rest():
    core = {"definitions": {"Tender": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    patch = {"definitions": {"Tender": {"properties": {"targets": {"type": "array"}}}}}
    assert merge_patch(core, patch) == {
        "definitions": {
            "Tender": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "targets": {"type": "array"}},
            }
        }
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=2), json_values, max_size=4)


@given(json_values, json_values)
def test_merge_patch_changes_neither_argument(target, patch):
    before = copy.deepcopy((target, patch))
    merge_patch(target, patch)
    assert (target, patch) == before


@given(json_values, json_values)
def test_applying_a_patch_twice_is_applying_it_once(target, patch):
    once = merge_patch(target, patch)
    assert merge_patch(once, patch) == once


@given(json_values)
def test_an_empty_patch_leaves_an_object_as_it_is(target):
    assert merge_patch(target, {}) == (target if isinstance(target, dict) else {})


@given(json_values, json_objects)
def test_null_removes_a_key_and_anything_else_is_merged_into_it(target, patch):
    result = merge_patch(target, patch)
    base = target if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            assert key not in result
        else:
            assert result[key] == merge_patch(base.get(key), value)
    for key in set(base) - set(patch):
        assert result[key] == base[key]


# --- the patched release schema ----------------------------------------------------------------


def properties(definition: str) -> dict:
    return schema.release_schema()["definitions"][definition]["properties"]


def test_the_patched_schema_has_the_extension_fields():
    release = schema.release_schema()
    assert properties("Tender")["targets"]["items"] == {"$ref": "#/definitions/Metric"}
    assert "agreedMetrics" in properties("Contract")
    assert "metrics" in properties("Implementation")
    assert "observations" in properties("Metric")
    assert "bids" in release["properties"] and "tenderers" in properties("Bid")
    assert "enquiries" in properties("Tender")
    assert "awardCriteria" in properties("Lot") and "numbers" in properties("AwardCriterion")
    assert "percentageExact" in properties("CriterionNumber")["weight"]["enum"]
    assert "suppliers" in properties("Contract")
    assert "relatedImplementationMilestone" in properties("Transaction")
    assert "title" in release["properties"]
    # The core schema itself stays as the standard wrote it.
    core = schema.core_release_schema()
    assert "targets" not in core["definitions"]["Tender"]["properties"]
    assert "bids" not in core["properties"]
    assert release["id"] == core["id"]


def test_every_reference_in_the_patched_schema_resolves():
    release = schema.release_schema()
    text = json.dumps(release)
    for name in set(re.findall(r'"\$ref": "#/definitions/(\w+)"', text)):
        assert name in release["definitions"], name


def test_the_schema_is_built_once():
    assert schema.release_schema() is schema.release_schema()


def test_every_extension_is_vendored_for_ocds_1_1_with_its_licence():
    folders = {path.name for path in schema.EXTENSIONS_DIR.iterdir()}
    assert folders == set(schema.EXTENSIONS)
    for name in schema.EXTENSIONS:
        folder = schema.EXTENSIONS_DIR / name
        assert "Apache License" in (folder / "LICENSE").read_text()
        assert "1.1" in json.loads((folder / "extension.json").read_text())["compatibility"]
    assert "Apache License" in (schema.CORE_DIR / "LICENSE").read_text()
    assert all(url.endswith("/extension.json") for url in schema.extension_urls())


def test_the_vendored_files_are_the_ones_sources_md_lists():
    sources = (schema.SCHEMA_DIR / "SOURCES.md").read_text()
    listed = dict(
        (path, digest) for digest, path in re.findall(r"^([0-9a-f]{64})  (\S+)$", sources, re.M)
    )
    present = {
        str(path.relative_to(schema.SCHEMA_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in schema.SCHEMA_DIR.rglob("*")
        if path.is_file() and path.name != "SOURCES.md"
    }
    assert present == listed


# --- validation --------------------------------------------------------------------------------

RELEASE = {
    "ocid": "ocds-uitk01-1",
    "id": "ocds-uitk01-1-tender-1",
    "date": "2026-03-02T09:00:00Z",
    "tag": ["tender"],
    "initiationType": "tender",
    "tender": {
        "id": "1",
        "title": "Schuldhulp die werkt",
        "value": {"amount": 250000, "currency": "EUR"},
        "awardCriteria": "qualityOnly",
        "targets": [
            {
                "id": "1",
                "title": "Huishoudens schuldenvrij",
                "observations": [{"id": "1", "measure": 40, "unit": {"name": "huishoudens"}}],
            }
        ],
        "enquiries": [{"id": "1", "title": "Mag dat zo?", "answer": "Ja."}],
    },
}


def package(*releases: dict) -> dict:
    return {
        "uri": "https://uitkomst.example.nl/api/v1/ocds/releases",
        "publishedDate": "2026-03-02T09:00:00Z",
        "publisher": {"name": "Uitkomst"},
        "version": schema.VERSION,
        "extensions": schema.extension_urls(),
        "releases": list(releases),
    }


def test_a_valid_release_has_no_errors():
    assert schema.validate_release(RELEASE) == []
    assert schema.validate_release_package(package(RELEASE)) == []


def test_an_invalid_release_lists_each_error_with_where_it_is():
    broken = copy.deepcopy(RELEASE)
    del broken["ocid"]
    broken["date"] = "gisteren"
    broken["tender"]["value"]["amount"] = "veel"
    broken["tender"]["targets"][0]["observations"] = "40"  # an extension field, checked too
    errors = schema.validate_release(broken)
    assert len(errors) == 4, errors
    assert any(e.startswith("(root): ") and "ocid" in e for e in errors)
    assert any(e.startswith("date: ") for e in errors)
    assert any(e.startswith("tender/value/amount: ") for e in errors)
    assert any(e.startswith("tender/targets/0/observations: ") for e in errors)
    in_package = schema.validate_release_package(package(broken))
    assert len(in_package) == 4 and all(e.startswith("releases/0") for e in in_package)


def test_a_record_package_validates_with_the_compiled_release():
    record_package = {
        "uri": "https://uitkomst.example.nl/api/v1/ocds/records/ocds-uitk01-1",
        "publishedDate": "2026-03-02T09:00:00Z",
        "publisher": {"name": "Uitkomst"},
        "version": schema.VERSION,
        "extensions": schema.extension_urls(),
        "records": [
            {
                "ocid": RELEASE["ocid"],
                "releases": [RELEASE],
                "compiledRelease": {**RELEASE, "id": "compiled", "tag": ["compiled"]},
            }
        ],
    }
    assert schema.validate_record_package(record_package) == []
    record_package["records"][0]["compiledRelease"]["tender"] = {"id": "1", "targets": {}}
    assert schema.validate_record_package(record_package) == [
        'records/0/compiledRelease/tender/targets: {} is not of type "array"'
    ]


def test_validation_works_without_the_network(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the schema tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    for cached in (schema._validator, schema._registry, schema.release_schema):
        cached.cache_clear()
    assert schema.validate_release_package(package(RELEASE)) == []
    assert schema.validate_release({"ocid": 1}) != []
