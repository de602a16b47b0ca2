"""What hostile uploads cost a running server: peak memory, disk writes and /healthz latency.

    .venv/bin/python bench/upload_bomb.py [--gib 1] [--stream-gib 2]

Builds a throwaway SQLite database with the demo data, serves Uitkomst with one uvicorn process
on a free port of 127.0.0.1 (as bench/challenge_list.py does), takes an API token for the demo
policy officer and uploads, one after another, to a draft challenge:

- an ODT whose content.xml unpacks to --gib GiB of zeros (about 1 MB on the wire per GiB),
- a DOCX with --gib × 4 GiB in word/document.xml,
- a DOCX whose headers say word/document.xml is 100 bytes while it unpacks to --gib GiB,
- a DOCX with 50,000 (empty) entries,
- a chunked upload of --stream-gib GiB (no Content-Length),
- and, for comparison, a valid 1 MB PDF.

During each upload a second connection asks /healthz every 20 ms. Per upload it prints the
answer, the server's peak RSS growth (VmHWM after resetting it through /proc/PID/clear_refs), the
bytes the server wrote (wchar from /proc/PID/io: spooled request bodies and stored files) and
the /healthz latencies. Linux only for the server figures. The figures are for reading, not for
asserting: they depend on the machine.
"""

import argparse
import asyncio
import contextlib
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from challenge_list import ROOT, Server, prepare_database, running, uitkomst_env  # noqa: E402

MiB = 2**20
GiB = 2**30
OFFICER = "jeugd@voorbeeldstad.nl"
ODT_TYPE = b"application/vnd.oasis.opendocument.text"
BOUNDARY = "benchboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


# --- hostile files, built on disk in chunks ----------------------------------------------------


