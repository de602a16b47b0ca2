"""What an uploaded file is, decided from its content with bounded reads, never from its name.

Runs in a worker thread (see store.py): archives are decompressed in small chunks and every
limit is checked on what the headers declare and again on what is actually read, since headers
can lie.
"""

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from app.errors import DomainError

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}

PDF_SNIFF_BYTES = 16 * 1024  # browsers decide "this is a web page" from the first few KB
PDF_EOF_WINDOW = 1024  # the PDF standard puts %%EOF within the last 1024 bytes
HTML_MARKERS = (b"<html", b"<head", b"<body", b"<script", b"<!doctype", b"<svg", b"<iframe")

# What each kind of document consists of (lower case; a trailing "/" or " " matches a prefix).
_OOXML = ("[content_types].xml", "_rels/", "docprops/", "customxml/")
PARTS = {
    "docx": (*_OOXML, "word/"),
    "xlsx": (*_OOXML, "xl/"),
    "odt": (
        "mimetype",
        "meta-inf/",
        "content.xml",
        "styles.xml",
        "meta.xml",
        "settings.xml",
        "manifest.rdf",
        "layout-cache",
        "thumbnails/",
        "pictures/",
        "configurations2/",
        "objectreplacements/",
        "object ",  # embedded objects: "Object 1/content.xml"
    ),
}
# Programs and macros, wherever they sit in the archive.
PROGRAM_SUFFIXES = frozenset(
    ".exe .dll .com .scr .pif .cpl .msi .msp .msc .bat .cmd .ps1 .psm1 .vbs .vbe .js .jse .wsf"
    " .wsh .hta .jar .class .lnk .reg .sh .apk .app .dmg .docm .dotm .xlsm .xltm .xlam .pptm"
    " .potm .ppam .sldm".split()
)
MACRO_NAMES = frozenset(
    ("vbaproject.bin", "vbaprojectsignature.bin", "vbaprojectsignatureagile.bin", "vbadata.xml")
)
MACRO_FOLDERS = ("basic/", "scripts/", "dialogs/")  # OpenDocument macros and dialogs
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
_DRIVE = re.compile(r"^[A-Za-z]:")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what an archive may unpack to; generous for real documents."""

    max_entries: int = 1000
    max_entry_bytes: int = 100 * 2**20
    max_total_bytes: int = 250 * 2**20
    max_ratio: int = 200  # uncompressed / compressed, per entry
    ratio_floor: int = 2**20  # entries smaller than this may compress better than max_ratio

    @property
    def max_directory_bytes(self) -> int:
        """The central directory is parsed whole, so its size is bounded before that."""
        return self.max_entries * 512


class UnsupportedFile(DomainError):
    status = 415
    code = "unsupported_file"


def inspect_document(source: BinaryIO, size: int, limits: ArchiveLimits) -> str:
    """The kind of document ("pdf", "docx", ...), or UnsupportedFile with the reason."""
    source.seek(0)
    head = source.read(PDF_SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        _check_pdf(source, size, head)
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _check_archive(source, size, limits)
    raise UnsupportedFile("Only PDF, DOCX, ODT and XLSX files can be uploaded.")


def _check_pdf(source: BinaryIO, size: int, head: bytes) -> None:
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        raise UnsupportedFile(
            "The PDF also contains a web page or script, so a browser could run it. "
            "Save it again as a plain PDF."
        )
    source.seek(max(0, size - PDF_EOF_WINDOW))
    if b"%%EOF" not in source.read(PDF_EOF_WINDOW):
        raise UnsupportedFile("The PDF is incomplete: its end-of-file marker is missing.")


def _damaged() -> UnsupportedFile:
    return UnsupportedFile("The file is damaged or is not a valid document.")


def _directory_size(source: BinaryIO, size: int) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record, before zipfile parses it."""
    tail_length = min(size, 22 + 0xFFFF)
    source.seek(size - tail_length)
    tail = source.read(tail_length)
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _damaged()
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    return entries, directory


