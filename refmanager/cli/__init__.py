"""Command line: ``refmanager`` starts the app; subcommands script the library.

Errors a user can cause end in one line on standard error and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .. import __version__
from ..core.errors import RefManagerError
from ..core.export import DEFAULT_KEY_PATTERN, EXPORT_FORMATS
from ..core.fields import Paper, paper_json
from ..core.names import short_authors
from .organising import UsageError

if TYPE_CHECKING:
    from ..core.library import Library

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

#: The marks after a paper's id in ``list`` and ``search``.  A listing on a terminal ends with
#: a line saying what the marks shown mean; piped or redirected, the text stays one line per
#: paper (``--json`` is the form for scripts).
MARKS = (("*", "starred"), ("•", "unread"))
_LEGEND_TEXT = ", ".join(f"{m} {word}" for m, word in MARKS)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--library", metavar="PATH", help="library file (default: the user's library)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="refmanager",
        description="A reference manager for researchers. Without a command, starts the desktop app.",
    )
    p.add_argument("--version", action="version", version=f"refmanager {__version__}")
    _add_common(p)
    p.add_argument("--debug", action="store_true", help="log details to standard error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.add_argument("--library", metavar="PATH", default=argparse.SUPPRESS, help="library file")
        return sp

    sp = cmd("import", "Import listings or JSON exports into the library and print the report. PDFs and folders "
                       "of PDFs become papers: each attached to the paper it is, or a new paper.")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--collection", metavar="PATH",
                    help='put every paper of the files in this collection ("Thesis/Related work"; made if missing)')
    from . import pdfs

    pdfs.add_import_options(sp)  # import --link

    from . import listing, organising

    sp = cmd("list", "List the papers in the library (oldest first). "
                     f"Marks after the id: {_LEGEND_TEXT} (explained under the list on a terminal).")
    listing.add_output_options(sp)  # --json, --jsonl, --pretty, --fields, --ids, --limit
    sp.add_argument("--trash", action="store_true", help="list the papers in the trash instead")
    organising.add_view_options(sp)

    sp = cmd("search", "Search the library, newest first (words as prefixes, \"phrases\", -word, author: tag: "
                       "year: cat: key: type: collection:). A query with something it cannot use (autor:, "
                       "year:20x5, tag: alone) is refused: the reason on standard error, exit status 2.")
    sp.add_argument("query", nargs="?", default="", help="the search (optional with --saved, which it refines)")
    listing.add_output_options(sp)
    sp.add_argument("--trash", action="store_true", help="search the trash instead")
    organising.add_view_options(sp)
    from . import fulltext

    fulltext.add_search_option(sp)  # search --fulltext

    sp = cmd("show", "Show one paper.")
    sp.add_argument("id", type=int)
    sp.add_argument("--json", action="store_true", help="print JSON")

    sp = cmd("tag", "Add tags to a paper.")
    sp.add_argument("id", type=int)
    sp.add_argument("tags", nargs="+", metavar="TAG")

    sp = cmd("untag", "Remove tags from a paper.")
    sp.add_argument("id", type=int)
    sp.add_argument("tags", nargs="+", metavar="TAG")

    sp = cmd("note", "Set a paper's note (TEXT, or - to read standard input).")
    sp.add_argument("id", type=int)
    sp.add_argument("text", metavar="TEXT")

    for name, help_ in (
        ("star", "Star papers."),
        ("unstar", "Remove the star from papers."),
        ("read", "Mark papers read."),
        ("unread", "Mark papers unread."),
        ("trash", "Move papers to the trash."),
        ("restore", "Bring papers back from the trash."),
    ):
        sp = cmd(name, help_)
        sp.add_argument("ids", nargs="+", type=int, metavar="ID")

    sp = cmd("export", "Export the library.")
    sp.add_argument("--format", choices=list(EXPORT_FORMATS), default="json",
                    help="output format (default: json, refmanager's own, which imports back)")
    sp.add_argument("--key-pattern", metavar="PATTERN", default=DEFAULT_KEY_PATTERN,
                    help="citation keys of BibTeX and CSL-JSON: {author}, {year}, {word} and any text "
                         f"(default {DEFAULT_KEY_PATTERN})")
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    sp.add_argument("--trash", action="store_true", help="export the trash instead")

    sp = cmd("lookup", "Fill in metadata from the arXiv API (no ID: every paper without an arXiv id).")
    sp.add_argument("ids", nargs="*", type=int, metavar="ID")

    from . import editing

    editing.add_commands(cmd)  # edit, merge, split, duplicates, attach...
    from . import citing

    citing.add_commands(cmd)  # cite, styles
    organising.add_commands(cmd)  # collection, saved-search, tags
    fulltext.add_commands(cmd)  # fulltext reindex, fulltext status
    pdfs.add_commands(cmd)  # fetch-pdf
    from .annotations import add_commands as add_annotations

    add_annotations(cmd)  # annotations ID

    sp = cmd("undo", "Undo the last change to the library.")
    sp = cmd("redo", "Redo the last undone change.")

    sp = cmd("backup", "Back up the library now (or list backups with --list).")
    sp.add_argument("--list", action="store_true", help="list the backups")
    sp = cmd("restore-backup", "Replace the library with a backup (the current state is backed up first).")
    sp.add_argument("backup", nargs="?", help="backup file (default: the newest)")
    return p


def _library_path(args: argparse.Namespace) -> Path:
    from ..core.locations import default_library_path

    return Path(args.library) if getattr(args, "library", None) else default_library_path()


def _open(args: argparse.Namespace) -> Library:
    from ..core.library import Library

    # On a full disk the command line still reads the library (store/db.py: exclusive_if_full).
    return Library(_library_path(args), exclusive_if_full=True)


def _paper_line(p: Paper) -> str:
    title = p.title or ("[no title] " + (p.abstract or "")[:60] + "…")
    authors = short_authors(p.authors, p.et_al) or "?"  # "Kingma & Ba", as the table
    year = (p.date or "")[:4]
    flags = ("*" if p.starred else " ") + ("" if p.read else "•")
    tags = (" [" + ", ".join(p.tags) + "]") if p.tags else ""
    return f"{p.id:>6}{flags:<3}{year:>4}  {title} — {authors}{tags}"


def _legend(starred: bool, unread: bool) -> None:
    """Under a listing on a terminal: what the marks shown mean."""
    shown = {"*": starred, "•": unread}
    if any(shown.values()) and sys.stdout.isatty():
        print("   ".join(f"{m} {word}" for m, word in MARKS if shown[m]))


def _need(lib: Library, pid: int) -> None:
    if not lib.exists(pid):
        raise RefManagerError(f"no paper with id {pid}")


def run(args: argparse.Namespace) -> int:
    if args.command == "restore-backup" or (args.command == "backup" and args.list):
        return _backups(args)  # without opening the library: it may be the damaged one
    from . import citing, fulltext, organising, pdfs

    if args.command == "styles":
        return citing.styles(args)  # (no library needed)
    lib = _open(args)
    try:
        c = args.command
        if c == "import":
            from ..core.import_child import collector_paused

            pdf_files = [f for f in args.files if pdfs.is_pdf_input(f)]  # .pdf files and folders: cli/pdfs.py
            pdf_report, pdf_status = pdfs.import_pdfs(lib, pdf_files, args) if pdf_files else (None, EXIT_OK)
            args.files = [f for f in args.files if f not in pdf_files]
            if not args.files:
                if args.json:
                    print(json.dumps({"pdfs": pdf_report.to_wire()}, ensure_ascii=False, indent=2))
                return pdf_status
            missing = [f for f in args.files if not os.path.exists(f)]
            into = None
            with collector_paused():
                if args.collection is not None:
                    report, into = organising.import_into(lib, args.files, args.collection)
                else:
                    report = lib.import_paths(args.files)
            if args.json:
                print(json.dumps({**report.to_json(), **({"collection": into} if into else {}),
                                  **({"pdfs": pdf_report.to_wire()} if pdf_report else {})},
                                 ensure_ascii=False, indent=2))
            else:
                if into and into["made"]:
                    print(f"Made collection {into['path']!r}")
                for line in report.lines():
                    print(line)
            for problem in report.problems():
                print(f"refmanager: {problem}", file=sys.stderr)
            return EXIT_ERROR if report.rejected or missing or pdf_status else EXIT_OK
        if c in ("list", "search"):  # (a query with a hint is refused: organising.view_of)
            from .listing import print_listing  # streamed: cli/listing.py

            print_listing(lib, fulltext.with_fulltext(organising.view_of(lib, args), args), args, _paper_line, _legend)
            return EXIT_OK
        if c in organising.COMMANDS:  # collection, saved-search, tags
            return organising.run(lib, args)
        if c in pdfs.COMMANDS:  # fetch-pdf
            return pdfs.run(lib, args)
        if c == "annotations":  # (cli/annotations.py)
            from .annotations import run as annotations

            return annotations(lib, args)
        if c in fulltext.COMMANDS:  # fulltext reindex, fulltext status
            return fulltext.run(lib, args)
        if c == "show":
            p = lib.get(args.id)
            if p is None:
                raise RefManagerError(f"no paper with id {args.id}")
            if args.json:
                print(json.dumps(paper_json(p), ensure_ascii=False, indent=2))
            else:
                _show(p)
            return EXIT_OK
        if c in ("tag", "untag"):
            _need(lib, args.id)
            if c == "tag":
                lib.add_tags([args.id], args.tags)
            else:
                lib.remove_tags([args.id], args.tags)
            p = lib.get(args.id)
            print(f"{args.id}: tags: {', '.join(p.tags) if p.tags else '(none)'}")
            return EXIT_OK
        if c == "note":
            _need(lib, args.id)
            text = sys.stdin.read() if args.text == "-" else args.text
            lib.set_note(args.id, text, undoable=True)
            print(f"{args.id}: note saved ({len(text)} characters)")
            return EXIT_OK
        if c in ("star", "unstar", "read", "unread", "trash", "restore"):
            for pid in args.ids:
                _need(lib, pid)
            fn = {
                "star": lambda ids: lib.set_starred(ids, True),
                "unstar": lambda ids: lib.set_starred(ids, False),
                "read": lambda ids: lib.set_read(ids, True),
                "unread": lambda ids: lib.set_read(ids, False),
                "trash": lib.trash,
                "restore": lib.restore,
            }[c]
            fn(args.ids)
            print(f"{c}: {len(args.ids)} paper{'s' if len(args.ids) != 1 else ''}")
            return EXIT_OK
        if c == "export":
            from .listing import export_chunks, write_export  # every format streamed: cli/listing.py

            ids = lib.all_ids(trash=args.trash, compact=True)
            write_export(export_chunks(lib, args.format, ids, args.key_pattern), args.output)
            if args.output:
                print(f"exported {len(ids)} papers to {args.output}", file=sys.stderr)
            return EXIT_OK
        from . import editing

        if c in editing.COMMANDS:  # edit, merge, split, duplicates, attach...
            return editing.run(lib, args)
        if c == "cite":
            return citing.run(lib, args)
        if c == "lookup":
            return _lookup(lib, args.ids)
        if c in ("undo", "redo"):
            label = lib.undo() if c == "undo" else lib.redo()
            if label is None:
                raise RefManagerError(f"nothing to {c}")
            print(f"{c}: {label}")
            return EXIT_OK
        if c == "backup":
            print(lib.backup("manual"))
            return EXIT_OK
        raise RefManagerError(f"unknown command {c!r}")
    finally:
        lib.close()


def _backups(args: argparse.Namespace) -> int:
    """``backup --list`` and ``restore-backup``: they work on a library that cannot be opened."""
    from ..core.store import backup

    path = _library_path(args)
    backups = backup.list_backups(path)
    if args.command == "backup":
        for b in backups:
            print(b)
        return EXIT_OK
    target = Path(args.backup) if args.backup else (backups[0] if backups else None)
    if target is None:
        raise RefManagerError(f"no backups of {path} (they would be in {backup.backup_dir(path)})")
    saved = backup.restore_backup(path, target)
    print(f"restored {path} from {target}")
    if saved is not None:
        print(f"the state before the restore was saved to {saved}")
    return EXIT_OK


def _lookup(lib: Library, ids: list[int]) -> int:
    """``lookup``: one line per paper, a summary; a network failure is one line on stderr."""
    from ..core import arxiv_api

    for pid in ids:
        _need(lib, pid)
    ids = ids or arxiv_api.missing_id_papers(lib)
    if not ids:
        print("Every paper already has an arXiv id.")
        return EXIT_OK
    report = arxiv_api.lookup_papers(lib, ids, arxiv_api.default_fetcher(), arxiv_api.default_clock())
    done = report.outcomes[:-1] if report.aborted else report.outcomes
    for o in done:
        print(o.line())
    if report.aborted:
        print(f"refmanager: arXiv lookup stopped: {report.aborted}", file=sys.stderr)
        return EXIT_ERROR
    print("Total: " + report.summary())
    return EXIT_ERROR if report.failed else EXIT_OK


def _show(p: Paper) -> None:
    """Every field of the paper, one per line (empty ones left out), then the abstract and note."""
    from ..core.categories import category_name
    from ..core.record import RECORD_FIELDS, TYPES

    print(p.title or "[no title yet]")
    authors = ", ".join(p.authors) + (" et al." if p.et_al else "")
    print(authors)
    if p.orgs:
        print("Organisations: " + ", ".join(p.orgs))
    cat = p.category or "?"
    name = category_name(p.category)
    print(f"Date: {p.date or '?'}   Category: {cat}{f' ({name})' if name else ''}")
    lines = [
        ("Type", f"{TYPES.get(p.type or '', p.type or '?')} ({p.type})" if p.type else None),
        ("Key", p.citekey),
        ("Other keys", ", ".join(p.citekey_aliases) or None),
        ("arXiv", p.arxiv_id), ("DOI", p.doi), ("Venue", p.journal), ("Volume", p.volume), ("Issue", p.issue),
        ("Pages", p.pages), ("Publisher", p.publisher),
    ]
    for f in RECORD_FIELDS:
        v = (p.record or {}).get(f.name)
        lines.append((f.label[0].upper() + f.label[1:], "; ".join(v) if isinstance(v, list) else v))
    for label, value in lines:
        if value:
            print(f"{label}: {value}")
    for fmt, fields in sorted((p.extras or {}).items()):
        for k, v in fields.items():
            print(f"{fmt} {k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}")
    if p.tags:
        print("Tags: " + ", ".join(p.tags))
    print()
    print(p.abstract or "")
    if p.note:
        print("\nNote:\n" + p.note)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        from ..gui.app import run_app

        return run_app(args.library)
    try:
        return run(args)
    except UsageError as e:  # (a query with a hint, an update with nothing to change)
        print(f"refmanager: {e}", file=sys.stderr)
        return EXIT_USAGE
    except RefManagerError as e:
        print(f"refmanager: {e}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.DatabaseError as e:  # the library file failed under us (damaged, disk full...)
        from ..core.store.db import explain_db_error

        log.debug("database error", exc_info=True)
        print(f"refmanager: {explain_db_error(_library_path(args), e)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("refmanager: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # a bug: still one line, details with --debug
        from ..core.store.space import NO_ROOM

        if isinstance(e, OSError) and e.errno in NO_ROOM:  # e.g. `export -o` onto a full disk
            where = f"{e.filename}: " if e.filename else ""
            print(f"refmanager: {where}the disk is full ({e.strerror})", file=sys.stderr)
            return EXIT_ERROR
        log.debug("internal error", exc_info=True)
        print(f"refmanager: internal error: {e!r} (run with --debug for details)", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