def _write_zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = bytes(MiB)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=size >= 2**31) as part:
        for _ in range(size // MiB):
            part.write(chunk)


def _zip(path: Path, build: Callable[[zipfile.ZipFile], None]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        build(archive)
    return path


def _docx_skeleton(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", "<Types/>")
    archive.writestr("_rels/.rels", "<Relationships/>")


def odt_bomb(folder: Path, size: int) -> Path:
    def build(archive: zipfile.ZipFile) -> None:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        _write_zeros(archive, "content.xml", size)

    return _zip(folder / "bomb.odt", build)


def docx_bomb(folder: Path, size: int, name: str = "bomb.docx") -> Path:
    def build(archive: zipfile.ZipFile) -> None:
        _docx_skeleton(archive)
        _write_zeros(archive, "word/document.xml", size)

    return _zip(folder / name, build)


def lying_docx(folder: Path, size: int) -> Path:
    """word/document.xml declared as 100 bytes in both of its headers; it unpacks to `size`."""
    path = docx_bomb(folder, min(size, 2**31 - MiB), "lying.docx")
    data = bytearray(path.read_bytes())  # about 1 MB per GiB of zeros
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo("word/document.xml").header_offset
        at = archive.start_dir
    struct.pack_into("<I", data, local + 22, 100)
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + name_length] == b"word/document.xml":
            struct.pack_into("<I", data, at + 24, 100)
        at += 46 + name_length + extra_length + comment_length
    path.write_bytes(data)
    return path


def many_entries(folder: Path, count: int = 50_000) -> Path:
    def build(archive: zipfile.ZipFile) -> None:
        _docx_skeleton(archive)
        archive.writestr("word/document.xml", "<document/>")
        for number in range(count):
            archive.writestr(f"word/part{number}.xml", "")

    return _zip(folder / "many.docx", build)


def plain_pdf(folder: Path, size: int = MiB) -> Path:
    path = folder / "plain.pdf"
    path.write_bytes(b"%PDF-1.4\n%" + b"0" * size + b"\n%%EOF\n")
    return path


# --- the server's figures ----------------------------------------------------------------------


def _status(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _written(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Outcome:
    name: str
    sent: int = 0
    answer: str = ""
    seconds: float = 0.0
    rss_before: int | None = None
    peak_growth: int | None = None
    written: int | None = None
    health: list[float] = field(default_factory=list)
    health_failures: int = 0


async def _poll_health(url: str, outcome: Outcome, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30.0, trust_env=False) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                ok = (await client.get("/healthz")).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                outcome.health.append(time.perf_counter() - start)
            else:
                outcome.health_failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.02)


async def _file_chunks(path: Path, outcome: Outcome) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(MiB):
            outcome.sent += len(chunk)
            yield chunk


async def _zeros(size: int, outcome: Outcome) -> AsyncIterator[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="stream.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    outcome.sent += len(head)
    yield head
    chunk = bytes(MiB)
    for _ in range(size // MiB):
        outcome.sent += len(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def _multipart(path: Path, outcome: Outcome) -> AsyncIterator[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    yield head
    async for chunk in _file_chunks(path, outcome):
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def upload(
    server: Server, target: str, token: str, path_or_size: Path | int, name: str
) -> Outcome:
    pid = server.process.pid
    outcome = Outcome(name)
    outcome.rss_before = _status(pid, "VmRSS")
    peak_reset = _reset_peak(pid)
    written_before = _written(pid)
    stop = asyncio.Event()
    poller = asyncio.create_task(_poll_health(server.url, outcome, stop))
    await asyncio.sleep(0.2)  # a few healthy answers first
    if isinstance(path_or_size, Path):
        body = _multipart(path_or_size, outcome)
    else:
        body = _zeros(path_or_size, outcome)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": MULTIPART}
    start = time.perf_counter()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=600.0, trust_env=False) as client:
            response = await client.post(target, content=body, headers=headers)
        code = response.headers.get("content-type", "").startswith("application/json") and (
            response.json().get("code")
        )
        outcome.answer = f"{response.status_code} {code or ''}".strip()
    except httpx.HTTPError as error:
        outcome.answer = f"connection ended ({type(error).__name__})"
    outcome.seconds = time.perf_counter() - start
    await asyncio.sleep(0.2)
    stop.set()
    await poller
    peak = _status(pid, "VmHWM")
    if peak_reset and peak is not None and outcome.rss_before is not None:
        outcome.peak_growth = peak - outcome.rss_before
    written_after = _written(pid)
    if written_before is not None and written_after is not None:
        outcome.written = written_after - written_before
    return outcome


# --- running it --------------------------------------------------------------------------------


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MiB:,.1f}"


def report(outcomes: list[Outcome], rss_start: int | None) -> None:
    print(f"\nserver RSS after start-up: {_mb(rss_start)} MB\n")
    print(
        "| upload | MB sent | answer | s | peak RSS growth MB | server wrote MB "
        "| /healthz p50 ms | /healthz max ms | /healthz failed |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        p50 = statistics.median(o.health) * 1000 if o.health else float("nan")
        worst = max(o.health) * 1000 if o.health else float("nan")
        print(
            f"| {o.name} | {_mb(o.sent)} | {o.answer} | {o.seconds:.2f} | {_mb(o.peak_growth)} "
            f"| {_mb(o.written)} | {p50:.1f} | {worst:.1f} | {o.health_failures} |"
        )


def officer_token(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "api-token", "create", "--user", OFFICER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split("token:", 1)[1].split()[0]


def draft_path(url: str, token: str) -> str:
    answer = httpx.get(
        f"{url}/api/v1/challenges",
        params={"status": "draft"},
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )
    answer.raise_for_status()
    return f"/api/v1/challenges/{answer.json()['items'][0]['id']}/attachments"


async def run(
    server: Server, target: str, token: str, folder: Path, gib: float, stream_gib: float
) -> list[Outcome]:
    size = int(gib * GiB) // MiB * MiB
    print("building the files ...", flush=True)
    files = [
        ("valid PDF, 1 MB", plain_pdf(folder)),
        (f"ODT, content.xml {gib:g} GiB of zeros", odt_bomb(folder, size)),
        (f"DOCX, document.xml {4 * gib:g} GiB of zeros", docx_bomb(folder, 4 * size)),
        (f"DOCX, headers say 100 B, unpacks to {gib:g} GiB", lying_docx(folder, size)),
        ("DOCX, 50,000 entries", many_entries(folder)),
    ]
    outcomes = []
    for name, path in files:
        label = f"{name} ({path.stat().st_size / MiB:.1f} MB)"
        outcome = await upload(server, target, token, path, label)
        outcomes.append(outcome)
        print(f"  {outcome.name}: {outcome.answer}", flush=True)
    streamed = int(stream_gib * GiB) // MiB * MiB
    outcome = await upload(server, target, token, streamed, f"chunked body, {stream_gib:g} GiB")
    outcomes.append(outcome)
    print(f"  {outcome.name}: {outcome.answer}", flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=float, default=1.0, help="unpacked size of the bombs")
    parser.add_argument("--stream-gib", type=float, default=2.0, help="size of the chunked body")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="uitkomst-bomb-") as tmp:
        workdir = Path(tmp)
        env = uitkomst_env(workdir, None)
        print("preparing a demo database ...", flush=True)
        prepare_database(env, own_database=True)
        token = officer_token(env)
        server = Server("uitkomst", ["app.main:create_app", "--factory"], env, workdir, None)
        with running(server):
            server.wait_ready("/healthz")
            target = draft_path(server.url, token)
            rss_start = _status(server.process.pid, "VmRSS")
            outcomes = asyncio.run(run(server, target, token, workdir, args.gib, args.stream_gib))
        report(outcomes, rss_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
