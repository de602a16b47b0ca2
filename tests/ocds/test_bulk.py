"""The zipped bulk download: a zip that zipfile and Info-ZIP's unzip read, made a chunk at a
time (nothing accumulates), holding one release package with every release of the feed."""

import io
import json
import os
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocds.bulk import PACKAGE_TAIL, ZipStream, package_head
from app.ocds.schema import validate_release_package
from tests.conftest import NOW
from tests.ocds.test_api import feed, published

ZIP_URL = "/api/v1/ocds/releases.zip"


def unzip_test(data: bytes, tmp_path) -> str:
    """What Info-ZIP's `unzip -t` says of the archive (CI installs it: .ci/run)."""
    if shutil.which("unzip") is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail("Info-ZIP's unzip is not installed, though .ci/run installs it")
        pytest.skip("Info-ZIP's unzip is not installed (apt-get install unzip)")
    path = tmp_path / "test.zip"
    path.write_bytes(data)
    done = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def member(data: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        (name,) = archive.namelist()
        return name, archive.read(name)


# --- the streaming zip writer ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=5000), max_size=30))
def test_the_chunks_make_a_zip_holding_what_was_written(chunks):
    zipped = ZipStream("releases.json", NOW)
    out = []
    for chunk in chunks:
        piece = zipped.write(chunk)
        # Handed on at once: never more than the chunk (deflated, or stored when it does not
        # shrink) and a header's worth; nothing piles up between writes.
        assert len(piece) <= len(chunk) + 200
        out.append(piece)
    out.append(zipped.close())
    assert member(b"".join(out)) == ("releases.json", b"".join(chunks))


def test_info_zip_reads_it_and_the_file_has_its_date(tmp_path):
    zipped = ZipStream("releases.json", NOW)
    data = zipped.write(b'{"releases":[') + zipped.write(b"1," * 50_000) + zipped.write(b"2]}")
    data += zipped.close()
    assert "releases.json" in unzip_test(data, tmp_path) and len(data) < 10_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
    assert info.date_time == (2026, 3, 2, 10, 0, 0)  # 09:00 UTC is 10:00 in Amsterdam
    assert info.compress_type == zipfile.ZIP_DEFLATED


def test_a_package_is_its_head_the_releases_and_the_tail():
    meta = {"uri": "https://x.nl/r.zip", "version": "1.1"}
    releases = [{"id": "a"}, {"id": "b", "tag": ["tender"]}]
    text = package_head(meta) + b",".join(json.dumps(r).encode() for r in releases) + PACKAGE_TAIL
    assert json.loads(text) == {**meta, "releases": releases}
    assert json.loads(package_head({}) + PACKAGE_TAIL) == {"releases": []}


# --- the endpoint ------------------------------------------------------------------------------


async def test_the_zip_holds_one_release_package_with_every_release(client, make, tmp_path):
    await published(make, 3)
    response = await client.get(ZIP_URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="releases.zip"'
    unzip_test(response.content, tmp_path)
    name, content = member(response.content)
    package = json.loads(content)
    assert name == "releases.json"
    assert validate_release_package(package) == []
    assert package["releases"] == await feed(client)
    assert package["uri"].endswith(ZIP_URL) and package["version"] == "1.1"
    assert package["publisher"]["name"] and package["license"] and package["extensions"]


async def test_the_zip_keeps_since_and_an_empty_feed_is_an_empty_package(client, make):
    empty = await client.get(ZIP_URL)
    assert json.loads(member(empty.content)[1])["releases"] == []
    (early,) = await published(make, 1)
    make.clock.at = make.clock.at + timedelta(days=2)
    (late,) = await published(make, 1)
    since = (NOW + timedelta(days=1)).isoformat()
    package = json.loads(member((await client.get(ZIP_URL, params={"since": since})).content)[1])
    assert [r["ocid"] for r in package["releases"]] == [f"ocds-xxxxxx-{late.id}"]
    assert "since=" in package["uri"]


async def test_a_token_sent_for_the_zip_is_checked(client, make):
    await published(make, 1)
    wrong = await client.get(ZIP_URL, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and wrong.json()["code"]
