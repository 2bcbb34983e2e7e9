"""Command line for organising the library: collections, saved searches, tags, and the view
``list`` and ``search`` print (issue 18, item 11).

Every change goes through the Library method the app uses, so each is one undoable action and
``refmanager undo`` takes it back.  An unknown collection, saved search, tag or paper is one
line on standard error and exit 1 (bad input, like ``show 42``).  A search the parser cannot
fully use (a hint in the app: ``autor:``, ``year:20x5``) is refused with exit 2 and the hint,
nothing listed: the app still shows a best guess under its hint, but a script would take a
guess for the answer.  Kept out of ``cli/__init__.py`` so that file only registers and
dispatches these commands.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import RefManagerError
from ..core.search import parse_query
from ..core.store.collections import SEP, split_path

if TYPE_CHECKING:
    from ..core.import_stream import ImportReport
    from ..core.library import Library, View

log = logging.getLogger(__name__)

COMMANDS = ("collection", "saved-search", "tags")


class UsageError(RefManagerError):
    """A command given something it cannot use as asked (a query with a hint, an update with
    nothing to change): exit 2, like argparse's usage errors."""


def _papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


def actions(sp: argparse.ArgumentParser, dest: str, *, required: bool) -> Any:
    """The actions of a command (``collection create``, ``fulltext reindex`` ...), each taking
    ``--library`` too: a function adding one (name, help, aliases)."""
    subs = sp.add_subparsers(dest=dest, metavar="ACTION", parser_class=type(sp), required=required)

    def action(name: str, help: str, aliases: Sequence[str] = ()) -> argparse.ArgumentParser:
        a = subs.add_parser(name, help=help, description=help, aliases=list(aliases))
        a.add_argument("--library", metavar="PATH", default=argparse.SUPPRESS, help="library file")
        return a

    return action


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``collection``, ``saved-search`` and ``tags`` (``cmd`` is ``build_parser``'s helper)."""
    sp = cmd("collection", 'Collections: create, rename, move, delete, add papers, remove papers, list. '
                           'A collection is named by its path: "Thesis/Related work".')
    action = actions(sp, "action", required=True)
    a = action("create", "Create a collection (and its missing parents).")
    a.add_argument("path", metavar="PATH")
    a = action("rename", "Rename a collection (its papers and subcollections stay in it).")
    a.add_argument("path", metavar="PATH")
    a.add_argument("name", metavar="NAME", help="the new name (no \"/\": it stays where it is; see move)")
    a = action("move", "Move a collection, with everything in it, under another or to the top.")
    a.add_argument("path", metavar="PATH")
    where = a.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="PARENT", help="the collection to move it into")
    where.add_argument("--top", action="store_true", help="move it to the top level")
    a = action("delete", "Delete a collection and its subcollections (their papers stay in the library).")
    a.add_argument("path", metavar="PATH")
    a = action("add", "Put papers in a collection.")
    a.add_argument("path", metavar="PATH")
    a.add_argument("ids", nargs="+", type=int, metavar="ID")
    a = action("remove", "Take papers out of a collection (they stay in the library).")
    a.add_argument("path", metavar="PATH")
    a.add_argument("ids", nargs="+", type=int, metavar="ID")
    a = action("list", "List the collections as a tree, with how many papers each holds (trash aside).")
    a.add_argument("--json", action="store_true", help="print JSON: id, parent_id, name, path, count, total")

    sp = cmd("saved-search", "Saved searches: create, update, delete, list; run one with "
                             "`list --saved NAME` or `search --saved NAME`.")
    action = actions(sp, "action", required=True)
    a = action("create", "Save a search under a name.")
    a.add_argument("name", metavar="NAME")
    a.add_argument("query", metavar="QUERY", help="a search, as `search` takes it")
    a = action("update", "Change a saved search's query or name.")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--query", metavar="QUERY", help="the new query")
    a.add_argument("--name", dest="new_name", metavar="NEW", help="the new name")
    a = action("delete", "Delete a saved search.")
    a.add_argument("name", metavar="NAME")
    a = action("list", "List the saved searches and their queries.")
    a.add_argument("--json", action="store_true", help="print JSON: id, name, query")

    sp = cmd("tags", "List the tags with their paper counts (trash aside), or rename, merge, delete or colour one.")
    sp.add_argument("--json", action="store_true", help="print JSON: name, count, color")
    action = actions(sp, "action", required=False)
    a = action("list", "List the tags with their paper counts (the default).")
    a.add_argument("--json", action="store_true", help="print JSON: name, count, color")
    a = action("rename", "Rename a tag (onto an existing tag's name: merge them).")
    a.add_argument("old", metavar="OLD")
    a.add_argument("new", metavar="NEW")
    a = action("merge", "Merge tag A into tag B: every paper tagged A gets B, and A is gone.")
    a.add_argument("source", metavar="A")
    a.add_argument("target", metavar="B")
    a = action("delete", "Delete a tag (from every paper that has it).")
    a.add_argument("name", metavar="NAME")
    a = action("colour", "Set a tag's colour: #RGB, #RRGGBB, a name such as red or teal, or none.",
               aliases=["color"])
    a.add_argument("name", metavar="NAME")
    a.add_argument("colour", metavar="COLOUR")


