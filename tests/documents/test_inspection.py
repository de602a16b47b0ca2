"""What the document store accepts: checked by content, with bounded reads (issue 7, finding 5)."""

import hashlib
import io
import tracemalloc
import zipfile

import pytest

from app.documents.inspection import ALLOWED, ArchiveLimits
from app.documents.store import FileTooLarge, LocalDocumentStore, UnsupportedFile
from app.i18n import set_locale
from tests.documents import samples
from tests.documents.samples import MiB

MAX = 20 * MiB


@pytest.fixture(autouse=True)
def english():
    set_locale("en")
    yield
    set_locale("nl")


@pytest.fixture
def store(tmp_path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


def refusal(store: LocalDocumentStore, data: bytes) -> str:
    with pytest.raises(UnsupportedFile) as refused:
        store.save(io.BytesIO(data), MAX)
    assert refused.value.status == 415
    assert not [path for path in store.root.rglob("*") if path.is_file()]  # nothing stored
    return refused.value.text()


def peak_memory(work) -> int:
    """Peak bytes allocated by Python (and zlib, through it) while `work` runs."""
    tracemalloc.start()
    try:
        work()
    except UnsupportedFile:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize(
    ("kind", "make"),
    [("pdf", samples.pdf), ("docx", samples.docx), ("xlsx", samples.xlsx), ("odt", samples.odt)],
)
@pytest.mark.parametrize("sealed", [False, True])
def test_real_documents_are_accepted_and_stored_whole(store, kind, make, sealed):
    data = make()
    stored = store.save(io.BytesIO(data), MAX, sealed=sealed)
    assert stored.content_type == ALLOWED[kind]
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.read(stored.key, sealed=sealed) == data
    assert (store.path(stored.key).read_bytes() == data) is not sealed


def test_an_empty_or_oversized_file_is_refused(store):
    assert refusal(store, b"") == "The file is empty."
    with pytest.raises(FileTooLarge):
        store.save(io.BytesIO(samples.pdf()), 100)


def test_a_source_that_cannot_seek_is_read_no_further_than_the_limit(store):
    class Stream(io.RawIOBase):
        def __init__(self, size: int) -> None:
            self.left = size
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            n = min(len(buffer), self.left)
            buffer[:n] = b"%" * n
            self.left -= n
            self.served += n
            return n

    endless = Stream(50 * MiB)
    with pytest.raises(FileTooLarge):
        store.save(io.BufferedReader(endless), MiB)
    assert endless.served <= MiB + 1 + io.DEFAULT_BUFFER_SIZE


# --- archives -------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_without_unpacking_it(store):
    # 64 MiB of zeros in a 64 KB word/document.xml: a compression ratio of about 1000.
    bomb = samples.with_large_entry(samples.docx_entries()[:4], "word/document.xml", 64 * MiB)
    assert len(bomb) < 100_000
    message = refusal(store, bomb)
    assert "compression bomb" in message and "word/document.xml" in message
    assert peak_memory(lambda: store.save(io.BytesIO(bomb), MAX)) < 2 * MiB


def test_an_odt_bomb_in_its_mimetype_is_refused_without_unpacking_it(store):
    # The old sniffing read the whole "mimetype" entry into memory to compare it.
    bomb = samples.with_large_entry([], "mimetype", 64 * MiB)
    assert peak_memory(lambda: store.save(io.BytesIO(bomb), MAX)) < 2 * MiB
    assert "compression bomb" in refusal(store, bomb)


def test_an_archive_that_unpacks_beyond_the_total_limit_is_refused(tmp_path):
    store = LocalDocumentStore(tmp_path, ArchiveLimits(max_total_bytes=3 * MiB, max_ratio=2000))
    parts = [(f"word/media/picture{i}.png", bytes(MiB)) for i in range(4)]
    message = refusal(store, samples.docx(*parts))
    assert message == "The document unpacks to more than 3 MB, so it cannot be checked safely."


def test_an_entry_beyond_the_per_entry_limit_is_refused(tmp_path):
    store = LocalDocumentStore(tmp_path, ArchiveLimits(max_entry_bytes=MiB, max_ratio=2000))
    message = refusal(store, samples.docx(("word/media/image9.png", bytes(2 * MiB))))
    assert message == "The document unpacks to more than 1 MB, so it cannot be checked safely."


def test_headers_that_understate_the_size_do_not_get_more_read(store):
    # The central directory and local header both say 100 bytes; the data inflates to 64 MiB.
    honest = samples.with_large_entry(samples.docx_entries()[:4], "word/document.xml", 64 * MiB)
    lying = samples.declare_size(honest, "word/document.xml", 100)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 100
    assert peak_memory(lambda: store.save(io.BytesIO(lying), MAX)) < 2 * MiB
    assert refusal(store, lying) == "The file is damaged or is not a valid document."


def test_headers_that_overstate_the_size_are_refused_on_what_they_say(store):
    honest = samples.docx()
    lying = samples.declare_size(honest, "word/styles.xml", 2**31)  # really 30 bytes
    assert "looks like a compression bomb" in refusal(store, lying)


def test_an_archive_with_too_many_entries_is_refused(store):
    many = samples.docx(*[(f"word/media/picture{i}.png", samples.PNG) for i in range(1200)])
    assert refusal(store, many) == "The document has more than 1000 parts."


def test_an_end_record_that_understates_the_entry_count_does_not_help(store):
    many = bytearray(samples.docx(*[(f"word/x{i}.xml", b"") for i in range(1200)]))
    end = many.rfind(b"PK\x05\x06")
    many[end + 8 : end + 12] = (12).to_bytes(2, "little") * 2  # "12 entries"
    assert refusal(store, bytes(many)) == "The document has more than 1000 parts."


@pytest.mark.parametrize(
    ("make", "part"),
    [
        (samples.docx, "payload.exe"),
        (samples.docx, "word/media/setup.EXE"),
        (samples.docx, "word/embeddings/run.bat"),
        (samples.docx, "word/vbaProject.bin"),
        (samples.docx, "word/activeX/activeX1.xml"),
        (samples.xlsx, "xl/vbaProject.bin"),
        (samples.xlsx, "xl/macros.js"),
        (samples.odt, "Basic/Standard/Module1.xml"),
        (samples.odt, "Scripts/python/run.py"),
        (samples.odt, "Pictures/tool.jar"),
    ],
)
def test_programs_and_macros_inside_a_document_are_refused(store, make, part):
    message = refusal(store, make((part, b"<module/>")))
    assert message == (
        f"The document contains a program or macro ({part}); "
        "documents with programs or macros cannot be uploaded."
    )


def test_a_program_under_an_innocent_name_is_refused(store):
    disguised = samples.docx(("word/media/image2.png", b"MZ\x90\x00" + bytes(200)))
    assert "program or macro (word/media/image2.png)" in refusal(store, disguised)


@pytest.mark.parametrize(
    ("make", "part"),
    [
        (samples.docx, "index.html"),
        (samples.docx, "xl/workbook.xml"),
        (samples.xlsx, "word/document2.xml"),
        (samples.odt, "word/document.xml"),
    ],
)
def test_parts_that_do_not_belong_in_the_document_are_refused(store, make, part):
    message = refusal(store, make((part, b"<x/>")))
    assert message == f"The document contains a part that does not belong in it ({part})."


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:/evil.xml"]
)
def test_paths_that_leave_the_archive_are_refused(store, name):
    message = refusal(store, samples.docx((name, b"<x/>")))
    assert message == f"The document contains a file path that is not allowed ({name})."


