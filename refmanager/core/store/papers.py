"""Reading papers as typed ``Paper`` objects, and writing their rows.

A ``Paper`` comes with its tags, the values it keeps as alternatives and its
files.  Writes here are single rows (a new paper, changed fields); the
actions that make them undoable are in the parts above.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..citekeys import unique
from ..errors import PaperGone
from ..fields import BY_NAME, JSON_FIELDS, READ_COLUMNS, Paper, dumps, encode, paper_from_row, paper_json
from ..models import Entry
from ..rows import INSERT_PAPER_SQL, PaperRow, Prepared, derived
from ..textnorm import person_key
from .alternatives import Alternatives
from .db import Db, chunks, now_iso
from .files import AttachmentFiles
from .tags import Tags

#: SQLite's message when the unique index on citation keys refuses a row.
_KEY_TAKEN = "papers.citekey"
INSERT_NAME_SQL = "INSERT OR IGNORE INTO names(key) VALUES (?)"
_READ = f"SELECT {', '.join(READ_COLUMNS)} FROM papers"
#: Changing one of these recomputes the derived columns (``rows.derived``).
_DERIVED_FROM = ("title", "authors", "date", "abstract")


def _json_value_sql(name: str) -> str:
    """The SQL of one documented JSON field's value (``paper_json``), for ``json_object``."""
    if name == "tags":  # (in ``Tags.of``'s order)
        return ("(SELECT json_group_array(name) FROM (SELECT t.name FROM paper_tags pt JOIN tags t "
                "ON t.id = pt.tag_id WHERE pt.paper_id = papers.id ORDER BY t.name COLLATE NOCASE))")
    if name == "trashed":
        return "json(iif(trashed_at IS NULL, 'false', 'true'))"
    if name == "attachments":
        return "json('[]')"  # (papers with files are written by ``paper_json``: ``exists`` is the disk's)
    store = BY_NAME[name].store
    if store in ("list", "object"):
        return f"json({name})"
    if store == "bool":
        return f"json(iif({name}, 'true', 'false'))"
    return name


def json_object_sql(fields: Sequence[str]) -> str:
    """``json_object(...)`` of these documented JSON fields, in their order."""
    return "json_object(" + ", ".join(f"'{n}', {_json_value_sql(n)}" for n in fields) + ")"


def python_only_sql(fields: Sequence[str]) -> str:
    """True for a row SQL would not write as ``paper_json`` does: a flag that is not an integer
    (another program's 'yes': Python calls it true, SQLite false), a JSON column that is not
    strict JSON (SQLite 3.42 on reads JSON5's NaN where Python reads its own), files."""
    tests = ["EXISTS (SELECT 1 FROM attachments a WHERE a.paper_id = papers.id)"]
    for n in fields:
        store = BY_NAME[n].store if BY_NAME[n].sql else None
        if store == "bool":
            tests.append(f"typeof({n}) != 'integer'")
        elif store in ("list", "object"):
            tests.append(f"NOT json_valid({n})")
    return " OR ".join(tests)


class _KeysInLibrary:
    """``citekeys.unique``'s taken keys: the library's (but one paper's), asked one at a time
    (the unique index compares them case aside, as ``unique`` asks)."""

    def __init__(self, papers: Papers, but: int | None) -> None:
        self.papers, self.but = papers, but

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.papers.key_taken(key, self.but)

    def add(self, key: str) -> None:
        pass  # (the caller writes it)


