"""Upload safety: sanitized file names, and file types checked by content as well as by
extension. (The size limit is enforced while the body streams in, by the route's
``max_body_size``.)"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from ingest.loaders import SUPPORTED

_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str | None) -> str:
    """A plain file name: no folders, no traversal, no control characters."""
    raw = unicodedata.normalize("NFKC", name or "")
    base = re.split(r"[\\/]", raw)[-1]
    base = _SAFE.sub("_", base).strip(" .")
    base = re.sub(r"_+", "_", base)[:120]
    if not base or base.startswith(".") or base in ("_", ""):
        raise ValueError(f"invalid file name {name!r}")
    return base


def sniff_type(path: Path, name: str) -> str | None:
    """The reason the content does not match the extension, or None when it does."""
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        return f"unsupported file type {ext or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED))}"
    head = path.open("rb").read(4096)
    if ext == ".pdf":
        return None if head.lstrip().startswith(b"%PDF") else "the file is not a PDF"
    if ext in (".docx", ".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return f"the file is not a {ext[1:].upper()} document"
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return f"the file is not a {ext[1:].upper()} document"
        marker = "word/" if ext == ".docx" else "xl/"
        return None if any(n.startswith(marker) for n in names) else f"the file is not a {ext[1:].upper()} document"
    if b"\x00" in head or head.startswith((b"%PDF", b"PK\x03\x04", b"\x7fELF", b"MZ")):
        return "the file is binary, not text"
    return None


class DeclaredSizeLimit:
    """ASGI middleware: refuse an upload whose declared Content-Length is over the limit with
    the API's JSON error before any of the body is read. (Bodies without a length are cut off
    while streaming by the route's ``max_body_size``.)"""

    def __init__(self, app, max_bytes: int, path: str = "/v1/documents") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = path

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == self.path:
            declared = dict(scope.get("headers") or []).get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.max_bytes:
                from assistant.api.errors import error_response

                response = error_response(413, "too_large", f"upload is over the {self.max_bytes / 1e6:.1f} MB limit")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
