"""Command line for the annotations of a paper's PDFs (issue 19): ``annotations ID [--json]``.

One line per annotation, in the order the app lists them (by file, page and place): the page,
the colour, the quoted text of a highlight, and its comment (or a note's text) below.
``--json`` prints each with its id, kind, page (from 1), colour, quote, comment, rectangles
(PDF points from the page's top left), character offsets, the PDF's SHA-256 and its times.
Annotations are made in the app's PDF reader; here they are read.  Kept out of
``cli/__init__.py``, which only registers and dispatches this command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.errors import RefManagerError

if TYPE_CHECKING:
    from ..core.library import Library

COMMANDS = ("annotations",)


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``annotations`` (``cmd`` is ``build_parser``'s helper)."""
    sp = cmd("annotations", "List a paper's annotations of its PDFs (highlights with their comments, notes on "
                            "pages), as made in the app's reader. Search them with annotation:WORD.")
    sp.add_argument("id", type=int, metavar="ID")
    sp.add_argument("--json", action="store_true", help="print JSON")


def run(lib: Library, args: argparse.Namespace) -> int:
    p = lib.get(args.id)
    if p is None:
        raise RefManagerError(f"no paper with id {args.id}")
    notes = lib.annotations(args.id)
    if args.json:
        json.dump([a.to_json() for a in notes], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    title = p.title or f"paper {p.id}"
    print(f"{p.id}: {title} — {len(notes) or 'no'} annotation{'s' if len(notes) != 1 else ''}")
    for a in notes:
        head = f"  p. {a.page:<4} {a.color:<7} "
        if a.kind == "highlight":
            print(head + "\u201c" + " ".join((a.quote or "").split()) + "\u201d")
            if a.comment:
                for line in a.comment.splitlines():
                    print(" " * len(head) + "\u21b3 " + line)
        else:
            lines = (a.comment or "").splitlines() or [""]
            print(head + "note: " + lines[0])
            for line in lines[1:]:
                print(" " * (len(head) + 6) + line)
    return 0
