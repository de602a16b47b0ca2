"""The bulk download as a zip file, written while it is sent: Python's zipfile writing to a
pipe (it cannot seek back, so each file's size and checksum follow its data in a data
descriptor), one file in it, deflated at zlib's default level. What a write hands back is sent
at once, so memory holds one chunk however large the archive grows. ZIP64 from the start: a
streamed file's size is not known when its header is written, and without ZIP64 zipfile gives
up at 2 GiB, halfway through a download. Python's zipfile, Info-ZIP's unzip, 7-Zip and the
archivers of current Windows and macOS read it.
"""

import json
import zipfile
from datetime import datetime
from typing import Any

from app.clock import AMSTERDAM


class _Pipe:
    """A write-only file that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class ZipStream:
    """One file, `name`, in a zip archive made a chunk at a time: `write` and `close` return
    the archive's next bytes (possibly none yet: deflate keeps a little back)."""

    def __init__(self, name: str, modified: datetime) -> None:
        self._pipe = _Pipe()
        self._zip = zipfile.ZipFile(self._pipe, "w", compression=zipfile.ZIP_DEFLATED)
        local = modified.astimezone(AMSTERDAM)  # zip times are local times, without a zone
        info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # rw-r--r-- when unpacked on Unix
        self._file = self._zip.open(info, "w", force_zip64=True)

    def write(self, data: bytes) -> bytes:
        self._file.write(data)
        return self._pipe.take()

    def close(self) -> bytes:
        """The rest of the file, its data descriptor and the central directory."""
        self._file.close()
        self._zip.close()
        return self._pipe.take()


def package_head(meta: dict[str, Any]) -> bytes:
    """A release package's metadata, open for its releases: `head`, the releases separated by
    commas, then PACKAGE_TAIL make the whole package."""
    text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    return (text[:-1] + (',"releases":[' if meta else '"releases":[')).encode()


PACKAGE_TAIL = b"]}"
