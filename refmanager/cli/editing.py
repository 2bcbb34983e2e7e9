"""Command line for fixing the library by hand: edit, merge, split, duplicates, attach.

Kept out of ``cli/__init__.py`` so that file only registers and dispatches these
commands.  Errors are ``RefManagerError`` (one line on stderr, exit 1), like
every other command.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from ..core.errors import RefManagerError
from ..core.fields import EDITABLE_FIELDS, LABELS, Paper
from ..core.record import RECORD_BY_NAME, RECORD_FIELDS

log = logging.getLogger(__name__)

COMMANDS = ("edit", "key", "merge", "split", "duplicates", "not-duplicate", "attach", "detach", "attachments")

#: ``edit`` options: (flag, field, help).  An empty value clears the field.
_EDIT_OPTIONS = (
    ("--title", "title", "new title"),
    ("--authors", "authors", 'authors separated by ";" (e.g. "Ada Lovelace; Charles Babbage")'),
    ("--orgs", "orgs", 'organisations separated by ";"'),
    ("--date", "date", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("--category", "category", "arXiv category (cs.LG, or the listing code LG)"),
    ("--arxiv-id", "arxiv_id", "arXiv id (a version or an arxiv.org URL is fine; stored without version)"),
    ("--doi", "doi", "DOI (10.NNNN/..., a https://doi.org/ link is fine)"),
    ("--journal", "journal", "journal reference"),
    ("--volume", "volume", "volume"),
    ("--issue", "issue", "issue (number)"),
    ("--pages", "pages", "pages (e.g. 12-34)"),
    ("--abstract", "abstract", "abstract (- reads standard input)"),
    ("--type", "type", "item type (CSL's names: article-journal, paper-conference, book, chapter, thesis, ...)"),
    ("--publisher", "publisher", "publisher"),
    ("--key", "citekey", "citation key (unique in the library; the old one stays findable with key:)"),
)


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register the subcommands (``cmd`` is ``build_parser``'s helper)."""
    sp = cmd("edit", "Edit a paper's fields; imports never overwrite what you edit.")
    sp.add_argument("id", type=int)
    for flag, dest, help_ in _EDIT_OPTIONS:
        sp.add_argument(flag, dest=dest, metavar="TEXT", default=None, help=help_)
    sp.add_argument("--et-al", dest="et_al", action=argparse.BooleanOptionalAction, default=None,
                    help="the author list is incomplete (--no-et-al: it is complete)")
    sp.add_argument("--set", dest="set", action="append", default=[], metavar="FIELD=VALUE",
                    help="any field by name, repeatable: a column (title, journal, ...) or a field of the record "
                         f"({', '.join(f.name for f in RECORD_FIELDS)}; names separated by \";\"); "
                         "an empty VALUE clears it")

    sp = cmd("key", "Citation keys: `key regenerate ID...` makes new keys from the library's pattern.")
    sp.add_argument("action", choices=["regenerate", "pattern"])
    sp.add_argument("ids", nargs="*", metavar="ID|PATTERN",
                    help="papers (regenerate), or the pattern to set ({author}{year}{word}; none: print it)")

    sp = cmd("merge", "Merge duplicate papers into one (the lowest id, or --keep); `split` undoes it.")
    sp.add_argument("ids", nargs="+", type=int, metavar="ID")
    sp.add_argument("--keep", type=int, metavar="ID", help="the paper to keep (default: the lowest id)")

    sp = cmd("split", "Split a paper into the papers merged into it, or into one paper per imported entry.")
    sp.add_argument("id", type=int)

    sp = cmd("duplicates", "List pairs of papers that look like duplicates.")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.add_argument("--limit", type=int, default=200, metavar="N", help="at most N pairs (default 200)")

    sp = cmd("not-duplicate", "Say two papers are different: `duplicates` stops listing them.")
    sp.add_argument("a", type=int, metavar="ID")
    sp.add_argument("b", type=int, metavar="ID")

    sp = cmd("attach", "Attach a file to a paper (copied beside the library, or --link to leave it in place).")
    sp.add_argument("id", type=int)
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--link", action="store_true", help="record the file where it is instead of copying it")

    sp = cmd("detach", "Remove an attachment from a paper (see `attachments ID` for the numbers).")
    sp.add_argument("id", type=int)
    sp.add_argument("attachment", type=int, metavar="ATTACHMENT")

    sp = cmd("attachments", "List a paper's attachments.")
    sp.add_argument("id", type=int)
    sp.add_argument("--json", action="store_true", help="print JSON")