def add_view_options(sp: argparse.ArgumentParser) -> None:
    """``list`` and ``search``: a collection's papers, a saved search."""
    sp.add_argument("--collection", metavar="PATH",
                    help='only the papers in this collection ("Thesis/Related work") and its subcollections')
    sp.add_argument("--no-subcollections", dest="subcollections", action="store_false",
                    help="with --collection: only the papers in the collection itself")
    sp.add_argument("--saved", metavar="NAME", help="only the papers a saved search finds")


# ------------------------------------------------------------------ the view of list/search
def check_query(query: str, what: str, refused: str = "nothing listed") -> None:
    """Refuse a query the parser cannot fully use, naming what it did not understand."""
    hint = parse_query(query).hint
    if hint:
        raise UsageError(f"{what}: {hint}; {refused} (see `refmanager search --help`)")


def view_of(lib: Library, args: argparse.Namespace) -> View:
    """The view ``list`` (oldest first) or ``search`` (newest first) prints."""
    from ..core.library import View

    query = getattr(args, "query", None) or ""
    if args.command == "search" and not query.strip() and not args.saved:
        raise UsageError("search: give a QUERY, or --saved NAME")
    saved = ""
    if args.saved:
        s = lib.saved_searches.need(args.saved)
        check_query(s.query, f"saved search {s.name!r} ({s.query})")
        saved = s.query
    if query.strip():
        check_query(query, "search")
    if not args.subcollections and args.collection is None:
        raise UsageError("--no-subcollections goes with --collection PATH")
    cid = lib.collections.need_path(args.collection) if args.collection is not None else None
    listing = args.command == "list"
    return View(section="trash" if args.trash else "all", search=query, saved=saved, sort="added",
                descending=not listing, collection=cid, subcollections=args.subcollections)


# ------------------------------------------------------------------------ import --collection
def import_into(lib: Library, files: Sequence[str], path: str) -> tuple[ImportReport, dict[str, Any]]:
    """``import --collection PATH``: the papers of the files go into the collection, which the
    import makes when missing, in its own action (one undo takes back both; a failed import
    leaves no empty collection)."""
    made = lib.find_collection(path) is None
    report = lib.import_paths(files, collection=path)
    cid = lib.find_collection(path)
    info: dict[str, Any] = {"path": SEP.join(split_path(path)), "made": made and cid is not None}
    if cid is not None:
        c = lib.collections.need(cid)
        info.update(id=c.id, path=c.path)
    return report, info


# ---------------------------------------------------------------------------------- commands
def run(lib: Library, args: argparse.Namespace) -> int:
    """Run one of ``COMMANDS``; returns the exit status."""
    if args.command == "collection":
        return _collection(lib, args)
    if args.command == "saved-search":
        return _saved_search(lib, args)
    if args.command == "tags":
        return _tags(lib, args)
    raise RefManagerError(f"unknown command {args.command!r}")


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _collection(lib: Library, args: argparse.Namespace) -> int:
    cols = lib.collections
    a = args.action
    if a == "list":
        tree = lib.collection_tree()
        if args.json:
            _dump([c.to_json() for c in tree])
        elif not tree:
            print("No collections.")
        for c in tree if not args.json else ():
            direct = f"; {c.count} directly" if c.count != c.total else ""
            print(f"{'  ' * c.depth}{c.name} ({_papers(c.total)}{direct})")
        return 0
    if a == "create":
        names = split_path(args.path)
        missing = [SEP.join(names[:i]) for i in range(1, len(names) + 1) if cols.find(SEP.join(names[:i])) is None]
        cid = cols.create_path(args.path)
        for p in missing[:-1]:
            print(f"created collection {p!r}")
        print(f"created collection {cols.need(cid).path!r}")
        return 0
    cid = cols.need_path(args.path)
    c = cols.need(cid)
    if a == "rename":
        lib.rename_collection(cid, args.name)
        new = cols.need(cid).path
        print(f"renamed collection {c.path!r} to {new!r}" if new != c.path else f"{c.path!r}: nothing changed")
    elif a == "move":
        parent = None if args.top else cols.need_path(args.to)
        lib.move_collection(cid, parent)
        new = cols.need(cid).path
        print(f"moved collection {c.path!r} to {new!r}" if new != c.path else f"{c.path!r}: nothing changed")
    elif a == "delete":
        subs = len(cols.subtree(cid)) - 1
        lib.delete_collection(cid)
        also = f" and its {subs} subcollection{'s' if subs != 1 else ''}" if subs else ""
        print(f"deleted collection {c.path!r}{also}; its papers stay in the library")
    elif a == "add":
        ids = list(dict.fromkeys(args.ids))
        n = lib.add_to_collection(cid, ids)
        rest = f" ({len(ids) - n} already in it)" if n != len(ids) else ""
        print(f"added {_papers(n)} to {c.path!r}{rest}")
    elif a == "remove":
        ids = list(dict.fromkeys(args.ids))
        for pid in ids:
            if not lib.exists(pid):
                raise RefManagerError(f"no paper with id {pid}")
        n = lib.remove_from_collection(cid, ids)
        rest = f" ({len(ids) - n} not in it)" if n != len(ids) else ""
        print(f"removed {_papers(n)} from {c.path!r}{rest}")
    return 0


