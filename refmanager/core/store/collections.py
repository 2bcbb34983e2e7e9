"""Collections (nested, a paper in any number of them) and saved searches (schema v11).

A collection is a name under a parent (none: at the top), unique among its siblings without
regard to case; its path is its ancestors' names and its own joined by ``/`` ("Thesis/Related
work"), so a name cannot hold a ``/`` (an imported name gets the look-alike ``∕`` instead,
``clean_name``).  Deleting a collection deletes its subcollections and their memberships, never
a paper.  A saved search is a name and a query of the search language, evaluated when it is
shown: it is live.

Every change is one undoable action in the history, like the tags': the collection rows (and
saved-search rows) are compared before and after it, and each paper's memberships are part of
its snapshot (``snapshots.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import RefManagerError
from ..fields import dumps
from .db import Db, chunks, now_iso
from .history import History
from .papers import Papers
from .snapshots import SUBTREE_CTE

#: The separator of a collection's path.
SEP = "/"
#: What an imported or pasted name's ``/`` becomes (it looks the same; a path can be split).
SLASH_LOOKALIKE = "\u2215"
#: Longest name kept.
MAX_NAME_CHARS = 200

#: Every collection with its path (``paths(id, parent_id, name, path, depth)``).
PATHS_CTE = (
    "paths(id, parent_id, name, path, depth) AS ("
    "SELECT id, parent_id, name, name, 0 FROM collections WHERE parent_id IS NULL "
    "UNION ALL SELECT c.id, c.parent_id, c.name, p.path || '/' || c.name, p.depth + 1 "
    "FROM collections c JOIN paths p ON c.parent_id = p.id)"
)


class CollectionError(RefManagerError):
    """A collection command that cannot be done (a name taken, a move into itself...)."""


def clean_name(name: str, *, imported: bool = False) -> str:
    """A collection's name as stored: whitespace collapsed.  A typed ``/`` is refused (it
    separates a path's names); an imported one becomes ``∕``."""
    name = " ".join((name or "").split())
    if SEP in name:
        if not imported:
            raise CollectionError(f"a collection's name cannot contain {SEP!r} (it separates a path): {name!r}")
        name = name.replace(SEP, SLASH_LOOKALIKE)
    if not name:
        raise CollectionError("a collection's name cannot be empty")
    return name[:MAX_NAME_CHARS]


def split_path(path: str) -> list[str]:
    """``"Thesis/Related work"`` -> its names (empty parts dropped, spaces collapsed)."""
    return [" ".join(p.split()) for p in (path or "").split(SEP) if p.strip()]


@dataclass(frozen=True)
class Collection:
    id: int
    parent_id: int | None
    name: str
    path: str
    depth: int
    #: papers in it, outside the trash (not counting its subcollections')
    count: int
    #: papers in it or in a subcollection, outside the trash (each counted once)
    total: int

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "parent_id": self.parent_id, "name": self.name, "path": self.path,
                "count": self.count, "total": self.total}


@dataclass(frozen=True)
class SavedSearch:
    id: int
    name: str
    query: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "query": self.query}


def _papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