def _check_archive(source: BinaryIO, size: int, limits: ArchiveLimits) -> str:
    entries, directory = _directory_size(source, size)
    # 0xFFFF / 0xFFFFFFFF mean "see the ZIP64 record": no document within the upload limit needs it.
    if entries > limits.max_entries or directory > limits.max_directory_bytes:
        raise UnsupportedFile("The document has more than %(max)s parts.", max=limits.max_entries)
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_entries:
                raise UnsupportedFile(
                    "The document has more than %(max)s parts.", max=limits.max_entries
                )
            _check_declared(infos, limits)
            kind = _office_kind(archive)
            for info in infos:
                _check_part(kind, info.filename)
            total = 0
            for info in infos:
                total = _read_entry(archive, info, total, limits)
            return kind
    # NotImplementedError is zipfile's answer to a compression method it cannot read.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        raise _damaged() from None
    except RuntimeError:  # zipfile's "encrypted, password required"
        raise UnsupportedFile(
            "Encrypted or password-protected documents cannot be uploaded."
        ) from None


def _too_big(limits: ArchiveLimits, total: bool) -> UnsupportedFile:
    bound = limits.max_total_bytes if total else limits.max_entry_bytes
    return UnsupportedFile(
        "The document unpacks to more than %(mb)s MB, so it cannot be checked safely.",
        mb=max(1, bound // 2**20),
    )


def _bomb(name: str) -> UnsupportedFile:
    return UnsupportedFile(
        "The document is compressed far more than real documents are (%(name)s); "
        "it looks like a compression bomb.",
        name=name[:100],
    )


def _check_declared(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Refuse on what the central directory says, before decompressing anything."""
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or "\x00" in name
            or _DRIVE.match(name)
            or ".." in name.split("/")
        ):
            raise UnsupportedFile(
                "The document contains a file path that is not allowed (%(name)s).",
                name=name[:100],
            )
        if name.lower() in seen:
            raise _damaged()
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise UnsupportedFile("Encrypted or password-protected documents cannot be uploaded.")
        total += info.file_size
        if _over_ratio(info.file_size, info.compress_size, limits):
            raise _bomb(name)
        if info.file_size > limits.max_entry_bytes:
            raise _too_big(limits, total=False)
        if total > limits.max_total_bytes:
            raise _too_big(limits, total=True)


def _over_ratio(uncompressed: int, compressed: int, limits: ArchiveLimits) -> bool:
    return uncompressed > limits.ratio_floor and uncompressed > limits.max_ratio * max(
        compressed, 1
    )


def _office_kind(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "mimetype" in names:
        with archive.open("mimetype") as part:
            if part.read(100).strip() == ALLOWED["odt"].encode():
                return "odt"
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    raise UnsupportedFile("Only PDF, DOCX, ODT and XLSX files can be uploaded.")


def _check_part(kind: str, name: str) -> None:
    lowered = name.lower()
    base = lowered.rsplit("/", 1)[-1]
    suffix = base[base.rfind(".") :] if "." in base else ""
    if (
        suffix in PROGRAM_SUFFIXES
        or base in MACRO_NAMES
        or lowered.startswith(MACRO_FOLDERS)
        or "/activex/" in f"/{lowered}"
    ):
        raise _program(name)
    allowed = PARTS[kind]
    if not any(
        lowered == part or (part.endswith(("/", " ")) and lowered.startswith(part))
        for part in allowed
    ):
        raise UnsupportedFile(
            "The document contains a part that does not belong in it (%(name)s).",
            name=name[:100],
        )


def _program(name: str) -> UnsupportedFile:
    return UnsupportedFile(
        "The document contains a program or macro (%(name)s); "
        "documents with programs or macros cannot be uploaded.",
        name=name[:100],
    )


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, limits: ArchiveLimits
) -> int:
    """Decompress one entry in chunks, counting what comes out; the new running total."""
    if info.is_dir():
        return total
    read = 0
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            if read == 0 and chunk.startswith(PROGRAM_MAGIC):
                raise _program(info.filename)
            read += len(chunk)
            total += len(chunk)
            if _over_ratio(read, info.compress_size, limits):
                raise _bomb(info.filename)
            if read > limits.max_entry_bytes:
                raise _too_big(limits, total=False)
            if total > limits.max_total_bytes:
                raise _too_big(limits, total=True)
    return total
