"""A PDF's text, page by page, and its metadata, with QtPdf; or one clear message why not.

``extract(path)`` loads the file with ``QPdfDocument`` (no QCoreApplication, no display:
QtPdf needs neither to load and read text) and reads each page's text.  A file QtPdf cannot
open gives a message a user understands: ``encrypted (password required)``, ``not a readable
PDF``, ``the file is missing``; nothing raises.  Bounded: files over ``MAX_BYTES`` are not
opened, at most ``MAX_PAGES`` pages and ``MAX_CHARS`` characters are kept (a note says so),
and reading stops at the deadline with the pages read so far.  Lines end in ``\\n``; a word
hyphenated across a line end is joined (``cita-\\ntion`` is found as ``citation``).

It runs in a worker process only (``python -m refmanager.pdf.extract``; ``worker.PdfReader``
drives it), never in the window's or the library's process: PDFium works in long C calls, a
hostile file may crash it, and ``getAllText`` leaks ~2.6 KB a call on pages without text,
so the worker is ended every few files.  Protocol: one JSON request a line on stdin,
``{"path": P, "seconds": S}``, one JSON answer a line on stdout (``to_wire``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: Files larger than this are not opened (PDFium maps the whole file).
MAX_BYTES = 256 * 1024 * 1024
#: Pages read at most (a note says when a file has more).
MAX_PAGES = 3000
#: Characters kept per page (a page of text is ~3,000: more is a broken text layer).
MAX_PAGE_CHARS = 200_000
#: Characters kept per file (a 1,000-page book has ~3 million).
MAX_CHARS = 16_000_000
#: Seconds a file may take when the request names none (``worker`` kills the process later).
DEFAULT_SECONDS = 60.0

#: QPdfDocument.Error names -> what the user reads.
MESSAGES = {
    "FileNotFound": "the file is missing",
    "InvalidFileFormat": "not a readable PDF",
    "IncorrectPassword": "encrypted (password required)",
    "UnsupportedSecurityScheme": "encrypted (unsupported security scheme)",
    "DataNotYetAvailable": "not a readable PDF",
    "Unknown": "not a readable PDF",
}
_HYPHENATED = re.compile(r"(\w)[-\u00ad\x02]\n(\w)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Extracted:
    """A PDF read: each page's text (the first is page 1), its metadata, and a note when
    only part of it was read."""

    pages: list[str]
    title: str | None = None
    author: str | None = None
    page_count: int = 0
    note: str | None = None


@dataclass
class Failed:
    """A PDF that could not be read, and why (one line for the user)."""

    message: str


Result = Extracted | Failed


def to_wire(r: Result) -> dict[str, Any]:
    if isinstance(r, Failed):
        return {"error": r.message}
    return {"pages": r.pages, "title": r.title, "author": r.author, "page_count": r.page_count, "note": r.note}


def from_wire(obj: Any) -> Result:
    """An answer of the worker; anything else than one is a failure, never an exception."""
    if not isinstance(obj, dict):
        return Failed("the PDF reader gave no answer")
    if "error" in obj:
        return Failed(str(obj["error"]))
    pages = obj.get("pages")
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        return Failed("the PDF reader gave no answer")
    return Extracted(pages, obj.get("title") or None, obj.get("author") or None, int(obj.get("page_count") or 0),
                     obj.get("note") or None)


def clean(text: str) -> str:
    """A page's text as stored: ``\\n`` line ends, no control characters, hyphenated words
    joined when both halves are lower case (``cita-\\ntion``; not ``Jean-\\nPaul``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\x02\n", "-\n"))
    return _HYPHENATED.sub(lambda m: m.group(1) + m.group(2) if m.group(1).islower() and m.group(2).islower()
                           else m.group(0).replace("\u00ad", "-"), text)


def too_large() -> str:
    """Why a file over ``MAX_BYTES`` is not read."""
    limit = f"{MAX_BYTES // 2**20} MB" if MAX_BYTES >= 2**20 else f"{MAX_BYTES:,} bytes"
    return f"too large to index (over {limit})"


def extract(path: str | os.PathLike[str], *, deadline: float | None = None) -> Result:
    """The PDF's pages and metadata, or why it cannot be read; ``deadline``: a
    ``time.monotonic()`` after which reading stops (the pages so far are kept, with a note)."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        return Failed(MESSAGES["FileNotFound"])
    except OSError as e:
        return Failed(f"cannot read the file: {e.strerror or e}")
    if size == 0:
        return Failed("not a readable PDF (the file is empty)")
    if size > MAX_BYTES:
        return Failed(too_large())
    if not os.access(path, os.R_OK):
        return Failed("cannot read the file: permission denied")
    from PySide6.QtPdf import QPdfDocument  # (here: the types above serve processes without Qt)

    doc = QPdfDocument()  # (never a parent: a parented document outlived by its view crashes)
    try:
        err = doc.load(path)
        if err != QPdfDocument.Error.None_ or doc.status() != QPdfDocument.Status.Ready:
            return Failed(MESSAGES.get(err.name, "not a readable PDF"))
        n = doc.pageCount()
        if n <= 0:
            return Failed("not a readable PDF (no pages)")
        title = doc.metaData(QPdfDocument.MetaDataField.Title)
        author = doc.metaData(QPdfDocument.MetaDataField.Author)
        pages: list[str] = []
        chars = 0
        note = None
        for i in range(min(n, MAX_PAGES)):
            if pages and deadline is not None and time.monotonic() > deadline:  # (a first page always)
                note = f"read in part: only the first {i:,} of {n:,} pages (reading took too long)"
                break
            text = clean(doc.getAllText(i).text())[:MAX_PAGE_CHARS]
            if chars + len(text) > MAX_CHARS:
                note = f"read in part: only the first {i:,} of {n:,} pages (too much text)"
                break
            chars += len(text)
            pages.append(text)
        if note is None and n > MAX_PAGES:
            note = f"read in part: only the first {MAX_PAGES:,} of {n:,} pages"
        if note is None and not any(p.strip() for p in pages):
            note = "no text on any page (a scan without a text layer?)"
        return Extracted(pages, title if isinstance(title, str) and title.strip() else None,
                         author if isinstance(author, str) and author.strip() else None, n, note)
    finally:
        doc.close()


def _die_with_parent(parent: int) -> None:
    """Linux: end with the process that started this one (a killed index run leaves no reader)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError) as e:
        log.debug("prctl: %s", e)
    if parent and os.getppid() != parent:
        sys.exit(0)  # (it ended before the call above)


