"""The full-text index run: read the library's PDFs that need it, one by one, and keep each.

``run_index(lib)`` asks the library which PDF attachments need reading
(``FullText.pending``: never read, asked for again, or changed on disk), and for each one
hashes the file (a file touched but not changed is not read again), reads it in the PDF
reader process (``worker.PdfReader``) and writes its pages, or why it failed, in a short
transaction of its own.  So a cancel, a kill or a crash loses at most the file in progress,
and the next run goes on from there; a broken or encrypted PDF is one failure with its
message, never the end of the run.

The desktop app runs it in a process of its own, as it does imports (the window never waits
for it): ``python -m refmanager.pdf.index_child`` reads the spec as one JSON object on stdin,
``{"library": PATH, "papers": [ID...] | null, "force": false}`` (``force``: read those papers'
PDFs again, changed or not), and writes JSON lines on stdout: ``{"progress": [done, total],
"file": NAME}`` (first ``[0, total]``), then one of ``{"report": {...}}`` (``IndexReport``),
``{"cancelled": true, "report": {...}}`` or ``{"error": MESSAGE}``.  SIGTERM cancels: the file
being read is dropped, what was written stays.  The command line (``refmanager fulltext
reindex``) calls ``run_index`` itself.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.child import cancel_flag, say, serve
from ..core.library import Library
from ..core.store.fulltext import FileState, PendingFile, stat_of
from . import extract
from .extract import Failed
from .worker import Cancelled, PdfReader

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str | None], None]
#: Niceness of the index run and its reader, as of an import's (``core/import_child.py``): on
#: two cores the window must still get the CPU at once.
NICENESS = 10


@dataclass
class IndexReport:
    """What one run did: files to read, read (pages), unchanged, failed (with why), and
    whether it was cancelled before the end."""

    total: int = 0
    indexed: int = 0
    pages: int = 0
    unchanged: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: files read in part (their note)
    notes: list[dict[str, Any]] = field(default_factory=list)
    cancelled: bool = False

    @property
    def done(self) -> int:
        return self.indexed + self.unchanged + len(self.failures)

    def to_wire(self) -> dict[str, Any]:
        return {"total": self.total, "indexed": self.indexed, "pages": self.pages, "unchanged": self.unchanged,
                "failures": self.failures, "notes": self.notes, "cancelled": self.cancelled}

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> IndexReport:
        return cls(int(obj.get("total", 0)), int(obj.get("indexed", 0)), int(obj.get("pages", 0)),
                   int(obj.get("unchanged", 0)), list(obj.get("failures") or []), list(obj.get("notes") or []),
                   bool(obj.get("cancelled")))

    def summary(self) -> str:
        s = f"{self.indexed} PDF{'s' if self.indexed != 1 else ''} indexed ({self.pages:,} pages)"
        if self.unchanged:
            s += f", {self.unchanged} unchanged"
        if self.failures:
            s += f", {len(self.failures)} failed"
        if self.cancelled:
            s += "; cancelled (the rest is read at the next run)"
        return s


def sha256_of(path: Path, size: int, cancelled: Callable[[], bool]) -> str:
    """The SHA-256 of the file's first ``size`` bytes (its size when looked at: a file still
    growing is not followed; the next run sees it changed), read in 1 MB pieces, ``Cancelled``
    between them."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while size > 0 and (chunk := f.read(min(size, 1 << 20))):
            if cancelled():
                raise Cancelled
            h.update(chunk)
            size -= len(chunk)
    return h.hexdigest()


def _index_one(lib: Library, reader: PdfReader, f: PendingFile, report: IndexReport,
               cancelled: Callable[[], bool]) -> None:
    """Read one file and keep the outcome (its own transaction)."""
    stat = stat_of(f.path)

    def fail(message: str, state: FileState) -> None:
        if lib.fulltext_failed(f.attachment_id, state, message):
            report.failures.append({"attachment": f.attachment_id, "paper": f.paper_id, "name": f.name,
                                    "path": str(f.path), "error": message})

    if stat.size is None or not f.path.is_file():
        fail("the file is missing" if not f.path.exists() else "not a file" if stat.size is not None
             else "cannot read the file", stat)
        return
    if stat.size > extract.MAX_BYTES:
        fail(extract.too_large(), stat)
        return
    try:
        state = FileState(stat.size, stat.mtime_ns, sha256_of(f.path, stat.size, cancelled))
    except OSError as e:
        fail(f"cannot read the file: {e.strerror or e}", stat)
        return
    if f.status in ("indexed", "failed") and f.known is not None and f.known.sha256 == state.sha256 \
            and lib.fulltext.unchanged(f.attachment_id, state):
        report.unchanged += 1  # (copied or touched: the same bytes)
        return
    result = reader.read(f.path)
    if isinstance(result, Failed):
        log.info("%s: %s", f.path, result.message)
        fail(result.message, state)
        return
    if lib.fulltext_store(f.attachment_id, result.pages, state, result.note):
        report.indexed += 1
        report.pages += len(result.pages)
        if result.note:
            report.notes.append({"attachment": f.attachment_id, "paper": f.paper_id, "name": f.name,
                                 "note": result.note})


def run_index(lib: Library, *, papers: Sequence[int] | None = None, force: bool = False,
              progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
              reader: PdfReader | None = None) -> IndexReport:
    """Index the PDFs that need it (of these papers; ``force``: all of theirs, changed or
    not).  ``progress(done, total, name)`` after each file (first ``(0, total, None)``);
    ``cancelled()`` is asked between files and while one is read."""
    cancelled = cancelled or (lambda: False)
    lib.fulltext.forget_detached()
    if force and papers:
        lib.fulltext.request(papers)
    files = lib.fulltext_pending(papers)
    report = IndexReport(total=len(files))
    if progress:
        progress(0, report.total, None)
    own = reader is None
    reader = reader or PdfReader(cancelled=cancelled)
    try:
        for n, f in enumerate(files, 1):
            if cancelled():
                report.cancelled = True
                break
            try:
                _index_one(lib, reader, f, report, cancelled)
            except Cancelled:
                report.cancelled = True
                break
            if progress:
                progress(n, report.total, f.name)
    finally:
        if own:
            reader.close()
    log.info("full-text index of %s: %s", lib.path, report.summary())
    return report


def main() -> int:
    cancel = cancel_flag(NICENESS, sigint=True)  # (Ctrl+C in the app's terminal: cancel too)

    def start(spec: dict[str, Any]) -> tuple[Library, Callable[[], dict[str, Any]]]:
        papers = spec.get("papers")
        papers = None if papers is None else [int(i) for i in papers]
        lib = Library(Path(spec["library"]), create=False)

        def work() -> dict[str, Any]:
            report = run_index(lib, papers=papers, force=bool(spec.get("force")), cancelled=cancel.is_set,
                               progress=lambda d, t, name: say({"progress": [d, t], "file": name}))
            return {"cancelled": True, "report": report.to_wire()} if report.cancelled else {"report": report.to_wire()}

        return lib, work

    return serve(start, bad=(ValueError, KeyError, TypeError, AttributeError), bad_text="bad index request",
                 checkpoint=False)


if __name__ == "__main__":
    sys.exit(main())
