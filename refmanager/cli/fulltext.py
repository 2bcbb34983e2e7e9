"""Command line for the full text of attached PDFs (issue 19): ``fulltext reindex [ID...]``,
``fulltext status [--json]``, and ``search --fulltext``.

``reindex`` runs the index in this process (``pdf.index_child.run_index``: each PDF read in the
reader process, each kept in its own transaction), with progress on standard error.  A PDF
that cannot be read is listed on standard error with its reason and the others are still
indexed; the exit status is then 1, as for an import with a file rejected (README's table).
Ctrl+C stops after what was written (exit 130): the next ``reindex`` goes on from there.
Kept out of ``cli/__init__.py``, which only registers and dispatches these commands.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.errors import RefManagerError
from .organising import actions

if TYPE_CHECKING:
    from ..core.library import Library, View

log = logging.getLogger(__name__)

COMMANDS = ("fulltext",)
EXIT_INTERRUPTED = 130


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``fulltext`` (``cmd`` is ``build_parser``'s helper)."""
    sp = cmd("fulltext", "The full-text index of attached PDFs: reindex, status. Search it with fulltext:WORD "
                         "or `search --fulltext`.")
    action = actions(sp, "action", required=True)
    a = action("reindex", "Index the attached PDFs not indexed yet or changed since (with IDs: every PDF of "
                          "these papers, again). Progress and the PDFs that cannot be read go to standard error.")
    a.add_argument("ids", nargs="*", type=int, metavar="ID")
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    a = action("status", "How many attached PDFs are indexed, still to index, or failed (and why).")
    a.add_argument("--json", action="store_true", help="print JSON: indexed, pending, failed, pages, failures")


def add_search_option(sp: argparse.ArgumentParser) -> None:
    """``search --fulltext``: the toggle "search full text too"."""
    sp.add_argument("--fulltext", action="store_true",
                    help="search the attached PDFs' text too: a word matches a paper whose record or PDFs have it")


def with_fulltext(view: View, args: argparse.Namespace) -> View:
    """The view ``search`` prints, with full text when ``--fulltext`` was given."""
    return replace(view, fulltext=True) if getattr(args, "fulltext", False) else view


def run(lib: Library, args: argparse.Namespace) -> int:
    if args.action == "status":
        return _status(lib, args.json)
    return _reindex(lib, args.ids, args.json)


def _where(f: dict[str, object]) -> str:
    return f"paper {f['paper']}, {f['name']}"


def _status(lib: Library, as_json: bool) -> int:
    st = lib.fulltext_status()
    if as_json:
        json.dump(st.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"indexed: {st.indexed} PDF{'s' if st.indexed != 1 else ''} ({st.pages:,} pages)")
    print(f"pending: {st.pending}")
    print(f"failed: {st.failed}")
    for f in st.failures:
        print(f"  {_where(f)}: {f['error']}")
    return 0


def _reindex(lib: Library, ids: list[int], as_json: bool) -> int:
    from ..pdf.index_child import run_index

    for pid in ids:
        if not lib.exists(pid):
            raise RefManagerError(f"no paper with id {pid}")
    tty = sys.stderr.isatty()

    last = [0]

    def progress(done: int, total: int, name: str | None) -> None:
        last[0] = done
        if name is None:
            if total:
                print(f"indexing {total} PDF{'s' if total != 1 else ''}…", file=sys.stderr)
            return
        line = f"[{done}/{total}] {name}"
        if tty:  # (one line, rewritten)
            print("\r" + line + "\033[K", end="\n" if done == total else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    try:
        report = run_index(lib, papers=ids or None, force=bool(ids), progress=progress)
    except KeyboardInterrupt:
        print(f"\nrefmanager: interrupted after {last[0]} PDF(s); `refmanager fulltext reindex` goes on from there",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if as_json:
        json.dump(report.to_wire(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(report.summary() if report.total else "Every attached PDF is indexed already.")
    for n in report.notes:
        print(f"refmanager: {_where(n)}: {n['note']}", file=sys.stderr)
    for f in report.failures:
        print(f"refmanager: {_where(f)}: {f['error']}", file=sys.stderr)
    return 1 if report.failures else 0