def _title(p: Paper | None) -> str:
    if p is None:
        return "?"
    return p.title or "[no title] " + (p.abstract or "")[:60] + "…"


def run(lib: Any, args: argparse.Namespace) -> int:
    """Run one of ``COMMANDS``; returns the exit status."""
    c = args.command
    if c == "edit":
        fields: dict[str, Any] = {}
        for _, dest, _ in _EDIT_OPTIONS:
            v = getattr(args, dest)
            if v is not None:
                fields[dest] = sys.stdin.read() if (dest == "abstract" and v == "-") else v
        if args.et_al is not None:
            fields["et_al"] = args.et_al
        for item in args.set:
            name, eq, value = item.partition("=")
            name = name.strip().replace("-", "_")
            if not eq or not name:
                raise RefManagerError(f"--set {item!r}: expected FIELD=VALUE")
            if name not in EDITABLE_FIELDS and name not in RECORD_BY_NAME:
                raise RefManagerError(f"--set: no field {name!r} (fields: {', '.join(EDITABLE_FIELDS)}, "
                                      f"{', '.join(RECORD_BY_NAME)})")
            fields[name] = value
        if not fields:
            raise RefManagerError("nothing to edit: give --title, --authors, --date ... (see edit --help)")
        changed = lib.edit_paper(args.id, **fields)
        if changed:
            record = ", ".join(RECORD_BY_NAME[f].label for f in fields if f in RECORD_BY_NAME)
            print(f"{args.id}: edited {', '.join(LABELS[f] if f != 'record' else record for f in changed)}")
        else:
            print(f"{args.id}: nothing changed")
        return 0
    if c == "key":
        if args.action == "pattern":
            if args.ids:
                lib.set_key_pattern(" ".join(args.ids))
            print(lib.key_pattern())
            return 0
        try:
            ids = [int(i) for i in args.ids]
        except ValueError:
            raise RefManagerError("key regenerate: expected paper ids") from None
        if not ids:
            raise RefManagerError("key regenerate: which papers? (give their ids)")
        for i in ids:
            if lib.get(i) is None:
                raise RefManagerError(f"no paper with id {i}")
        for pid, key in lib.regenerate_keys(ids).items():
            print(f"{pid}: {key}")
        return 0
    if c == "merge":
        kept = lib.merge_papers(args.ids, keep=args.keep)
        n = len(set(args.ids))
        print(f"merged {n} papers into {kept}: {_title(lib.get(kept))}")
        return 0
    if c == "split":
        ids = lib.split_paper(args.id)
        print(f"split {args.id} into {', '.join(map(str, ids))}")
        return 0
    if c == "duplicates":
        pairs = lib.find_duplicates(limit=args.limit)
        if args.json:
            json.dump([{"a": a, "b": b, "reason": r} for a, b, r in pairs], sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        papers = {p.id: p for p in lib.get_many(sorted({i for a, b, _ in pairs for i in (a, b)}))}
        for a, b, reason in pairs:
            print(f"{a:>6} {b:>6}  {reason}: {_title(papers.get(a))} | {_title(papers.get(b))}")
        if not pairs:
            print("No duplicates found.")
        return 0
    if c == "not-duplicate":
        lib.mark_not_duplicate(args.a, args.b)
        print(f"{args.a} and {args.b}: marked as different papers")
        return 0
    if c == "attach":
        a = lib.attach_file(args.id, args.file, mode="link" if args.link else "copy")
        print(f"{args.id}: attached {a['name']} as {a['id']} ({a['path']})")
        return 0
    if c == "detach":
        lib.detach(args.id, args.attachment)
        print(f"{args.id}: detached {args.attachment}")
        return 0
    if c == "attachments":
        atts = lib.attachments(args.id)
        if args.json:
            json.dump(atts, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return 0
        for a in atts:
            missing = "" if a["exists"] else "  (missing)"
            print(f"{a['id']:>4}  {a['mode']:<4}  {a['name']}  {a['path']}{missing}")
        return 0
    raise RefManagerError(f"unknown command {c!r}")