def test_an_encrypted_archive_is_refused(store):
    data = bytearray(samples.docx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
        central = archive.start_dir
    data[info.header_offset + 6] |= 1
    at = bytes(data).find(b"word/document.xml", central) - 46
    data[at + 8] |= 1
    assert refusal(store, bytes(data)) == (
        "Encrypted or password-protected documents cannot be uploaded."
    )


def test_an_archive_that_is_no_office_document_is_refused(store):
    assert refusal(store, samples.archive([("notes.txt", b"hello")])) == (
        "Only PDF, DOCX, ODT and XLSX files can be uploaded."
    )
    assert refusal(store, b"PK\x03\x04 broken") == "The file is damaged or is not a valid document."


# --- PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marker",
    [b"<html>", b"<HTML><body>", b"<script>alert(1)</script>", b"<!DOCTYPE html>", b"<svg>"],
)
def test_a_pdf_that_is_also_a_web_page_is_refused(store, marker):
    polyglot = b"%PDF-1.4\n%" + marker + b"\n" + samples.pdf()[9:]
    assert polyglot.rstrip().endswith(b"%%EOF")
    assert refusal(store, polyglot) == (
        "The PDF also contains a web page or script, so a browser could run it. "
        "Save it again as a plain PDF."
    )


def test_a_pdf_without_its_end_of_file_marker_is_refused(store):
    truncated = samples.pdf().replace(b"%%EOF", b"")
    assert refusal(store, truncated) == "The PDF is incomplete: its end-of-file marker is missing."
    cut_short = samples.pdf() + b"%" + bytes(4000)  # the marker must be near the end
    assert "end-of-file marker" in refusal(store, cut_short)