class Papers:
    def __init__(self, db: Db, tags: Tags, alternatives: Alternatives, files: AttachmentFiles) -> None:
        self.db = db
        self.tags = tags
        self.alternatives = alternatives
        self.files = files

    # ------------------------------------------------------------- reading
    def get(self, pid: int) -> Paper | None:
        found = self.get_many([pid])
        return found[0] if found else None

    def need(self, pid: int) -> Paper:
        """The paper, or the user's error "no paper with id N"."""
        p = self.get(pid)
        if p is None:
            raise PaperGone(f"no paper with id {pid}")
        return p

    def need_all(self, ids: Sequence[int]) -> None:
        """Every one of these papers is there (an action on several checks first: a paper
        another program merged away would otherwise fail half-way, or be tagged as a ghost)."""
        found: set[int] = set()
        for marks, chunk in chunks(ids):
            found.update(pid for (pid,) in self.db.q(f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        missing = [pid for pid in ids if pid not in found]
        if missing:
            raise PaperGone(f"no paper with id {missing[0]}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))

    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        """Papers in the order of ``ids`` (missing ones skipped)."""
        found: dict[int, Any] = {}
        for marks, chunk in chunks(ids):
            for r in self.db.q(f"{_READ} WHERE id IN ({marks})", chunk):
                found[r[0]] = r
        present = [i for i in ids if i in found]
        tags = self.tags.of(present)
        alts = self.alternatives.of(present)
        files = self.files.of(present)
        out = []
        for i in present:
            p = paper_from_row(found[i], tags[i])
            p.alternatives = alts.get(i, {})
            p.attachments = [{"name": a["name"], "path": a["path"], "exists": a["exists"]} for a in files.get(i, [])]
            out.append(p)
        return out

    def json_texts(self, ids: Sequence[int], fields: Sequence[str] = JSON_FIELDS) -> list[str]:
        """The papers' JSON (``paper_json``, compact, only ``fields``) in the order of ``ids``,
        missing ones skipped.  Written by SQLite (``json_object``): decoding every JSON column
        into Python objects and encoding them again was 3/4 of ``list --json``.  A paper
        with files (whether each exists is the disk's to say), or values another program wrote
        that SQL and Python read apart (``python_only_sql``), goes through ``get_many`` and ``paper_json``."""
        if not set(fields) <= set(JSON_FIELDS):  # (the documented fields only: the SQL is made of them)
            raise ValueError(f"not JSON fields: {sorted(set(fields) - set(JSON_FIELDS))}")
        fields = list(dict.fromkeys(fields))
        found: dict[int, str | None] = {}
        sql = json_object_sql(fields)
        slow_row = python_only_sql(fields)
        for marks, chunk in chunks(ids):
            try:
                rows = self.db.q(f"SELECT id, iif({slow_row}, NULL, {sql}) FROM papers WHERE id IN ({marks})", chunk)
            except sqlite3.OperationalError:  # (malformed JSON in a column)
                rows = [(pid, None) for (pid,) in self.db.q(f"SELECT id FROM papers WHERE id IN ({marks})", chunk)]
            found.update(rows)
        slow = [i for i, text in found.items() if text is None]
        if slow:
            for p in self.get_many(slow):
                d = paper_json(p)
                found[p.id] = dumps({n: d[n] for n in fields})
        return [text for i in ids if (text := found.get(i)) is not None]

    def exists(self, pid: int) -> bool:
        return self.db.one("SELECT 1 FROM papers WHERE id = ?", (pid,)) is not None

    def max_id(self) -> int:
        """The highest id: about the number of papers ever added (cheap)."""
        return int(self.db.value("SELECT coalesce(max(id), 0) FROM papers"))

    def next_id(self) -> int:
        return int(self.db.value("SELECT coalesce(max(id), 0) + 1 FROM papers"))

    def key_taken(self, key: str, but: int | None = None) -> bool:
        """Does a paper (other than ``but``) have this citation key (case aside)?"""
        return self.db.one(
            "SELECT 1 FROM papers WHERE citekey = ? COLLATE NOCASE AND id IS NOT ?", (key, but)) is not None

    def free_key(self, wanted: str | None, but: int | None = None, memo: dict[str, int] | None = None) -> str | None:
        """``wanted``, or it with the first free suffix (``a``, ``b``, ...).  ``memo``: the suffix to
        try first for each base key (case folded), kept by one import, in which keys are only ever
        taken: 3,000 papers of one key (anonymous papers of one year) asked about every suffix
        before theirs, 4.5 million lookups."""
        if not wanted:
            return wanted
        return unique(wanted, _KeysInLibrary(self, but), memo)

    def arxiv_taken(self, aid: str | None, but: int | None = None) -> bool:
        """Does a paper (other than ``but``) have this arXiv id?"""
        return bool(aid) and self.db.one(
            "SELECT 1 FROM papers WHERE arxiv_id = ? AND id IS NOT ?", (aid, but)
        ) is not None

    # ------------------------------------------------------------- writing
    def insert(self, row: PaperRow, at: str, key_memo: dict[str, int] | None = None) -> int:
        """A new paper from ``rows.paper_row`` values, added at ``at``.

        Its citation key is made unique when the unique index refuses it: most keys are
        free, and asking first cost an index lookup for every paper of an import
        (``key_memo``: an import's, see ``free_key``)."""
        try:
            cur = self.db.execute(INSERT_PAPER_SQL, (*row, at, at, at if row.note else None))
        except sqlite3.IntegrityError as e:
            if not row.citekey or _KEY_TAKEN not in str(e):
                raise
            row = row._replace(citekey=self.free_key(row.citekey, memo=key_memo))
            cur = self.db.execute(INSERT_PAPER_SQL, (*row, at, at, at if row.note else None))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def add(self, e: Entry, at: str) -> int:
        """A new paper made from an entry, its authors known names, its tags given."""
        p = Prepared.of(e)
        pid = self.insert(p.row, at)
        self.remember_keys(p.name_keys())
        self.tags.attach(pid, p.values.tags)
        return pid

    def update(self, pid: int, current: Paper, changes: dict[str, Any]) -> None:
        """Write changed fields (Python values, as ``Paper`` holds them) of a paper
        that is ``current`` now; derived columns and the time follow."""
        upd = dict(changes)
        if any(k in upd for k in _DERIVED_FROM):
            v = {k: upd.get(k, getattr(current, k)) for k in _DERIVED_FROM}
            upd.update(derived(v["title"], v["authors"], v["date"], v["abstract"]))
        upd["modified_at"] = now_iso()
        cols = ", ".join(f"{k} = ?" for k in upd)
        self.db.execute(f"UPDATE papers SET {cols} WHERE id = ?", [*(encode(k, v) for k, v in upd.items()), pid])

    def remember_names(self, authors: Sequence[str]) -> None:
        """Authors become known names (the title/author split trusts them)."""
        self.remember_keys([person_key(a) for a in authors[:50] if a])

    def remember_keys(self, keys: Sequence[str]) -> None:
        if keys:
            self.db.executemany(INSERT_NAME_SQL, [(k,) for k in keys])

    def is_known_name(self, name: str) -> bool:
        return self.db.one("SELECT 1 FROM names WHERE key = ?", (person_key(name),)) is not None
