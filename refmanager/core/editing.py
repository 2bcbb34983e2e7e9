"""Fixing the library by hand (issue 8): edit, review, merge, split, duplicates, attachments.

``EditingMixin`` is a base class of ``Library``, kept in its own module so the
import path in ``library.py`` stays small.  Every change runs through
``Library.action`` (or ``_growing_action`` when it creates papers), so it is
one transaction, one undo step, and survives restarts.

What the user typed always wins: an edited field goes into the paper's
``edited_fields`` and no import overwrites it; the value it replaced is kept
in the ``alternatives`` table (its title also keeps matching later imports).
A merge stores full snapshots of the papers it removes (table ``merges``) so
that ``split_paper`` can bring each one back exactly, tags and note included.
"""

from __future__ import annotations

import difflib
import filecmp
import itertools
import json
import logging
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import arxivid
from .categories import normalise_category_query
from .errors import ParseError, RefManagerError, ValidationError
from .formats.dates import validate_iso_date
from .models import Entry
from .rows import dumps as _dumps
from .rows import entry_from_json, entry_json_from_row
from .schema import ENTRY_COLUMNS
from .textnorm import abstract_key, title_key

if TYPE_CHECKING:
    import sqlite3

    import sqlite_utils

log = logging.getLogger(__name__)

