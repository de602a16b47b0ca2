"""Files served back: always a download with its stored type, never a page a browser renders."""

from pathlib import Path
from urllib.parse import quote

from starlette.responses import FileResponse, Response

# Should a browser render the file after all, it runs nothing and loads nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def content_disposition(filename: str) -> str:
    """RFC 6266: `attachment` with an ASCII fallback name and the exact name in UTF-8."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_download(content: bytes | Path, filename: str, content_type: str) -> Response:
    """The one way a stored file leaves: bytes from memory, or a path streamed from disk."""
    headers = {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
    }
    if isinstance(content, Path):
        return FileResponse(content, media_type=content_type, headers=headers)
    return Response(content, media_type=content_type, headers=headers)