def serve_lines(answer: Callable[[dict[str, Any]], dict[str, Any]], refusal: Callable[[str], dict[str, Any]],
                what: str) -> int:
    """A PDF reader process (this one, ``metadata``'s): one JSON request a line on stdin, one answer
    a line on stdout, until stdin closes.  A bad request or a bug answers ``refusal(message)``, and
    the next request is still read; Ctrl+C is the driving process's; the process ends with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)
    out = sys.stdout.buffer
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except (ValueError, KeyError, TypeError) as e:
            reply = refusal(f"bad request to the PDF reader: {e}")
        except Exception as e:  # a bug: one line, the next file still read
            log.exception("%s failed", what)
            reply = refusal(f"internal error while reading the PDF: {e!r}")
        try:
            out.write((json.dumps(reply, ensure_ascii=False) + "\n").encode("utf-8", "replace"))
            out.flush()
        except BrokenPipeError:
            return 0
    return 0


def main() -> int:
    """The worker: ``{"path": P, "seconds": S}`` a line, each answered with the text (``to_wire``)."""

    def answer(req: dict[str, Any]) -> dict[str, Any]:
        seconds = float(req.get("seconds") or DEFAULT_SECONDS)
        return to_wire(extract(str(req["path"]), deadline=time.monotonic() + seconds))

    return serve_lines(answer, lambda message: to_wire(Failed(message)), "extracting")


if __name__ == "__main__":
    sys.exit(main())
