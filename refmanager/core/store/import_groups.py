"""An imported file's collections and saved searches, applied inside the import's action.

The parser sends what the file describes as plain data (``models.FileGroups``: JabRef's groups,
refmanager JSON's collections); the import session calls ``apply_groups`` when the file ends,
inside the file's savepoint, so the import's one undo record takes them back with the papers:
the collection and saved-search rows are compared before and after the import, and every paper
already in the library that joins a collection is snapshotted first.

Memberships are by entry (its line and citation key in the file), never by title: an entry
merged into a paper the library had still puts that paper in its collections.  A collection is
made only when missing (names compare without case); a saved search of the same name and query
is reused, one of the same name and another query gets a free name (``SavedSearches.ensure``).
What cannot be made is a warning of the file's report, never a failure of the import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import RefManagerError
from ..fields import dumps
from ..import_stream import FileReport
from ..models import FileGroups, GroupPath
from .annotations import insert_imported
from .collections import SEP, CollectionError, Collections, SavedSearches, clean_name
from .db import Db

log = logging.getLogger(__name__)


def _papers_of(refs: dict[tuple[int, str], list[int]], ref: tuple[int, str, int]) -> list[int]:
    """The paper the ``n``-th entry of that line and key became (``ref``: line, key, n).  By its
    place among the entries of one line: a JSON file written on one line has every paper on line
    1, none with a key, and each must get its own collections and annotations, not all of them."""
    pids = refs.get((ref[0], ref[1]), [])
    return [pids[ref[2]]] if ref[2] < len(pids) else []


def apply_groups(
    g: FileGroups, *, db: Db, collections: Collections, saved_searches: SavedSearches,
    refs: dict[tuple[int, str], list[int]], file: FileReport, before: Callable[[int], None],
) -> int:
    """Make the file's collections, put its entries' papers in them (``refs``: the papers each
    entry became; ``before`` snapshots a paper that was in the library), make its saved
    searches.  How many rows it added (0: it changed nothing)."""
    counts = (db.value("SELECT count(*) FROM collections"), db.value("SELECT count(*) FROM saved_searches"))
    cids: dict[GroupPath, int | None] = {}
    made: dict[int, GroupPath] = {}
    for path, line in g.collections:
        cids[path] = cid = _collection(collections, path, line, file)
        if cid is not None and made.setdefault(cid, path) != path:
            file.warnings.append(f"{_at(line)}the groups {'/'.join(made[cid])!r} and {'/'.join(path)!r} are one "
                                 "collection in refmanager (names compare without case)")
    members: dict[int, set[int]] = {}
    for ref, paths in g.members.items():
        for path in paths:
            if path not in cids:  # (a path only a member names: made too)
                cids[path] = _collection(collections, path, ref[0], file)
            cid = cids[path]
            if cid is not None:
                members.setdefault(cid, set()).update(_papers_of(refs, ref))
    put = 0
    for cid, pids in members.items():
        fresh = [pid for (pid,) in db.q(
            "SELECT value FROM json_each(?) WHERE value NOT IN "
            "(SELECT paper_id FROM collection_papers WHERE collection_id = ?)", (dumps(sorted(pids)), cid))]
        for pid in fresh:
            before(pid)
        put += collections.put(cid, fresh)
    for name, query, line in g.searches:
        try:
            saved_searches.ensure(name, query)
        except CollectionError as e:
            file.warnings.append(f"{_at(line)}saved search {name!r} not made: {e}")
    noted = 0
    for ref, notes in g.annotations.items():  # (refmanager JSON's annotations: an identical one is kept once)
        for pid in _papers_of(refs, ref):
            before(pid)
            for a in notes:
                try:
                    noted += insert_imported(db, pid, a)
                except RefManagerError as e:
                    file.warnings.append(f"{_at(ref[0])}an annotation not added: {e}")
    if noted:
        file.notes.append(f"{_n(noted, 'annotation')} added")
    n_coll = int(db.value("SELECT count(*) FROM collections")) - int(counts[0])
    n_search = int(db.value("SELECT count(*) FROM saved_searches")) - int(counts[1])
    if n_coll or put or n_search:
        file.notes.append(f"{_n(n_coll, 'collection')} made, {_n(put, 'paper')} put in collections, "
                          f"{_n(n_search, 'saved search', 'saved searches')} made")
    log.debug("%s: %d collections made, %d memberships, %d saved searches", file.file, n_coll, put, n_search)
    return n_coll + put + n_search + noted


def _collection(collections: Collections, path: GroupPath, line: int | None, file: FileReport) -> int | None:
    """The collection at a file's path (made with its parents when missing; a ``/`` in an
    imported name becomes ``∕``), or None with a warning."""
    try:
        return collections.ensure_path(SEP.join(clean_name(n, imported=True) for n in path), imported=True)
    except CollectionError as e:
        file.warnings.append(f"{_at(line)}collection {'/'.join(path)!r} not made: {e}")
        return None


def _at(line: int | None) -> str:
    return "" if line is None else f"line {line}: "


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
