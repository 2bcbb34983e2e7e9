"""What a dropped PDF says it is: its arXiv id, DOI, title and authors, each with a confidence.

``read_raw(path)`` reads, with QtPdf, what the guess needs: the metadata's Title, Author,
Subject and Keywords, the text of the first ``PAGES`` pages, and the first page's lines with
their boxes (a line's box comes from ``getSelectionAtIndex`` over its characters: QtPdf has no
font sizes, but a line's height and its letters' width say about how large its text is).
``guess.guess`` turns that and the file name into values with confidences (no Qt: its rules
are tested on their own).  ``read_metadata(paths)`` does both for many files.

Like ``extract``, the reading runs in a reader process only (``python -m
refmanager.pdf.metadata``, driven by ``MetadataReader``, a ``worker.PdfReader`` with this
process's answers): a hostile file that crashes or hangs PDFium fails alone, with a message,
and the others are read.  A file that cannot be read gives ``extract``'s messages
("encrypted (password required)", "not a readable PDF", "the file is missing"); a file that
does not start like a PDF is "not a PDF" before PDFium sees it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import extract
from .extract import Failed, clean
from .guess import Guess, Line, Raw, guess
from .worker import PdfReader

log = logging.getLogger(__name__)

#: Pages whose text is read (the DOI may be in the first page's footer or on the second).
PAGES = 2
#: Characters kept of a page.
MAX_PAGE_CHARS = 50_000
#: Lines of the first page whose boxes are read.
MAX_LINES = 200
#: Seconds one file may take (the reader process is killed after that).
FILE_SECONDS = 30.0
#: Files a reader process reads before it is replaced (``getAllText``'s small leak).
RECYCLE_FILES = 50
_BREAK = re.compile(r"\r\n|\r|\n")


def looks_like_pdf(path: str | os.PathLike[str]) -> str | None:
    """Why the file is not worth giving to PDFium (None: it starts like a PDF)."""
    try:
        size = os.path.getsize(path)
        if size == 0:
            return "not a PDF (the file is empty)"
        if size > extract.MAX_BYTES:
            return f"too large to read (over {extract.MAX_BYTES // 2**20} MB)"
        with open(path, "rb") as f:
            head = f.read(1024)
    except FileNotFoundError:
        return extract.MESSAGES["FileNotFound"]
    except PermissionError:
        return "cannot read the file: permission denied"
    except OSError as e:
        return f"cannot read the file: {e.strerror or e}"
    return None if b"%PDF-" in head else "not a PDF"


def _lines(doc: Any, text: str) -> list[Line]:
    """The first page's lines with their boxes (the page text's line breaks are characters too)."""
    out: list[Line] = []
    start = 0
    for m in _BREAK.finditer(text + "\n"):
        line = text[start:m.start()]
        if line.strip():
            r = doc.getSelectionAtIndex(0, start, len(line)).boundingRectangle()
            if r.width() > 0 and r.height() > 0:
                out.append(Line(line, r.top(), r.bottom(), r.left(), r.right()))
        start = m.end()
        if len(out) >= MAX_LINES:
            break
    return out


def read_raw(path: str | os.PathLike[str]) -> Raw | Failed:
    """What the guess needs from a PDF, or why it cannot be read (never raises)."""
    path = os.fspath(path)
    if (why := looks_like_pdf(path)) is not None:
        return Failed(why)
    from PySide6.QtPdf import QPdfDocument  # (here: the parent process needs no Qt)

    doc = QPdfDocument()  # (no parent: see extract)
    try:
        err = doc.load(path)
        if err != QPdfDocument.Error.None_ or doc.status() != QPdfDocument.Status.Ready:
            return Failed(extract.MESSAGES.get(err.name, "not a readable PDF"))
        n = doc.pageCount()
        if n <= 0:
            return Failed("not a readable PDF (no pages)")
        F = QPdfDocument.MetaDataField
        info = {f.name: v.strip() for f in (F.Title, F.Author, F.Subject, F.Keywords)
                if isinstance(v := doc.metaData(f), str) and v.strip()}
        first = doc.getAllText(0).text()[:MAX_PAGE_CHARS]
        pages = [clean(first)] + [clean(doc.getAllText(i).text()[:MAX_PAGE_CHARS]) for i in range(1, min(n, PAGES))]
        return Raw(info, pages, _lines(doc, first), doc.pagePointSize(0).height(), n)
    finally:
        doc.close()


def _decode(obj: Any) -> Raw | Failed:
    if not isinstance(obj, dict):
        return Failed("the PDF reader gave no answer")
    if "error" in obj:
        return Failed(str(obj["error"]))
    try:
        return Raw.from_wire(obj["raw"])
    except (KeyError, TypeError, ValueError):
        return Failed("the PDF reader gave no answer")


class MetadataReader(PdfReader):
    """Reads PDFs' metadata and first pages in a reader process (``worker.PdfReader``'s
    bounds: time, memory, recycling, cancel)."""

    decode = staticmethod(_decode)  # type: ignore[assignment]

    def __init__(self, *, cancelled: Callable[[], bool] | None = None, seconds: float = FILE_SECONDS,
                 command: list[str] | None = None) -> None:
        super().__init__(seconds=seconds, recycle=RECYCLE_FILES, cancelled=cancelled,
                         command=command or [sys.executable, "-m", "refmanager.pdf.metadata", str(os.getpid())])


def read_metadata(paths: Sequence[str], reader: MetadataReader) -> Iterator[tuple[str, Guess | None, str | None]]:
    """For each file: (path, what it says it is, why it could not be read).  The guess is
    None for a file that is not a PDF or is broken; an encrypted PDF's comes from its name."""
    for path in paths:
        why = looks_like_pdf(path)
        raw = reader.read(path) if why is None else Failed(why)
        if isinstance(raw, Failed):
            encrypted = raw.message.startswith("encrypted")
            yield path, (guess(os.path.basename(path), None, raw.message) if encrypted else None), raw.message
        else:
            yield path, guess(os.path.basename(path), raw), None  # type: ignore[arg-type]


def main() -> int:
    """The reader: one request a line on stdin (``{"path": P}``), one answer a line on stdout."""

    def answer(req: dict[str, Any]) -> dict[str, Any]:
        result = read_raw(str(req["path"]))
        return {"error": result.message} if isinstance(result, Failed) else {"raw": result.to_wire()}

    return extract.serve_lines(answer, lambda message: {"error": message}, "reading a PDF's metadata")


if __name__ == "__main__":
    sys.exit(main())