class Collections:
    def __init__(self, db: Db, papers: Papers, history: History) -> None:
        self.db = db
        self.papers = papers
        self.history = history

    # ------------------------------------------------------------- reading
    def tree(self, *, counts: bool = True) -> list[Collection]:
        """Every collection, depth first in name order (a tree's rows as the sidebar shows them)."""
        rows = self.db.q(f"WITH RECURSIVE {PATHS_CTE} SELECT id, parent_id, name, path, depth FROM paths")
        direct: dict[int, int] = {}
        totals: dict[int, int] = {}
        if counts and rows:
            # Counted in the collections' rows, minus their papers in the trash (few): joining
            # every member's row to look at its trashed_at took 0.5 s for 50,000 members.
            direct = dict(self.db.q("SELECT collection_id, count(*) FROM collection_papers GROUP BY collection_id"))
            for cid, n in self.db.q(
                "SELECT cp.collection_id, count(*) FROM papers p INDEXED BY papers_trashed JOIN collection_papers cp "
                "ON cp.paper_id = p.id WHERE p.trashed_at IS NOT NULL GROUP BY cp.collection_id"
            ):
                direct[cid] -= n
            parents = {r[1] for r in rows if r[1] is not None}
            for cid in parents:  # (a paper in two subcollections counts once)
                totals[cid] = self._distinct_live(self.subtree(cid))
        by_parent: dict[int | None, list[tuple]] = {}
        by_parent: dict[int | None, list[tuple]] = {}
        for r in rows:
            by_parent.setdefault(r[1], []).append(r)
        out: list[Collection] = []

        def walk(parent: int | None) -> None:
            for cid, pid, name, path, depth in sorted(by_parent.get(parent, []), key=lambda r: r[2].casefold()):
                n = direct.get(cid, 0)
                out.append(Collection(cid, pid, name, path, depth, n, totals.get(cid, n)))
                walk(cid)

        walk(None)
        return out

    def get(self, cid: int) -> Collection | None:
        return next((c for c in self.tree(counts=False) if c.id == cid), None)

    def need(self, cid: int) -> Collection:
        c = self.get(cid)
        if c is None:
            raise CollectionError(f"no collection with id {cid}")
        return c

    def find(self, path: str) -> int | None:
        """The collection at ``path`` ("Thesis/Related work", case aside), or None."""
        parent: int | None = None
        for name in split_path(path):
            parent = self.db.value(
                "SELECT id FROM collections WHERE coalesce(parent_id, 0) = coalesce(?, 0) AND name = ? COLLATE NOCASE",
                (parent, name))
            if parent is None:
                return None
        return parent

    def need_path(self, path: str) -> int:
        cid = self.find(path)
        if cid is None:
            raise CollectionError(f"no collection {path!r}")
        return cid

    def _distinct_live(self, ids: Sequence[int]) -> int:
        """Papers outside the trash in any of these collections, each once."""
        js = dumps(list(ids))
        n = self.db.value("SELECT count(DISTINCT paper_id) FROM collection_papers WHERE collection_id IN "
                          "(SELECT value FROM json_each(?))", (js,)) or 0
        trashed = self.db.value(
            "SELECT count(DISTINCT cp.paper_id) FROM papers p INDEXED BY papers_trashed JOIN collection_papers cp "
            "ON cp.paper_id = p.id WHERE p.trashed_at IS NOT NULL AND cp.collection_id IN (SELECT value FROM json_each(?))",
            (js,)) or 0
        return int(n - trashed)

    def subtree(self, cid: int) -> list[int]:
        """The collection and every collection under it."""
        return [i for (i,) in self.db.q(f"WITH RECURSIVE {SUBTREE_CTE} SELECT id FROM subtree", (cid,))]

    def paper_ids(self, cid: int, *, subcollections: bool = False) -> list[int]:
        """The papers in a collection (and its subcollections), trash included."""
        if subcollections:
            return [p for (p,) in self.db.q(
                f"WITH RECURSIVE {SUBTREE_CTE} SELECT DISTINCT paper_id FROM collection_papers "
                "WHERE collection_id IN (SELECT id FROM subtree) ORDER BY paper_id", (cid,))]
        return [p for (p,) in self.db.q(
            "SELECT paper_id FROM collection_papers WHERE collection_id = ? ORDER BY paper_id", (cid,))]

    def of(self, ids: Sequence[int], *, empty: bool = True) -> dict[int, list[str]]:
        """Each paper's collections, by path; without ``empty``, only the papers in one (an export
        of 1,000,000 papers held an empty list for each: 150 MB)."""
        paths = {c.id: c.path for c in self.tree(counts=False)}
        out: dict[int, list[str]] = {i: [] for i in ids} if empty else {}
        for marks, chunk in chunks(ids):
            for pid, cid in self.db.q(
                f"SELECT paper_id, collection_id FROM collection_papers WHERE paper_id IN ({marks})", chunk
            ):
                if cid in paths:  # (a collection out of the tree, hidden by a cycle: never a crash)
                    out.setdefault(pid, []).append(paths[cid])
        for v in out.values():
            v.sort(key=str.casefold)
        return out

    # ------------------------------------------------------------- writing
    def _taken(self, parent: int | None, name: str, but: int | None = None) -> bool:
        return self.db.one(
            "SELECT 1 FROM collections WHERE coalesce(parent_id, 0) = coalesce(?, 0) AND name = ? COLLATE NOCASE "
            "AND id IS NOT ?", (parent, name, but)) is not None

    def _insert(self, name: str, parent: int | None) -> int:
        cur = self.db.execute("INSERT INTO collections(parent_id, name, created_at) VALUES (?, ?, ?)",
                              (parent, name, now_iso()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def create(self, name: str, parent: int | None = None) -> int:
        """A new collection (undoable); CollectionError when its parent has one of that name."""
        name = clean_name(name)
        with self.history.action(f"New collection {name!r}", []):  # (checks inside: another program)
            if parent is not None:
                self.need(parent)
            if self._taken(parent, name):
                raise CollectionError(f"there is already a collection {name!r} there")
            return self._insert(name, parent)

    def ensure_path(self, path: str, *, imported: bool = False) -> int:
        """The collection at ``path``, made (with its missing parents) when it does not exist.
        Not an action by itself: for a caller's action (an import, a command)."""
        parent: int | None = None
        names = [clean_name(n, imported=imported) for n in split_path(path)]
        if not names:
            raise CollectionError("a collection's path cannot be empty")
        for name in names:
            cid = self.db.value(
                "SELECT id FROM collections WHERE coalesce(parent_id, 0) = coalesce(?, 0) AND name = ? COLLATE NOCASE",
                (parent, name))
            parent = cid if cid is not None else self._insert(name, parent)
        assert parent is not None
        return parent

    def create_path(self, path: str) -> int:
        """``create`` by path, its missing parents made too (one undoable action)."""
        names = split_path(path)
        for n in names:
            clean_name(n)
        with self.history.action(f"New collection {SEP.join(names)!r}", []):
            if self.find(path) is not None:
                raise CollectionError(f"there is already a collection {path!r}")
            return self.ensure_path(path)

    def rename(self, cid: int, name: str) -> None:
        name = clean_name(name)
        # Checked and written in one transaction: another program may rename or move meanwhile.
        with self.db.transaction():
            c = self.need(cid)
            if name == c.name:
                return
            if self._taken(c.parent_id, name, but=cid):
                raise CollectionError(f"there is already a collection {name!r} there")
            with self.history.action(f"Rename collection {c.name!r} to {name!r}", []):
                self.db.execute("UPDATE collections SET name = ? WHERE id = ?", (name, cid))

    def move(self, cid: int, parent: int | None) -> None:
        """Put a collection under another (None: at the top), with everything under it."""
        # Checked and written in one transaction: two programs moving two collections each
        # under the other would otherwise make a cycle (and hide both).
        with self.db.transaction():
            c = self.need(cid)
            if parent == c.parent_id:
                return
            if parent is not None:
                target = self.need(parent)
                if parent in self.subtree(cid):
                    raise CollectionError(f"cannot move {c.path!r} into itself ({target.path!r})")
            if self._taken(parent, c.name, but=cid):
                raise CollectionError(f"there is already a collection {c.name!r} there")
            where = "the top" if parent is None else repr(self.need(parent).path)
            with self.history.action(f"Move collection {c.name!r} to {where}", []):
                self.db.execute("UPDATE collections SET parent_id = ? WHERE id = ?", (parent, cid))

    def delete(self, cid: int) -> None:
        """Delete a collection and its subcollections; their papers stay in the library."""
        # (its members read in the same transaction: one another program adds meanwhile is in
        # the undo record too)
        with self.db.transaction():
            c = self.need(cid)
            members = self.paper_ids(cid, subcollections=True)
            with self.history.action(f"Delete collection {c.name!r}", members):
                self.db.execute("DELETE FROM collections WHERE id = ?", (cid,))

    def add(self, cid: int, ids: Sequence[int]) -> int:
        """Put papers in a collection; how many were not in it yet."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            self.need(cid)
            return 0
        with self.db.transaction():  # (the collection checked where it is written)
            c = self.need(cid)
            with self.history.action(f"Add {_papers(len(ids))} to {c.name!r}", ids):
                self.papers.need_all(ids)
                return self.db.executemany(
                    "INSERT OR IGNORE INTO collection_papers(collection_id, paper_id) VALUES (?, ?)",
                    [(cid, pid) for pid in ids]).rowcount

    def put(self, cid: int, ids: Sequence[int]) -> int:
        """``add`` inside a caller's action (an import): how many were new."""
        n = 0
        for marks, chunk in chunks(list(ids)):
            n += self.db.execute(
                f"INSERT OR IGNORE INTO collection_papers(collection_id, paper_id) SELECT ?, id FROM papers "
                f"WHERE id IN ({marks})", [cid, *chunk]).rowcount
        return n

    def remove(self, cid: int, ids: Sequence[int]) -> int:
        """Take papers out of a collection (they stay in the library); how many were in it."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            self.need(cid)
            return 0
        n = 0
        with self.db.transaction():
            c = self.need(cid)
            with self.history.action(f"Remove {_papers(len(ids))} from {c.name!r}", ids):
                for marks, chunk in chunks(ids):
                    n += self.db.execute(
                        f"DELETE FROM collection_papers WHERE collection_id = ? AND paper_id IN ({marks})",
                        [cid, *chunk]).rowcount
        return n

    def join_into(self, keep: int, others: Sequence[int]) -> None:
        """A merge: the kept paper is in every collection the others were in."""
        for marks, chunk in chunks(list(others)):
            self.db.execute(
                "INSERT OR IGNORE INTO collection_papers(collection_id, paper_id) SELECT collection_id, ? "
                f"FROM collection_papers WHERE paper_id IN ({marks})", [keep, *chunk])




class SavedSearches:
    def __init__(self, db: Db, history: History) -> None:
        self.db = db
        self.history = history

    def list(self) -> list[SavedSearch]:
        return [SavedSearch(*r) for r in self.db.q("SELECT id, name, query FROM saved_searches ORDER BY name COLLATE NOCASE")]

    def get(self, sid: int) -> SavedSearch | None:
        r = self.db.one("SELECT id, name, query FROM saved_searches WHERE id = ?", (sid,))
        return SavedSearch(*r) if r else None

    def find(self, name: str) -> SavedSearch | None:
        r = self.db.one("SELECT id, name, query FROM saved_searches WHERE name = ? COLLATE NOCASE", (name,))
        return SavedSearch(*r) if r else None

    def need(self, name_or_id: str | int) -> SavedSearch:
        s = self.get(name_or_id) if isinstance(name_or_id, int) else self.find(name_or_id)
        if s is None:
            raise CollectionError(f"no saved search {name_or_id!r}")
        return s

    @staticmethod
    def _clean(name: str, query: str) -> tuple[str, str]:
        name = " ".join((name or "").split())[:MAX_NAME_CHARS]
        if not name:
            raise CollectionError("a saved search needs a name")
        if not (query or "").strip():
            raise CollectionError("a saved search needs a query")
        return name, query.strip()

    def create(self, name: str, query: str) -> int:
        name, query = self._clean(name, query)
        if self.find(name) is not None:
            raise CollectionError(f"there is already a saved search {name!r}")
        with self.history.action(f"Save search {name!r}", []):
            cur = self.db.execute("INSERT INTO saved_searches(name, query, created_at) VALUES (?, ?, ?)",
                                  (name, query, now_iso()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def ensure(self, name: str, query: str) -> int:
        """A saved search of this name and query, inside a caller's action (an import): the
        existing one when it has the same query, else one under a free name."""
        name, query = self._clean(name, query)
        base, n = name, 1
        while (s := self.find(name)) is not None:
            if s.query == query:
                return s.id
            n += 1
            name = f"{base} ({n})"
        cur = self.db.execute("INSERT INTO saved_searches(name, query, created_at) VALUES (?, ?, ?)",
                              (name, query, now_iso()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def update(self, sid: int, *, name: str | None = None, query: str | None = None) -> None:
        s = self.need(sid)
        new_name, new_query = self._clean(s.name if name is None else name, s.query if query is None else query)
        if new_name.casefold() != s.name.casefold() and self.find(new_name) is not None:
            raise CollectionError(f"there is already a saved search {new_name!r}")
        if (new_name, new_query) == (s.name, s.query):
            return
        with self.history.action(f"Edit saved search {s.name!r}", []):
            self.db.execute("UPDATE saved_searches SET name = ?, query = ? WHERE id = ?", (new_name, new_query, sid))

    def delete(self, sid: int) -> None:
        s = self.need(sid)
        with self.history.action(f"Delete saved search {s.name!r}", []):
            self.db.execute("DELETE FROM saved_searches WHERE id = ?", (sid,))
