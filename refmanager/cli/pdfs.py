"""Command line for PDFs as papers (issue 19): ``import`` of ``.pdf`` files and folders, and
``fetch-pdf ID...``.

``refmanager import`` hands its ``.pdf`` files and its folders here (``is_pdf_input``); the
rest is imported as before.  The PDFs are read and added as one action (``pdf.intake.add_pdfs``:
matched to the papers they are and attached, or new papers, flagged for review when the reading
was uncertain); one line per file, then a summary; a file skipped (not a PDF, broken) is named
on standard error with its reason and makes the exit status 1, as a rejected file does.
``--link`` attaches the files where they are instead of copying them beside the library.

``fetch-pdf ID...`` downloads the arXiv PDF of these papers (``core.arxiv_pdf``: the lookup's
rate-limited client) and attaches it, one undoable action per paper.  Kept out of
``cli/__init__.py``, which only registers and dispatches these commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import RefManagerError

if TYPE_CHECKING:
    from ..core.library import Library
    from ..core.store.pdf_papers import PdfImportReport

COMMANDS = ("fetch-pdf",)


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``fetch-pdf`` (``cmd`` is ``build_parser``'s helper)."""
    sp = cmd("fetch-pdf", "Download the arXiv PDF of papers with an arXiv id and attach it (one request every "
                          "3 seconds; a paper whose arXiv PDF is attached already is left alone).")
    sp.add_argument("ids", nargs="+", type=int, metavar="ID")
    sp.add_argument("--json", action="store_true", help="print the report as JSON")


def add_import_options(sp: argparse.ArgumentParser) -> None:
    """``import --link``: PDFs attached where they are."""
    sp.add_argument("--link", action="store_true",
                    help="PDFs and folders of PDFs: attach the files where they are instead of copying them")


def is_pdf_input(path: str) -> bool:
    from ..pdf.intake import is_pdf_input as check

    return check(path)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        half = total // 2
        what = f"reading {min(done, half)} of {half} PDFs" if done <= half else f"adding {done - half} of {half}"
        print(f"\r{what}\x1b[K", end="" if done < total else "\n", file=sys.stderr, flush=True)


def import_pdfs(lib: Library, files: Sequence[str], args: argparse.Namespace) -> tuple[PdfImportReport, int]:
    """The PDFs and folders of ``import``: the report and the exit status (1 when one was skipped)."""
    from ..pdf.intake import MAX_FILES, add_pdfs

    empty = [f for f in files if Path(f).is_dir() and not _has_pdf(Path(f))]
    for f in empty:  # (a folder is read for its PDFs: one without any is an error, as a bad file is)
        print(f"refmanager: {f}: no PDF file in this folder", file=sys.stderr)
    files = [f for f in files if f not in empty]
    if not files:
        from ..core.store.pdf_papers import PdfImportReport
        return PdfImportReport(), 1
    report = add_pdfs(lib, files, "link" if getattr(args, "link", False) else "copy",
                      collection=getattr(args, "collection", None), progress=_progress)
    if not args.json:
        for line in report.lines():
            print(line)
        print("PDFs: " + report.summary())
    for o in report.skipped:
        print(f"refmanager: {o.file}: skipped: {o.message}", file=sys.stderr)
    if report.left_out:
        print(f"refmanager: {report.left_out} more PDFs were left out (at most {MAX_FILES:,} a time)",
              file=sys.stderr)
    return report, 1 if report.skipped or report.left_out or empty else 0


def _has_pdf(folder: Path) -> bool:
    """Does the folder (or one under it) hold a file named ``*.pdf``?"""
    return any(p.suffix.lower() == ".pdf" and p.is_file() for p in folder.rglob("*"))


def run(lib: Library, args: argparse.Namespace) -> int:
    if args.command == "fetch-pdf":
        return _fetch(lib, args.ids, args.json)
    raise RefManagerError(f"unknown command {args.command!r}")


def _fetch(lib: Library, ids: list[int], as_json: bool) -> int:
    from ..core import arxiv_api, arxiv_pdf

    for pid in ids:
        if not lib.exists(pid):
            raise RefManagerError(f"no paper with id {pid}")
    report = arxiv_pdf.fetch_pdfs(lib, ids, arxiv_api.default_fetcher(), arxiv_api.default_clock())
    if as_json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for o in report.outcomes:
            print(o.line())
        print("Total: " + report.summary())
    if report.aborted:
        print(f"refmanager: fetching PDFs stopped: {report.aborted}", file=sys.stderr)
    bad = [o for o in report.outcomes if o.status in (arxiv_pdf.FAILED, arxiv_pdf.NO_ID)]
    return 1 if bad or report.aborted or report.cancelled else 0