#: Fields ``edit_paper`` accepts.
EDITABLE_FIELDS = (
    "title", "authors", "et_al", "orgs", "date", "category", "arxiv_id", "doi", "journal", "abstract",
)
#: Fields a merge dialog shows side by side (``et_al`` goes with ``authors``).
MERGE_FIELDS = ("title", "authors", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal")
#: Fields whose replaced values are kept as alternatives.
ALTERNATIVE_FIELDS = MERGE_FIELDS
#: Alternatives kept per field of a paper (the oldest go first).
MAX_ALTERNATIVES = 10
#: Readable names of fields, for undo labels and import notes.
FIELD_LABELS = {
    "title": "title", "authors": "authors", "et_al": "et al.", "orgs": "organisations", "date": "date",
    "category": "category", "arxiv_id": "arXiv id", "doi": "DOI", "journal": "journal",
    "abstract": "abstract",
}

#: find_duplicates: titles at least this long may match by similarity ...
SIMILAR_TITLE_MIN_CHARS = 30
#: ... when difflib's ratio of their title keys is at least this.
SIMILAR_TITLE_RATIO = 0.95
#: Each title is compared with at most this many others of its block (keeps 100k papers fast).
SIMILAR_TITLE_WINDOW = 40
#: One abstract is the start of another: the shorter has at least this many characters.
ABSTRACT_PREFIX_CHARS = 40
#: A group of papers sharing one key gives at most this many pairs (each with the first).
GROUP_PAIRS = 50
#: Reasons of find_duplicates, strongest first (the order of its answer).
DUPLICATE_REASONS = (
    "same arXiv id", "same DOI", "same title", "same title apart from spaces and punctuation",
    "similar title", "same abstract", "one abstract is the start of the other",
)

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
_DIGITS = re.compile(r"\d+")

#: Columns of a paper that a split takes back from before the merge (three-way, see _split_merges).
_THREE_WAY_COLS = (
    "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal",
    "incomplete", "needs_review", "raw_line", "split_confidence", "alt_splits", "read", "starred",
    "trashed_at", "note", "edited_fields", "added_at",
)


def _now() -> str:
    from .library import now_iso

    return now_iso()


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ validation
def normalise_doi(text: str) -> str | None:
    """``https://doi.org/10.1/x`` -> ``10.1/x``; None when it is not a DOI."""
    t = _DOI_PREFIX.sub("", text.strip()).strip()
    return t if _DOI.match(t) else None


def _str_list(field: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise ValidationError(field, "expected a list of names")
    return [n for n in (_one_line(x) for x in value) if n]


def clean_value(field: str, value: Any) -> Any:
    """The value to store for a field typed by the user, or ValidationError saying why not."""
    if field not in EDITABLE_FIELDS:
        raise ValidationError(field, "this field cannot be edited")
    if field == "et_al":
        if not isinstance(value, bool):
            raise ValidationError(field, "expected true or false")
        return value
    if field in ("authors", "orgs"):
        return _str_list(field, value if value is not None else [])
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "expected text")
    text = (value or "").strip()
    if field == "abstract":
        return text or None
    text = _one_line(text)
    if field == "title":
        if not text:
            raise ValidationError(field, "a title cannot be empty")
        return text
    if not text:
        return None
    if field == "date":
        try:
            return validate_iso_date(text)
        except ParseError as e:
            raise ValidationError(field, f"{e.message}: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    if field == "arxiv_id":
        aid = arxivid.normalise(text)
        if aid is None:
            raise ValidationError(
                field, f"not an arXiv identifier: {text!r} (expected e.g. 2408.00118 or hep-th/9901001)"
            )
        return aid
    if field == "doi":
        doi = normalise_doi(text)
        if doi is None:
            raise ValidationError(field, f"not a DOI: {text!r} (expected 10.NNNN/...)")
        return doi
    if field == "category":
        cat = normalise_category_query(text)
        if not _CATEGORY.match(cat):
            raise ValidationError(field, f"not an arXiv category: {text!r} (expected e.g. cs.LG)")
        return cat
    return text  # journal


def _names_differ(diff: set[str], *titles: str) -> bool:
    """Do two similar titles differ in a name (``MegaFormer``/``MetaFormer``, ``BERT``) rather
    than in a typo?  Names are CamelCase or capitals; typos hit ordinary words."""
    for title in titles:
        for tok in title.split():
            if title_key(tok) in diff and any(c.isupper() for c in tok[1:]):
                return True
    return False


def _three_way_set(before: Iterable[Any], after: Iterable[Any], current: Iterable[Any]) -> set[Any]:
    """Take back what a merge added, keep what the user changed since."""
    b, a, c = set(before), set(after), set(current)
    return (b - (a - c)) | (c - a)


class EditingMixin:
    """Library methods for fixing papers by hand (mixed into ``Library``)."""

    if TYPE_CHECKING:  # provided by Library
        db: sqlite_utils.Database
        path: Path
        _SNAP_COLS: tuple[str, ...]

        def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]: ...
        def get(self, pid: int) -> dict[str, Any] | None: ...
        def get_many(self, ids: Sequence[int]) -> list[dict[str, Any]]: ...
        def exists(self, pid: int) -> bool: ...
        def action(self, label: str, ids: Sequence[int], *, tag_names: Sequence[str] = ()) -> Any: ...
        def transaction(self) -> Any: ...
        def _snapshot(self, ids: Sequence[int]) -> dict[int, dict[str, Any] | None]: ...
        def _restore(self, snap: dict[str, Any]) -> None: ...
        def _log_undo(self, label: str, before: dict[str, Any], after: dict[str, Any] | None, *,
                      after_ids: Sequence[int]) -> None: ...
        def _update_paper(self, pid: int, p: dict[str, Any], upd: dict[str, Any]) -> None: ...
        def _insert_paper(self, e: Entry, at: str) -> int: ...
        def _remember_names(self, authors: Sequence[str]) -> None: ...
        def _add_tags_to(self, pid: int, tags: Iterable[str]) -> bool: ...
        def _tag_id(self, name: str) -> int: ...
        def _refresh_tags_text(self, ids: Iterable[int]) -> None: ...

    # ------------------------------------------------------------- helpers
    def _need_paper(self, pid: int) -> dict[str, Any]:
        p = self.get(pid)
        if p is None:
            raise RefManagerError(f"no paper with id {pid}")
        return p

    @staticmethod
    def _what(p: dict[str, Any]) -> str:
        """A paper's name in an undo label."""
        text = p.get("title") or (p.get("abstract") or "")[:40] or f"paper {p['id']}"
        return repr(text if len(text) <= 50 else text[:49].rstrip() + "…")

    @contextmanager
    def _growing_action(self, label: str, ids: Sequence[int]) -> Iterator[list[int]]:
        """Like ``action``, for changes that create papers: append their ids to the yielded
        list, and undo deletes them (as undoing an import does)."""
        with self.transaction():
            before: dict[str, Any] = {str(k): v for k, v in self._snapshot(ids).items()}
            created: list[int] = []
            yield created
            for pid in created:
                before.setdefault(str(pid), None)
            self._log_undo(label, {"papers": before}, None, after_ids=[*ids, *created])

    # ------------------------------------------------- per-paper extra tables
    # Library._snapshot / _restore call these, so undo, redo, merge and split carry a paper's
    # alternatives, attachments, merge history and not-duplicate marks along with it.
    def _snapshot_extras(self, out: dict[int, dict[str, Any] | None]) -> None:
        ids = [i for i, v in out.items() if v is not None]
        extras: dict[int, dict[str, list[Any]]] = {
            i: {"_alternatives": [], "_attachments": [], "_merges": [], "_not_dups": []} for i in ids
        }
        for start in range(0, len(ids), 250):
            chunk = ids[start : start + 250]
            m = ",".join("?" * len(chunk))
            # One query for four tables: this runs for every paper an import merges into.
            rows = self._q(
                f"SELECT 'alt', paper_id, id, field, value, title_key, NULL, NULL FROM alternatives "
                f"WHERE paper_id IN ({m}) "
                f"UNION ALL SELECT 'att', paper_id, id, name, path, mode, added_at, NULL FROM attachments "
                f"WHERE paper_id IN ({m}) "
                f"UNION ALL SELECT 'mrg', kept_id, id, at, merged_ids, kept_before, kept_after, merged "
                f"FROM merges WHERE kept_id IN ({m}) "
                f"UNION ALL SELECT 'nd', a, b, at, NULL, NULL, NULL, NULL FROM not_duplicates WHERE a IN ({m}) "
                f"UNION ALL SELECT 'nd', b, a, at, NULL, NULL, NULL, NULL FROM not_duplicates WHERE b IN ({m}) "
                "ORDER BY 1, 2, 3",
                chunk * 5,
            )
            sizes = {"alt": ("_alternatives", 4), "att": ("_attachments", 5), "mrg": ("_merges", 6),
                     "nd": ("_not_dups", 2)}
            for kind, pid, *rest in rows:
                key, n = sizes[kind]
                extras[pid][key].append(list(rest[:n]))
        for i in ids:
            v = out[i]
            assert v is not None
            v.update(extras[i])

    def _restore_extras(self, pid: int, row: dict[str, Any]) -> None:
        c = self.db.conn
        c.execute("DELETE FROM alternatives WHERE paper_id = ?", (pid,))
        for aid, f, value, tkey in row.get("_alternatives", []):
            self._insert_keeping_id(
                "alternatives", ("id", "paper_id", "field", "value", "title_key"), (aid, pid, f, value, tkey)
            )
        c.execute("DELETE FROM attachments WHERE paper_id = ?", (pid,))
        for aid, name, path, mode, added_at in row.get("_attachments", []):
            # (by id, like sources: "this attachment belongs to this paper again")
            c.execute(
                "INSERT OR REPLACE INTO attachments(id, paper_id, name, path, mode, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (aid, pid, name, path, mode, added_at),
            )
        c.execute("DELETE FROM merges WHERE kept_id = ?", (pid,))
        for mid, at, merged_ids, before, after, merged in row.get("_merges", []):
            self._insert_keeping_id(
                "merges", ("id", "at", "kept_id", "merged_ids", "kept_before", "kept_after", "merged"),
                (mid, at, pid, merged_ids, before, after, merged),
            )
        c.execute("DELETE FROM not_duplicates WHERE a = ? OR b = ?", (pid, pid))
        for other, at in row.get("_not_dups", []):
            if other != pid:
                c.execute(
                    "INSERT OR IGNORE INTO not_duplicates(a, b, at) VALUES (?, ?, ?)",
                    (min(pid, other), max(pid, other), at),
                )

    def _insert_keeping_id(self, table: str, cols: Sequence[str], vals: Sequence[Any]) -> None:
        """Insert with the row's old id when it is free, else with a new one."""
        c = self.db.conn
        marks = ",".join("?" * len(cols))
        cur = c.execute(f"INSERT OR IGNORE INTO {table}({', '.join(cols)}) VALUES ({marks})", list(vals))
        if cur.rowcount == 0:
            c.execute(
                f"INSERT OR IGNORE INTO {table}({', '.join(cols[1:])}) VALUES ({marks[2:]})", list(vals[1:])
            )

    def _with_extras(self, papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Fill ``alternatives`` and ``attachments`` of papers read by ``get``/``get_many``."""
        ids = [p["id"] for p in papers]
        if not ids:
            return papers
        alts = self.alternatives_of(ids)
        atts = self._attachments_of(ids)
        for p in papers:
            p["alternatives"] = alts.get(p["id"], {})
            p["attachments"] = [
                {"name": a["name"], "path": a["path"], "exists": a["exists"]} for a in atts.get(p["id"], [])
            ]
        return papers

    # ---------------------------------------------------------- alternatives
    def alternatives_of(self, ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
        """{paper: {field: [values, oldest first]}} for papers that have any."""
        out: dict[int, dict[str, list[Any]]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            m = ",".join("?" * len(chunk))
            for pid, f, value in self._q(
                f"SELECT paper_id, field, value FROM alternatives WHERE paper_id IN ({m}) ORDER BY id", chunk
            ):
                out.setdefault(pid, {}).setdefault(f, []).append(json.loads(value))
        return out

    def _add_alternative(self, pid: int, field: str, value: Any) -> None:
        if _empty(value) or field not in ALTERNATIVE_FIELDS:
            return
        c = self.db.conn
        if field == "title":
            self._title_aliases = True  # (an import looks for them again: Library._find_match)
        c.execute(
            "INSERT OR IGNORE INTO alternatives(paper_id, field, value, title_key) VALUES (?, ?, ?, ?)",
            (pid, field, _dumps(value), title_key(value) if field == "title" else None),
        )
        c.execute(
            "DELETE FROM alternatives WHERE paper_id = ? AND field = ? AND id NOT IN "
            "(SELECT id FROM alternatives WHERE paper_id = ? AND field = ? ORDER BY id DESC LIMIT ?)",
            (pid, field, pid, field, MAX_ALTERNATIVES),
        )

    def _drop_alternative(self, pid: int, field: str, value: Any) -> None:
        self.db.conn.execute(
            "DELETE FROM alternatives WHERE paper_id = ? AND field = ? AND value = ?", (pid, field, _dumps(value))
        )

    def _alias_match(self, tkey: str, arxiv_id: str | None) -> int | None:
        """A paper whose replaced title has this key (called by ``Library._find_match``)."""
        for pid, aid in self._q(
            "SELECT a.paper_id, p.arxiv_id FROM alternatives a JOIN papers p ON p.id = a.paper_id "
            "WHERE a.title_key = ? ORDER BY a.paper_id",
            (tkey,),
        ):
            if not (aid and arxiv_id and aid != arxiv_id):
                return pid
        return None

    # ------------------------------------------------- imports and user edits
    def _edited_disagreements(self, pid: int, e: Entry) -> list[tuple[str, Any]]:
        """(field, entry's value) for each user-edited field an imported entry says otherwise."""
        r = self._q(
            "SELECT edited_fields, title, authors, orgs, date, category, abstract, arxiv_id, doi, journal "
            "FROM papers WHERE id = ?",
            (pid,),
        )
        if not r or r[0][0] in ("[]", None):
            return []
        edited = json.loads(r[0][0])
        cur = dict(zip(("title", "authors", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal"),
                       r[0][1:]))
        cur["authors"] = json.loads(cur["authors"])
        cur["orgs"] = json.loads(cur["orgs"])
        out = []
        for f in ALTERNATIVE_FIELDS:
            v = getattr(e, f)
            if f not in edited or _empty(v) or v == cur[f]:
                continue
            if f == "abstract" and len(abstract_key(v) or "") <= len(abstract_key(cur[f]) or ""):
                continue  # a shorter (profile) abstract does not disagree
            if f == "authors" and e.et_al and set(v) <= set(cur["authors"]):
                continue  # a profile line names only its owner
            out.append((f, v))
        return out

    def _kept_edits(self, pid: int, e: Entry, kept: Sequence[str]) -> list[str]:
        """After an import merged ``e`` into a paper: the user's edits it disagreed with (for the
        report's note), each imported value kept as an alternative."""
        found = dict(self._edited_disagreements(pid, e))
        for f in kept:
            if f in ALTERNATIVE_FIELDS and f not in found:
                found[f] = getattr(e, f)
        for f, v in found.items():
            self._add_alternative(pid, f, v)
        out = [f for f in ALTERNATIVE_FIELDS if f in found]
        if "et_al" in kept and "authors" not in out:
            out.append("et_al")
        return out

    def _unchanged_note(self, pid: int, e: Entry, import_id: int, at: str) -> str | None:
        """The report's note for an entry seen before whose paper the user edited since."""
        cache: tuple[tuple[int, str], frozenset[int]] | None = getattr(self, "_edited_ids_cache", None)
        if cache is None or cache[0] != (import_id, at):
            ids = frozenset(r[0] for r in self._q("SELECT id FROM papers WHERE edited_fields != '[]'"))
            cache = ((import_id, at), ids)
            self._edited_ids_cache = cache
        if pid not in cache[1]:
            return None
        fields = [f for f, _ in self._edited_disagreements(pid, e)]
        return f"line {e.line}: kept your edit of {', '.join(fields)}" if fields else None

    # ----------------------------------------------------------------- editing
    def edit_paper(self, pid: int, **fields: Any) -> list[str]:
        """Set fields typed by the user; return the fields that changed (one undo step).

        Raises ValidationError(field, message) for a value that cannot be stored.
        """
        p = self._need_paper(pid)
        clean = {f: clean_value(f, v) for f, v in fields.items()}
        changed = {f: v for f, v in clean.items() if v != p[f]}
        if not changed:
            return []
        names = ", ".join(FIELD_LABELS[f] for f in changed)
        with self.action(f"Edit {names} of {self._what(p)}", [pid]):
            self._apply_edit(pid, p, changed)
        log.info("edited %s of paper %d", names, pid)
        return list(changed)

    def _check_edit(self, pid: int, p: dict[str, Any], changed: dict[str, Any]) -> None:
        aid = changed.get("arxiv_id")
        if aid:
            other = self._q("SELECT id, title, abstract, trashed_at FROM papers WHERE arxiv_id = ? AND id != ?",
                            (aid, pid))
            if other:
                oid, otitle, oabstract, trashed = other[0]
                name = otitle or (oabstract or "")[:60]
                raise ValidationError(
                    "arxiv_id",
                    f"arXiv:{aid} is already paper {oid} ({name!r}{', in the trash' if trashed else ''}); "
                    "merge the two papers instead",
                )
        if not changed.get("title", p["title"]) and not changed.get("abstract", p["abstract"]):
            raise ValidationError("abstract", "a paper without a title needs its abstract")

    def _apply_edit(
        self, pid: int, p: dict[str, Any], changed: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> None:
        """Write user-typed values: mark them edited, keep the replaced imported values."""
        self._check_edit(pid, p, changed)
        edited = list(p["edited_fields"])
        for f, v in changed.items():
            if f not in edited:
                self._add_alternative(pid, f, p[f])  # an imported value, not an earlier edit
                edited.append(f)
            self._drop_alternative(pid, f, v)
        if "authors" in changed and "et_al" not in edited:
            edited.append("et_al")  # the author list as a whole is the user's
        upd: dict[str, Any] = {**changed, **(extra or {}), "edited_fields": _dumps(edited)}
        if changed.get("title"):
            upd["incomplete"] = False
        if "title" in changed or "authors" in changed:
            upd["needs_review"] = False  # the user has looked at the split
        self._update_paper(pid, p, upd)
        if "authors" in changed:
            self._remember_names(changed["authors"])

    # ------------------------------------------------------------ needs review
    def review_options(self, pid: int) -> dict[str, Any]:
        """The glued line as imported, the current split and the runner-up splits."""
        p = self._need_paper(pid)
        return {
            "id": pid,
            "raw_line": p["raw_line"],
            "confidence": p["split_confidence"],
            "needs_review": p["needs_review"],
            "current": {"title": p["title"], "authors": list(p["authors"])},
            "alternatives": [
                {"title": s.get("title"), "authors": list(s.get("authors") or []), "score": s.get("score")}
                for s in p["alt_splits"]
            ],
        }

    def pick_split(self, pid: int, index: int) -> None:
        """Use runner-up split ``index`` (of ``review_options``); the current one takes its place."""
        p = self._need_paper(pid)
        alts = p["alt_splits"]
        if not alts:
            raise ValidationError("split", f"paper {pid} has no other title/author split")
        if not 0 <= index < len(alts):
            raise ValidationError("split", f"no split number {index}: paper {pid} has {len(alts)} (0 to {len(alts) - 1})")
        chosen = alts[index]
        title = clean_value("title", chosen.get("title"))
        authors = clean_value("authors", list(chosen.get("authors") or []))
        swapped = list(alts)
        swapped[index] = {"title": p["title"], "authors": list(p["authors"]), "score": None}
        changed = {k: v for k, v in (("title", title), ("authors", authors)) if v != p[k]}
        with self.action(f"Use another title/author split for {self._what(p)}", [pid]):
            self._apply_edit(pid, p, changed, {"alt_splits": _dumps(swapped), "needs_review": False})

    def accept_review(self, pid: int) -> bool:
        """Say the title/author split is right: the paper leaves *Needs review*."""
        p = self._need_paper(pid)
        if not p["needs_review"]:
            return False
        with self.action(f"Accept title/author split of {self._what(p)}", [pid]):
            self.db.conn.execute("UPDATE papers SET needs_review = 0 WHERE id = ?", (pid,))
        return True

    # ------------------------------------------------------------------- merge
    def _merge_set(self, ids: Sequence[int], keep: int | None) -> tuple[int, list[dict[str, Any]]]:
        order = list(dict.fromkeys(int(i) for i in ids))
        if len(order) < 2:
            raise RefManagerError("choose at least two different papers to merge")
        papers = {p["id"]: p for p in self.get_many(order)}
        missing = [i for i in order if i not in papers]
        if missing:
            raise RefManagerError(f"no paper with id {missing[0]}")
        keep = min(order) if keep is None else int(keep)
        if keep not in papers:
            raise RefManagerError(f"paper {keep} is not one of the papers to merge")
        return keep, [papers[keep], *(papers[i] for i in order if i != keep)]

    def merge_candidates_fields(self, ids: Sequence[int]) -> dict[str, list[tuple[int, Any]]]:
        """For a side-by-side dialog: {field: [(paper id, its value), ...]} in the order of ``ids``."""
        _, papers = self._merge_set(ids, None)
        by_id = {p["id"]: p for p in papers}
        order = [by_id[i] for i in dict.fromkeys(int(i) for i in ids)]
        return {f: [(p["id"], p[f]) for p in order] for f in MERGE_FIELDS}

    def default_merge_choice(self, ids: Sequence[int], keep: int | None = None) -> dict[str, int]:
        """{field: paper} with the most complete value of each field (ties: the kept paper)."""
        _, papers = self._merge_set(ids, keep)
        return self._default_choice(papers)

    @staticmethod
    def _default_choice(papers: list[dict[str, Any]]) -> dict[str, int]:
        def score(f: str, p: dict[str, Any]) -> tuple[Any, ...]:
            v = p[f]
            edited = f in p["edited_fields"]
            if _empty(v):
                return (0,)
            if f == "title":
                return (1, edited, not p["needs_review"], len(v))
            if f == "authors":
                return (1, edited, len(v), not p["et_al"])
            if f == "orgs":
                return (1, edited, len(v))
            if f == "date":
                return (1, edited, len(v))  # the most precise
            if f == "abstract":
                return (1, edited, len(abstract_key(v) or ""))
            return (1, edited)

        out = {}
        for f in MERGE_FIELDS:
            best = papers[0]
            for p in papers[1:]:
                if score(f, p) > score(f, best):
                    best = p
            out[f] = best["id"]
        return out

    def merge_papers(
        self, ids: Sequence[int], choices: dict[str, int] | None = None, *, keep: int | None = None
    ) -> int:
        """Merge papers into one (the lowest id unless ``keep``); return its id.

        ``choices`` maps fields to the paper whose value wins (default: ``default_merge_choice``).
        Tags are joined, notes concatenated, read/starred if any was; sources and attachments
        move to the kept paper.  The removed papers are stored whole in ``merges`` so that
        ``split_paper`` can bring them back.
        """
        keep, papers = self._merge_set(ids, keep)
        by_id = {p["id"]: p for p in papers}
        choice = self._default_choice(papers)
        for f, pid in (choices or {}).items():
            if f not in MERGE_FIELDS:
                raise ValidationError(f, "this field cannot be chosen in a merge")
            if pid not in by_id:
                raise ValidationError(f, f"paper {pid} is not one of the papers to merge")
            choice[f] = pid
        kept = by_id[keep]
        others = [p["id"] for p in papers[1:]]
        all_ids = [keep, *others]
        label = f"Merge {len(all_ids)} papers into {self._what(by_id[choice['title']])}"
        c = self.db.conn
        with self.action(label, all_ids):
            snaps = self._snapshot(all_ids)
            at = _now()
            upd: dict[str, Any] = {f: by_id[choice[f]][f] for f in MERGE_FIELDS}
            upd["et_al"] = by_id[choice["authors"]]["et_al"]
            title_from = by_id[choice["title"]]
            upd["incomplete"] = upd["title"] is None
            upd["needs_review"] = title_from["needs_review"] if upd["title"] else False
            upd["raw_line"] = title_from["raw_line"]
            upd["split_confidence"] = title_from["split_confidence"]
            upd["alt_splits"] = _dumps(title_from["alt_splits"]) if title_from["alt_splits"] else None
            upd["read"] = any(p["read"] for p in papers)
            upd["starred"] = any(p["starred"] for p in papers)
            live = [p for p in papers if not p["trashed"]]
            upd["trashed_at"] = None if live else snaps[keep]["trashed_at"]  # type: ignore[index]
            upd["added_at"] = min(p["added_at"] for p in papers)
            notes: list[str] = []
            for p in papers:
                n = (p["note"] or "").strip()
                if n and not any(n in x for x in notes):
                    notes.append(n)
            note = "\n\n".join(notes) or None
            if note != kept["note"]:
                upd["note"] = note
                upd["note_modified_at"] = at
            edited = []
            for f in (*MERGE_FIELDS, "et_al"):
                src = by_id[choice["authors" if f == "et_al" else f]]
                if f in src["edited_fields"]:
                    edited.append(f)
            upd["edited_fields"] = _dumps(edited)
            # Move what belongs to the papers that go, before they go.
            m = ",".join("?" * len(others))
            c.execute(f"UPDATE sources SET paper_id = ? WHERE paper_id IN ({m})", [keep, *others])
            c.execute(f"UPDATE attachments SET paper_id = ? WHERE paper_id IN ({m})", [keep, *others])
            for p in papers:
                for f, values in p["alternatives"].items():
                    for v in values:
                        self._add_alternative(keep, f, v)
                for f in MERGE_FIELDS:
                    if p["id"] != choice[f] and p[f] != upd[f]:
                        self._add_alternative(keep, f, p[f])  # the values not chosen
            for f in MERGE_FIELDS:
                self._drop_alternative(keep, f, upd[f])
            c.execute(f"DELETE FROM papers WHERE id IN ({m})", others)  # (frees their arXiv ids)
            self._update_paper(keep, kept, upd)
            self._add_tags_to(keep, [t for p in papers for t in p["tags"]])
            after = self._snapshot([keep])[keep]
            assert after is not None
            before = dict(snaps[keep] or {})
            for s in (before, after):
                s.pop("_merges", None)
            c.execute(
                "INSERT INTO merges(at, kept_id, merged_ids, kept_before, kept_after, merged) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (at, keep, _dumps(others), _dumps(before), _dumps(after),
                 _dumps({str(i): snaps[i] for i in others})),
            )
        log.info("merged papers %s into %d", others, keep)
        return keep

    # ------------------------------------------------------------------- split
    def paper_sources(self, pid: int) -> list[dict[str, Any]]:
        """Where a paper came from: one dict per imported entry (oldest first)."""
        self._need_paper(pid)
        out = []
        row: Sequence[Any] | None = None
        for sid, import_id, file, line, kind, fp, data, added_at in self._q(
            "SELECT id, import_id, file, line, kind, fingerprint, data, added_at FROM sources "
            "WHERE paper_id = ? ORDER BY id",
            (pid,),
        ):
            if data is None:  # the paper is still the row this entry made (schema v6)
                if row is None:
                    row = self._q(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM papers WHERE id = ?", (pid,))[0]
                entry = entry_json_from_row(kind, line, row)
            else:
                entry = json.loads(data) if data else {}
            out.append({
                "id": sid, "import_id": import_id, "file": file, "line": line, "kind": kind,
                "fingerprint": fp, "added_at": added_at, "title": entry.get("title"),
                "authors": entry.get("authors") or [], "data": entry,
            })
        return out

    def merge_history(self, pid: int) -> list[dict[str, Any]]:
        """The merges into a paper that ``split_paper`` would take back (newest first)."""
        return [
            {"id": mid, "at": at, "merged_ids": json.loads(merged_ids)}
            for mid, at, merged_ids in self._q(
                "SELECT id, at, merged_ids FROM merges WHERE kept_id = ? ORDER BY id DESC", (pid,)
            )
        ]

    def split_paper(self, pid: int) -> list[int]:
        """Split a paper into the papers it was made of; return their ids (``pid`` first).

        A paper merged by hand gets back every paper merged into it, exactly as each was
        (same id when free, its own tags and note).  Otherwise each imported entry (source)
        becomes its own paper with the tags and note that entry carried, and the paper keeps
        the first one.  One undo step.
        """
        p = self._need_paper(pid)
        merges = self._q(
            "SELECT id, kept_before, kept_after, merged FROM merges WHERE kept_id = ? ORDER BY id DESC", (pid,)
        )
        if merges:
            return self._split_merges(p, merges)
        sources = [s for s in self.paper_sources(pid) if s["data"]]
        if len(sources) < 2:
            raise RefManagerError(
                f"paper {pid} has a single source and was not merged by hand: there is nothing to split"
            )
        return self._split_sources(p, sources)

    def _next_id(self) -> int:
        return int(self._q("SELECT coalesce(max(id), 0) + 1 FROM papers")[0][0])

    def _arxiv_taken(self, aid: str | None, but: int | None = None) -> bool:
        return bool(aid) and bool(
            self._q("SELECT 1 FROM papers WHERE arxiv_id = ? AND id IS NOT ?", (aid, but))
        )

    def _split_merges(self, p: dict[str, Any], merges: Sequence[Any]) -> list[int]:
        pid = p["id"]
        n = 1 + sum(len(json.loads(m[3])) for m in merges)
        with self._growing_action(f"Split {self._what(p)} into {n} papers", [pid]) as created:
            for mid, before_s, after_s, merged_s in merges:  # newest first
                before, after = json.loads(before_s), json.loads(after_s)
                self._take_back(pid, before, after)
                for old_id_s, snap in json.loads(merged_s).items():
                    old_id = int(old_id_s)
                    new_id = old_id if not self.exists(old_id) else self._next_id()
                    self._restore_merged(new_id, snap, from_pid=pid)
                    created.append(new_id)
                self.db.conn.execute("DELETE FROM merges WHERE id = ?", (mid,))
        log.info("split paper %d: %s", pid, created)
        return [pid, *created]

    def _take_back(self, pid: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        """The kept paper of a merge: each column the merge changed and nobody changed since
        goes back to its value before the merge; tags and alternatives likewise."""
        from .rows import derived as _derived

        cur = self._snapshot([pid])[pid]
        assert cur is not None
        new = {k: (before[k] if cur[k] == after[k] else cur[k]) for k in _THREE_WAY_COLS}
        new["note_modified_at"] = before["note_modified_at"] if cur["note"] == after["note"] else cur["note_modified_at"]
        if new["arxiv_id"] and self._arxiv_taken(new["arxiv_id"], pid):
            new["arxiv_id"] = cur["arxiv_id"]
        new.update(_derived({
            "title": new["title"], "authors": json.loads(new["authors"]), "date": new["date"],
            "abstract": new["abstract"],
        }))
        new["modified_at"] = _now()
        sets = ", ".join(f"{k} = ?" for k in new)
        self.db.conn.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*new.values(), pid])
        fold = {t.casefold(): t for t in (*before["_tags"], *after["_tags"], *cur["_tags"])}
        tags = _three_way_set(
            (t.casefold() for t in before["_tags"]), (t.casefold() for t in after["_tags"]),
            (t.casefold() for t in cur["_tags"]),
        )
        c = self.db.conn
        c.execute("DELETE FROM paper_tags WHERE paper_id = ?", (pid,))
        for t in sorted(tags):
            c.execute("INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", (pid, self._tag_id(fold[t])))
        self._refresh_tags_text([pid])
        alts = _three_way_set(
            ((f, v) for _, f, v, _ in before.get("_alternatives", [])),
            ((f, v) for _, f, v, _ in after.get("_alternatives", [])),
            ((f, v) for _, f, v, _ in cur.get("_alternatives", [])),
        )
        old_ids = {(f, v): i for i, f, v, _ in (*before.get("_alternatives", []), *cur.get("_alternatives", []))}
        c.execute("DELETE FROM alternatives WHERE paper_id = ?", (pid,))
        for f, v in sorted(alts, key=lambda fv: old_ids.get(fv, 0)):
            self._insert_keeping_id(
                "alternatives", ("id", "paper_id", "field", "value", "title_key"),
                (old_ids.get((f, v)), pid, f, v, title_key(json.loads(v)) if f == "title" else None),
            )

    def _restore_merged(self, new_id: int, snap: dict[str, Any], *, from_pid: int) -> None:
        """Bring back a paper removed by a merge; its sources and attachments leave ``from_pid``."""
        snap = dict(snap)
        sources = snap.pop("_sources", [])
        attachments = snap.pop("_attachments", [])
        snap.update(id=new_id, _sources=[], _attachments=[])
        if self._arxiv_taken(snap["arxiv_id"]):
            log.warning("paper %d comes back without arXiv:%s (another paper has it)", new_id, snap["arxiv_id"])
            snap["_alternatives"] = [*snap.get("_alternatives", []), [None, "arxiv_id", _dumps(snap["arxiv_id"]), None]]
            snap["arxiv_id"] = None
        self._restore({"papers": {str(new_id): snap}})
        c = self.db.conn
        for s in sources:
            owner = self._q("SELECT paper_id FROM sources WHERE id = ?", (s["id"],))
            if owner and owner[0][0] == from_pid:
                c.execute("UPDATE sources SET paper_id = ? WHERE id = ?", (new_id, s["id"]))
            elif not owner:
                self._insert_keeping_id(
                    "sources",
                    ("id", "paper_id", "import_id", "file", "line", "kind", "fingerprint", "data", "added_at"),
                    (s["id"], new_id, s["import_id"], s["file"], s["line"], s["kind"], s["fingerprint"],
                     s["data"], s["added_at"]),
                )
        for aid, *_ in attachments:  # (one detached since the merge stays detached)
            c.execute("UPDATE attachments SET paper_id = ? WHERE id = ? AND paper_id = ?", (new_id, aid, from_pid))

    def _split_sources(self, p: dict[str, Any], sources: list[dict[str, Any]]) -> list[int]:
        pid = p["id"]
        first, rest = sources[0], sources[1:]
        with self._growing_action(f"Split {self._what(p)} into {len(sources)} papers", [pid]) as created:
            e0 = entry_from_json(first["data"])
            edited = set(p["edited_fields"])
            want: dict[str, Any] = {
                "title": e0.title, "authors": e0.authors, "et_al": e0.et_al, "orgs": e0.orgs, "date": e0.date,
                "category": e0.category, "abstract": e0.abstract, "arxiv_id": e0.arxiv_id, "doi": e0.doi,
                "journal": e0.journal,
            }
            if "authors" in edited:
                edited.add("et_al")
            upd = {k: v for k, v in want.items() if k not in edited and v != p[k]}
            if "title" not in edited:
                upd.update(
                    incomplete=bool(e0.incomplete or e0.title is None), needs_review=e0.needs_review,
                    raw_line=e0.raw_line, split_confidence=e0.split_confidence,
                    alt_splits=_dumps([s.to_json() for s in e0.alt_splits]) if e0.alt_splits else None,
                )
            if upd:
                self._update_paper(pid, p, upd)
            for s in rest:
                e = entry_from_json(s["data"])
                if self._arxiv_taken(e.arxiv_id):
                    log.warning("split-off entry %s:%s comes without arXiv:%s (another paper has it)",
                                s["file"], s["line"], e.arxiv_id)
                    e.arxiv_id = None
                new_id = self._insert_paper(e, s["added_at"])
                self.db.conn.execute("UPDATE sources SET paper_id = ? WHERE id = ?", (new_id, s["id"]))
                created.append(new_id)
        log.info("split paper %d by source: %s", pid, created)
        return [pid, *created]

    # -------------------------------------------------------------- duplicates
    def find_duplicates(self, limit: int | None = 200) -> list[tuple[int, int, str]]:
        """Pairs (a < b) of papers outside the trash that look like one paper, strongest first.

        Same arXiv id or DOI; the same title key, or the same once spaces go, or (titles over
        30 characters) difflib ratio >= 0.95 within blocks of titles sharing their first or last
        three words; one abstract the start of the other (>= 40 characters).  Papers with two
        different arXiv ids are different papers, unless their DOI says otherwise.  Pairs
        marked with ``mark_not_duplicate`` never come back.  Never compares all pairs.
        """
        ignored = {(a, b) for a, b in self._q("SELECT a, b FROM not_duplicates")}
        found: dict[tuple[int, int], str] = {}
        aids: dict[int, str | None] = {}
        full = False

        def add(a: int, b: int, reason: str, check_ids: bool = True) -> None:
            nonlocal full
            if a == b or full:
                return
            key = (a, b) if a < b else (b, a)
            if key in found or key in ignored:
                return
            if check_ids and aids.get(a) and aids.get(b) and aids[a] != aids[b]:
                return
            found[key] = reason
            if limit is not None and len(found) >= limit:
                full = True

        def groups(members: Iterable[list[int]], reason: str, check_ids: bool = True) -> None:
            for ids in members:
                if len(ids) > 1:
                    for other in ids[1 : GROUP_PAIRS + 1]:
                        add(ids[0], other, reason, check_ids)

        live = "trashed_at IS NULL"
        aids.update(self._q(f"SELECT id, arxiv_id FROM papers WHERE {live} AND arxiv_id IS NOT NULL"))
        groups(([int(x) for x in g.split(",")] for (g,) in self._q(
            f"SELECT group_concat(id) FROM papers WHERE {live} AND arxiv_id IS NOT NULL "
            "GROUP BY arxiv_id HAVING count(*) > 1")), "same arXiv id", False)
        groups(([int(x) for x in g.split(",")] for (g,) in self._q(
            f"SELECT group_concat(id) FROM papers WHERE {live} AND doi IS NOT NULL "
            "GROUP BY lower(doi) HAVING count(*) > 1")), "same DOI", False)
        titles: list[tuple[int, str, str]] = [
            (pid, tkey, title) for pid, tkey, title in self._q(
                f"SELECT id, title_key, title FROM papers WHERE {live} AND title_key IS NOT NULL ORDER BY id"
            )
        ]
        by_key: dict[str, list[int]] = defaultdict(list)
        by_compact: dict[str, list[int]] = defaultdict(list)
        for pid, tkey, _ in titles:
            by_key[tkey].append(pid)
            by_compact[tkey.replace(" ", "")].append(pid)
        groups(by_key.values(), "same title")
        groups(by_compact.values(), "same title apart from spaces and punctuation")
        if not full:
            self._similar_titles(titles, add)
        if not full:
            self._abstract_prefixes(add)
        rank = DUPLICATE_REASONS.index
        return [(a, b, r) for (a, b), r in sorted(found.items(), key=lambda kv: (rank(kv[1]), kv[0]))]

    @staticmethod
    def _similar_titles(titles: list[tuple[int, str, str]], add: Any) -> None:
        """Typos and small rewordings: blocks of titles sharing their first or last three words,
        each title compared with its neighbours by length, cheap filters before difflib."""
        Item = tuple[int, str, str, frozenset[str], tuple[str, ...]]
        blocks: dict[tuple[str, str], list[Item]] = defaultdict(list)
        for pid, tkey, title in titles:
            if len(tkey) <= SIMILAR_TITLE_MIN_CHARS:
                continue
            words = tkey.split()
            item = (pid, tkey, title, frozenset(words), tuple(_DIGITS.findall(tkey)))
            blocks[("first", " ".join(words[:3]))].append(item)
            blocks[("last", " ".join(words[-3:]))].append(item)
        bound = 2 / SIMILAR_TITLE_RATIO - 1  # ratio >= r needs len(b) <= len(a) * bound
        compared: set[tuple[int, int]] = set()
        for members in blocks.values():
            if len(members) < 2:
                continue
            members.sort(key=lambda m: len(m[1]))
            for i, (a, ta, title_a, words_a, digits_a) in enumerate(members):
                sm: difflib.SequenceMatcher[str] | None = None
                limit = len(ta) * bound
                for b, tb, title_b, words_b, digits_b in members[i + 1 : i + 1 + SIMILAR_TITLE_WINDOW]:
                    if len(tb) > limit:
                        break
                    # Numbers differ: "Gemma 2" is not "Gemma 3"; a 5% edit touches few words.
                    if digits_b != digits_a or tb == ta or len(words_a ^ words_b) > 6 or (a, b) in compared:
                        continue
                    compared.add((a, b))
                    if sm is None:
                        sm = difflib.SequenceMatcher(None, autojunk=False)
                        sm.set_seq2(ta)
                    sm.set_seq1(tb)
                    if not (sm.real_quick_ratio() >= SIMILAR_TITLE_RATIO and sm.quick_ratio() >= SIMILAR_TITLE_RATIO
                            and sm.ratio() >= SIMILAR_TITLE_RATIO):
                        continue
                    if _names_differ(words_a ^ words_b, title_a, title_b):
                        continue
                    add(a, b, "similar title")

    def _abstract_prefixes(self, add: Any) -> None:
        """One abstract the start of another: both share their first 40 characters, so only the
        papers whose opening another paper shares are read, group by group (the prefix index
        gives the groups and their order; each group is sorted here)."""
        n = ABSTRACT_PREFIX_CHARS
        prefix = f"substr(abstract_key, 1, {n})"  # the expression of the index papers_abstract_prefix
        # (The column holds the key's first 40 characters, in older libraries all of it:
        # whole keys are computed from the abstracts of the groups.)
        cur = self.db.conn.execute(
            f"SELECT id, abstract FROM papers WHERE abstract_key IS NOT NULL AND trashed_at IS NULL "
            f"AND length(abstract_key) >= {n} AND {prefix} IN "
            f"(SELECT {prefix} FROM papers GROUP BY {prefix} HAVING count(*) > 1) ORDER BY {prefix}"
        )
        rows = ((pid, abstract_key(abstract)) for pid, abstract in cur)
        group: list[tuple[str, int]] = []
        for pid, akey in itertools.chain(rows, [(None, None)]):  # (streamed, not all in memory)
            if group and (akey is None or not akey.startswith(group[0][0][:n])):
                self._prefix_pairs(sorted(group), add)
                group = []
            if akey is not None:
                group.append((akey, pid))

    @staticmethod
    def _prefix_pairs(keys: list[tuple[str, int]], add: Any) -> None:
        # Sorted: every key that starts with k follows k directly, so a stack of the keys that
        # are prefixes of the current one finds every pair in one pass.
        stack: list[tuple[str, int]] = []
        for akey, pid in keys:
            while stack and not akey.startswith(stack[-1][0]):
                stack.pop()
            for okey, other in stack[-GROUP_PAIRS:]:
                add(other, pid, "same abstract" if okey == akey else "one abstract is the start of the other")
            stack.append((akey, pid))

    def mark_not_duplicate(self, a: int, b: int) -> None:
        """Remember that two papers are different: ``find_duplicates`` never pairs them again."""
        if a == b:
            raise RefManagerError("a paper is always the same as itself")
        pa, pb = self._need_paper(a), self._need_paper(b)
        lo, hi = min(a, b), max(a, b)
        with self.action(f"Mark {self._what(pa)} and {self._what(pb)} as different papers", [lo, hi]):
            self.db.conn.execute(
                "INSERT OR IGNORE INTO not_duplicates(a, b, at) VALUES (?, ?, ?)", (lo, hi, _now())
            )

    # ------------------------------------------------------------- attachments
    def attachments_dir(self) -> Path | None:
        """``<library>.files`` beside the library file (None for an in-memory library)."""
        if str(self.path) == ":memory:":
            return None
        return self.path.with_name(self.path.name + ".files")

    def _attachment_abspath(self, path: str, mode: str) -> Path:
        if mode == "copy":
            root = self.attachments_dir()
            return (root / path) if root is not None else Path(path)
        return Path(path)

    def _attachments_of(self, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            m = ",".join("?" * len(chunk))
            for aid, pid, name, path, mode, added_at in self._q(
                f"SELECT id, paper_id, name, path, mode, added_at FROM attachments WHERE paper_id IN ({m}) "
                "ORDER BY id",
                chunk,
            ):
                full = self._attachment_abspath(path, mode)
                out.setdefault(pid, []).append({
                    "id": aid, "name": name, "path": str(full), "exists": full.is_file(), "mode": mode,
                    "added_at": added_at,
                })
        return out

    def attachments(self, pid: int) -> list[dict[str, Any]]:
        """A paper's files: id, name, path, exists (a missing file is not an error), mode, added_at."""
        self._need_paper(pid)
        return self._attachments_of([pid]).get(pid, [])

    def attach_file(self, pid: int, path: str | os.PathLike[str], mode: str = "copy") -> dict[str, Any]:
        """Attach a file: copy it to ``<library>.files/<pid>/`` (private) or link it in place."""
        p = self._need_paper(pid)
        if mode not in ("copy", "link"):
            raise ValidationError("mode", f"expected 'copy' or 'link', not {mode!r}")
        src = Path(path).expanduser()
        if not src.is_file():
            raise RefManagerError(f"{src}: {'not a file' if src.exists() else 'no such file'}")
        if not os.access(src, os.R_OK):
            raise RefManagerError(f"{src}: cannot read the file: permission denied")
        name = src.name
        made: Path | None = None
        if mode == "link":
            stored = str(src.resolve())
        else:
            root = self.attachments_dir()
            if root is None:
                raise RefManagerError("an in-memory library cannot keep copies of files: attach a link")
            folder = root / str(pid)
            try:
                for d in (root, folder):
                    d.mkdir(mode=0o700, exist_ok=True)
                    os.chmod(d, 0o700)
                target, made = self._copy_into(src, folder)
            except OSError as e:
                raise RefManagerError(f"cannot copy {src} into {folder}: {e.strerror or e}") from None
            name = target.name
            stored = f"{pid}/{target.name}"
        for a in self._attachments_of([pid]).get(pid, []):
            if a["mode"] == mode and a["path"] == str(self._attachment_abspath(stored, mode)):
                return {k: a[k] for k in ("id", "name", "path", "exists", "mode")}  # attached already
        try:
            with self.action(f"Attach {name!r} to {self._what(p)}", [pid]):
                aid = self.db.conn.execute(
                    "INSERT INTO attachments(paper_id, name, path, mode, added_at) VALUES (?, ?, ?, ?, ?)",
                    (pid, name, stored, mode, _now()),
                ).lastrowid
        except BaseException:
            if made is not None:
                made.unlink(missing_ok=True)
            raise
        full = self._attachment_abspath(stored, mode)
        log.info("attached %s to paper %d (%s)", full, pid, mode)
        return {"id": aid, "name": name, "path": str(full), "exists": full.is_file(), "mode": mode}

    @staticmethod
    def _copy_into(src: Path, folder: Path) -> tuple[Path, Path | None]:
        """Copy ``src`` into ``folder`` (mode 0600); the same file there already is reused.
        Returns (target, the file created or None)."""
        stem, suffix = src.stem, src.suffix
        n = 1
        while True:
            target = folder / (src.name if n == 1 else f"{stem} ({n}){suffix}")
            if not target.exists():
                break
            if target.is_file() and filecmp.cmp(src, target, shallow=False):
                return target, None
            n += 1
        tmp = folder / f".{target.name}.part"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                shutil.copyfileobj(inp, out, 1 << 20)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return target, target

    def detach(self, pid: int, attachment_id: int) -> None:
        """Remove an attachment from a paper (undoable; a copied file stays on disk for the undo)."""
        p = self._need_paper(pid)
        r = self._q("SELECT name FROM attachments WHERE id = ? AND paper_id = ?", (attachment_id, pid))
        if not r:
            raise RefManagerError(f"paper {pid} has no attachment {attachment_id}")
        with self.action(f"Detach {r[0][0]!r} from {self._what(p)}", [pid]):
            self.db.conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))

    def attachment_path_allowed(self, path: str | os.PathLike[str]) -> bool:
        """May the app open this file?  Only inside the attachments folder, or a file the user
        linked (symbolic links are followed first, so none leads out)."""
        try:
            target = Path(path).expanduser().resolve()
        except (OSError, RuntimeError, ValueError):
            return False
        root = self.attachments_dir()
        if root is not None:
            base = root.resolve()
            if target != base and target.is_relative_to(base):
                return True
        return bool(self._q("SELECT 1 FROM attachments WHERE mode = 'link' AND path = ?", (str(target),)))
