"""Documents for the upload tests, made here: real-looking ones, and hostile ones.

Large entries are written in chunks so the tests themselves stay small in memory.
"""

import io
import struct
import zipfile
from collections.abc import Iterable

import openpyxl

from app.demo.pdf import one_page_pdf


def make_pdf(text: str = "Uitkomst") -> bytes:
    """A small valid PDF for upload tests."""
    return one_page_pdf(text)


MiB = 2**20
PNG = (  # a 1x1 transparent PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
ODT_TYPE = "application/vnd.oasis.opendocument.text"


def archive(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            out.writestr(name, data)
    return buffer.getvalue()


def docx_entries() -> list[tuple[str, bytes]]:
    """The parts Word writes for a short document with one picture."""
    return [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
        ("_rels/.rels", b'<?xml version="1.0"?><Relationships/>'),
        ("docProps/core.xml", b'<?xml version="1.0"?><cp:coreProperties/>'),
        ("docProps/app.xml", b'<?xml version="1.0"?><Properties/>'),
        ("word/document.xml", b'<?xml version="1.0"?><w:document>' + b"<w:p/>" * 200),
        ("word/_rels/document.xml.rels", b'<?xml version="1.0"?><Relationships/>'),
        ("word/styles.xml", b'<?xml version="1.0"?><w:styles/>'),
        ("word/theme/theme1.xml", b'<?xml version="1.0"?><a:theme/>'),
        ("word/media/image1.png", PNG),
        ("customXml/item1.xml", b'<?xml version="1.0"?><b:Sources/>'),
    ]


def docx(*extra: tuple[str, bytes]) -> bytes:
    return archive([*docx_entries(), *extra])


def xlsx(*extra: tuple[str, bytes]) -> bytes:
    """A workbook written by openpyxl, optionally with parts added."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Nulmeting", "Streefwaarde"])
    sheet.append(["Thuiszitters", 41, 20])
    buffer = io.BytesIO()
    book.save(buffer)
    if not extra:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as out:
        for name, data in extra:
            out.writestr(name, data)
    return buffer.getvalue()


def odt(*extra: tuple[str, bytes]) -> bytes:
    """The parts LibreOffice writes, with the mimetype first and stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        for name, data in [
            ("content.xml", b'<?xml version="1.0"?><office:document-content/>'),
            ("styles.xml", b'<?xml version="1.0"?><office:document-styles/>'),
            ("meta.xml", b'<?xml version="1.0"?><office:document-meta/>'),
            ("settings.xml", b'<?xml version="1.0"?><office:document-settings/>'),
            ("manifest.rdf", b'<?xml version="1.0"?><rdf:RDF/>'),
            ("Thumbnails/thumbnail.png", PNG),
            ("Pictures/1000000000000001.png", PNG),
            ("Configurations2/accelerator/current.xml", b""),
            ("Configurations2/toolbar/", b""),
            ("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest:manifest/>'),
            *extra,
        ]:
            out.writestr(name, data)
    return buffer.getvalue()


def pdf() -> bytes:
    return make_pdf("Plan van aanpak")


def with_large_entry(
    base: list[tuple[str, bytes]], name: str, size: int, *, first: tuple[str, bytes] | None = None
) -> bytes:
    """An archive of `base` plus `name` holding `size` zero bytes, written 1 MiB at a time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        if first:
            out.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for entry_name, data in base:
            out.writestr(entry_name, data)
        with out.open(name, "w") as part:
            chunk = bytes(MiB)
            left = size
            while left > 0:
                part.write(chunk[: min(MiB, left)])
                left -= MiB
    return buffer.getvalue()


def declare_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with the uncompressed size of `name` changed in both of its headers."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        info = source.getinfo(name)
        local = info.header_offset
        central = source.start_dir
    assert patched[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", patched, local + 22, declared)
    at = central
    while True:
        assert patched[at : at + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", patched, at + 28)
        if patched[at + 46 : at + 46 + name_length].decode() == name:
            struct.pack_into("<I", patched, at + 24, declared)
            return bytes(patched)
        at += 46 + name_length + extra_length + comment_length
