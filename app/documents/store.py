"""The document store: a local folder by default; files are named by a random key."""

import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import DomainError
from app.sealing import seal, sha256, unseal

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}


class UnsupportedFile(DomainError):
    status = 415
    code = "unsupported_file"


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"


def sniff(data: bytes) -> str | None:
    """The file type from its content, never from its name."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ALLOWED["odt"].encode():
                return "odt"
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def read_capped(source: BinaryIO, max_bytes: int) -> bytes:
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge("The file is larger than %(mb)s MB.", mb=max(1, max_bytes // 2**20))
    if not data:
        raise UnsupportedFile("The file is empty.")
    return data


@dataclass
class Stored:
    key: str
    sha256: str
    size: int
    content_type: str


class LocalDocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def save(self, source: BinaryIO, max_bytes: int, *, sealed: bool = False) -> Stored:
        """Check size and type, then store; sealed files are encrypted before they touch disk."""
        data = read_capped(source, max_bytes)
        kind = sniff(data)
        if kind is None:
            raise UnsupportedFile("Only PDF, DOCX, ODT and XLSX files can be uploaded.")
        key = secrets.token_hex(16)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(seal(data, f"document:{key}") if sealed else data)
        return Stored(key=key, sha256=sha256(data), size=len(data), content_type=ALLOWED[kind])

    def read(self, key: str, *, sealed: bool = False) -> bytes:
        data = self.path(key).read_bytes()
        return unseal(data, f"document:{key}") if sealed else data

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def make_pdf(text: str = "Uitkomst") -> bytes:
    """A tiny valid PDF, for demo data and tests."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
