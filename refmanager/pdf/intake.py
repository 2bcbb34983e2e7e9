"""PDFs dropped (or named on the command line) become papers: ``add_pdfs``.

Two steps.  First every file is read (``metadata.read_metadata``, in the reader process,
outside any transaction: the library stays free for the window meanwhile), then all of them
are written as one action (``store/pdf_papers.PdfPapers``, over the library's parts: matched
to the papers they are and attached, or made new papers).  Cancel while reading stops before anything is written;
while writing it rolls the action back.  ``ImportCancelled`` either way.

Folders are walked for ``*.pdf`` (any case; hidden files and folders left out; symbolic links
to folders not followed), in name order, up to ``MAX_FILES`` files a drop: the rest are
counted in the report ("N more PDFs left out") and can be dropped next.

What happens to a file that cannot be read (the decision, issue 19): an **encrypted** PDF is
a real paper the user has, so it still becomes one (or is attached to the paper its file
name's arXiv id names), titled by its file name and flagged for review; a file that is **not
a PDF, broken, empty or missing** is skipped with its reason: attaching a file nobody can
open helps no one.  Neither stops the others.

In the app this runs in a child process of its own (``python -m refmanager.pdf.intake``,
driven by ``gui/pdf_controller.PdfImportProcess``), as an import does (``core/import_child``):
the spec arrives as one JSON object on stdin, ``{"library": PATH, "paths": [...], "mode":
"copy"|"link", "label": L|null, "collection": ID|null}``; each stdout line is ``{"progress": [done, total]}``, then
one of ``{"report": {...}}`` (``PdfImportReport.to_wire``), ``{"cancelled": true}`` or
``{"error": MESSAGE}``.  SIGTERM cancels.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.child import cancel_flag, say, serve
from ..core.errors import ImportCancelled
from ..core.library import Library
from ..core.store.pdf_papers import PdfImportReport, PdfInput, PdfPapers
from .metadata import MetadataReader, read_metadata
from .worker import Cancelled

log = logging.getLogger(__name__)

#: PDFs taken from the folders of one drop, at most (the rest are counted as left out).
MAX_FILES = 1000
#: Directory entries looked at while walking the folders, at most (a home folder dropped).
MAX_ENTRIES = 200_000
#: Niceness of the child, as an import's: the window comes first on two cores.
NICENESS = 10

Progress = Callable[[int, int], None] | None


def is_pdf_input(path: str | os.PathLike[str]) -> bool:
    """Whether an input goes to the PDF intake: a ``.pdf`` file, or a folder (of PDFs)."""
    p = Path(path)
    return p.suffix.lower() == ".pdf" or p.is_dir()


def collect(paths: Sequence[str | os.PathLike[str]], max_files: int = MAX_FILES) -> tuple[list[str], int]:
    """The files to read: those given, and the PDFs of the folders given (walked in name
    order); at most ``max_files``; and how many more PDFs the folders held."""
    files: list[str] = []
    more = 0
    seen = 0
    for given in paths:
        p = Path(given)
        if not p.is_dir():
            if len(files) < max_files:
                files.append(str(p))
            else:
                more += 1
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                seen += 1
                if name.startswith(".") or not name.lower().endswith(".pdf"):
                    continue
                if len(files) < max_files:
                    files.append(os.path.join(root, name))
                else:
                    more += 1
            if seen > MAX_ENTRIES:
                log.warning("%s: stopped walking after %d entries", p, seen)
                break
    return list(dict.fromkeys(files)), more


def read_inputs(files: Sequence[str], *, progress: Progress = None, cancelled: Callable[[], bool] | None = None,
                reader: MetadataReader | None = None, total: int | None = None) -> list[PdfInput]:
    """What each file says it is (``ImportCancelled`` when cancelled meanwhile)."""
    stop = cancelled or (lambda: False)
    own = reader is None
    reader = reader or MetadataReader(cancelled=stop)
    out: list[PdfInput] = []
    try:
        for n, (path, g, problem) in enumerate(read_metadata(files, reader), 1):
            if g is None:
                out.append(PdfInput(path, None, problem))
            else:
                out.append(PdfInput(path, g.entry(), problem, g.summary(), g.doubt))
            if progress is not None:
                progress(n, total or len(files))
            if stop():
                raise ImportCancelled("cancelled: nothing was added")
    except Cancelled:
        raise ImportCancelled("cancelled: nothing was added") from None
    finally:
        if own:
            reader.close()
    return out


def add_pdfs(lib: Library, paths: Sequence[str | os.PathLike[str]], mode: str = "copy", *,
             label: str | None = None, progress: Progress = None, cancelled: Callable[[], bool] | None = None,
             reader: MetadataReader | None = None, max_files: int = MAX_FILES,
             collection: int | str | None = None) -> PdfImportReport:
    """Read the PDFs (and the folders' PDFs) and add them as one action (see the module);
    ``collection``: every paper of the drop goes in it too (an id, or a path made when missing)."""
    files, more = collect(paths, max_files)
    total = 2 * len(files)
    if progress is not None:
        progress(0, total)
    inputs = read_inputs(files, progress=progress, cancelled=cancelled, reader=reader, total=total)
    writer = PdfPapers(lib.attacher, lib.alternatives, lib.sources, lib.collections)
    report = writer.add(inputs, mode, label=label, cancelled=cancelled, collection=collection,
                        progress=None if progress is None else lambda d, t: progress(len(files) + d, total))
    report.left_out = more
    return report


def main() -> int:
    cancel = cancel_flag(NICENESS, sigint=True)  # (Ctrl+C in the app's terminal: cancel too)

    def start(spec: dict[str, Any]) -> tuple[Library, Callable[[], dict[str, Any]]]:
        paths = [str(p) for p in spec["paths"]]
        mode = "link" if spec.get("mode") == "link" else "copy"
        lib = Library(Path(spec["library"]), create=False)

        def work() -> dict[str, Any]:
            report = add_pdfs(lib, paths, mode, label=spec.get("label"), cancelled=cancel.is_set,
                              collection=spec.get("collection"),
                              progress=lambda d, t: say({"progress": [d, t]}))
            return {"report": report.to_wire()}

        return lib, work

    return serve(start, bad=(ValueError, KeyError, TypeError), bad_text="bad request")


if __name__ == "__main__":
    sys.exit(main())