def _saved_search(lib: Library, args: argparse.Namespace) -> int:
    searches = lib.saved_searches
    a = args.action
    if a == "list":
        found = lib.saved_search_list()
        if args.json:
            _dump([s.to_json() for s in found])
        elif not found:
            print("No saved searches.")
        for s in found if not args.json else ():
            print(f"{s.name}: {s.query}")
        return 0
    if a == "create":
        if searches.find(args.name) is None:  # (the core says when the name is taken)
            check_query(args.query, "saved-search create", "nothing saved")
        sid = lib.save_search(args.name, args.query)
        s = searches.need(sid)
        print(f"saved search {s.name!r}: {s.query}")
        return 0
    s = searches.need(args.name)
    if a == "update":
        if args.query is None and args.new_name is None:
            raise UsageError("saved-search update: give --query QUERY or --name NEW")
        if args.query is not None:
            check_query(args.query, "saved-search update", "nothing changed")
        lib.update_saved_search(s.id, name=args.new_name, query=args.query)
        new = searches.need(s.id)
        print(f"saved search {new.name!r}: {new.query}" if new != s else f"saved search {s.name!r}: nothing changed")
    elif a == "delete":
        lib.delete_saved_search(s.id)
        print(f"deleted saved search {s.name!r} ({s.query})")
    return 0


def _tag_name(lib: Library, name: str) -> str:
    """The tag's name as stored (names compare without case); exit 1 when there is none."""
    found = next((t for t in lib.tag_names() if t.casefold() == " ".join(name.split()).casefold()), None)
    if found is None:
        raise RefManagerError(f"no tag named {name!r} (`refmanager tags` lists them)")
    return found


def _tags(lib: Library, args: argparse.Namespace) -> int:
    a = args.action
    if a in (None, "list"):
        rows = lib.tag_counts()
        if args.json:
            _dump([{"name": n, "count": k, "color": c} for n, k, c in rows])
        elif not rows:
            print("No tags.")
        for n, k, c in rows if not args.json else ():
            print(f"{k:>6}  {n}{f'  {c}' if c else ''}")
        return 0
    if a == "rename":
        old = _tag_name(lib, args.old)
        new = lib.clean_tag(args.new)
        existing = next((t for t in lib.tag_names()
                         if t.casefold() == new.casefold() and t.casefold() != old.casefold()), None)
        if existing is not None:
            n = len(lib.tags.papers_with(old))
            lib.merge_tag(old, existing)
            print(f"merged tag {old!r} into {existing!r} ({_papers(n)}; a tag {existing!r} existed)")
            return 0
        if new == old:
            print(f"tag {old!r}: nothing changed")
            return 0
        lib.rename_tag(old, new)
        print(f"renamed tag {old!r} to {new!r}")
    elif a == "merge":
        source, target = _tag_name(lib, args.source), _tag_name(lib, args.target)
        if source == target:
            raise RefManagerError(f"cannot merge tag {source!r} into itself")
        n = len(lib.tags.papers_with(source))
        lib.merge_tag(source, target)
        print(f"merged tag {source!r} into {target!r} ({_papers(n)})")
    elif a == "delete":
        name = _tag_name(lib, args.name)
        n = len(lib.tags.papers_with(name))
        lib.delete_tag(name)
        print(f"deleted tag {name!r} ({_papers(n)})")
    elif a in ("colour", "color"):
        name = _tag_name(lib, args.name)
        before = dict(lib.tag_list())[name]
        lib.set_tag_color(name, args.colour)
        after = dict(lib.tag_list())[name]
        if after == before:
            print(f"tag {name!r}: nothing changed (colour {after or 'none'})")
        else:
            print(f"tag {name!r}: colour {after or 'none'}")
    return 0
