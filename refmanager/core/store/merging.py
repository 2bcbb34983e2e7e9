"""Merging papers the user says are one: the fields chosen, everything else joined.

The kept paper (the lowest id unless chosen) takes the chosen value of each
field; the values not chosen become alternatives; tags, notes, sources and
attachments are joined.  One ``merges`` row keeps the kept paper's snapshot
before and after and the whole snapshot of every paper removed, so that
``splitting.Splitter`` can take the merge back exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ..citekeys import with_alias
from ..errors import RefManagerError, ValidationError
from ..fields import MERGE_FIELDS, Paper, dumps, what
from ..record import merge_extras, merge_records
from ..textnorm import abstract_key
from .alternatives import Alternatives, is_empty
from .collections import Collections
from .db import now_iso
from .history import History
from .papers import Papers
from .snapshots import Snapshots
from .tags import Tags

log = logging.getLogger(__name__)


def _score(f: str, p: Paper) -> tuple[Any, ...]:
    """How complete a paper's value of a field is (the best is chosen by default)."""
    v = getattr(p, f)
    edited = f in p.edited_fields
    if is_empty(v):
        return (0,)
    if f == "title":
        return (1, edited, not p.needs_review, len(v))
    if f == "authors":
        return (1, edited, len(v), not p.et_al)
    if f in ("orgs", "date"):  # (the longest date is the most precise)
        return (1, edited, len(v))
    if f == "abstract":
        return (1, edited, len(abstract_key(v) or ""))
    return (1, edited)


def default_choice(papers: list[Paper]) -> dict[str, int]:
    """{field: paper} with the most complete value of each field (ties: the first, the kept paper)."""
    out = {}
    for f in MERGE_FIELDS:
        best = papers[0]
        for p in papers[1:]:
            if _score(f, p) > _score(f, best):
                best = p
        out[f] = best.id
    return out


class Merger:
    def __init__(self, papers: Papers, tags: Tags, alternatives: Alternatives, snapshots: Snapshots,
                 history: History, collections: Collections) -> None:
        self.papers = papers
        self.collections = collections
        self.db = papers.db
        self.tags = tags
        self.alternatives = alternatives
        self.snapshots = snapshots
        self.history = history

    def _merge_set(self, ids: Sequence[int], keep: int | None) -> tuple[int, list[Paper]]:
        """The kept paper's id, and the papers: the kept one first, the others in order."""
        order = list(dict.fromkeys(int(i) for i in ids))
        if len(order) < 2:
            raise RefManagerError("choose at least two different papers to merge")
        papers = {p.id: p for p in self.papers.get_many(order)}
        missing = [i for i in order if i not in papers]
        if missing:
            raise RefManagerError(f"no paper with id {missing[0]}")
        keep = min(order) if keep is None else int(keep)
        if keep not in papers:
            raise RefManagerError(f"paper {keep} is not one of the papers to merge")
        return keep, [papers[keep], *(papers[i] for i in order if i != keep)]

    def candidates(self, ids: Sequence[int]) -> dict[str, list[tuple[int, Any]]]:
        """For a side-by-side dialog: {field: [(paper id, its value), ...]} in the order of ``ids``."""
        _, papers = self._merge_set(ids, None)
        by_id = {p.id: p for p in papers}
        order = [by_id[i] for i in dict.fromkeys(int(i) for i in ids)]
        return {f: [(p.id, getattr(p, f)) for p in order] for f in MERGE_FIELDS}

    def default_choice(self, ids: Sequence[int], keep: int | None = None) -> dict[str, int]:
        return default_choice(self._merge_set(ids, keep)[1])

    def merge(self, ids: Sequence[int], choices: dict[str, int] | None = None, *, keep: int | None = None) -> int:
        """Merge papers into one (the lowest id unless ``keep``); return its id.

        ``choices`` maps fields to the paper whose value wins (default: ``default_choice``).
        Tags are joined, notes concatenated, read/starred if any was; sources and attachments
        move to the kept paper.
        """
        keep, papers = self._merge_set(ids, keep)
        by_id = {p.id: p for p in papers}
        choice = default_choice(papers)
        for f, pid in (choices or {}).items():
            if f not in MERGE_FIELDS:
                raise ValidationError(f, "this field cannot be chosen in a merge")
            if pid not in by_id:
                raise ValidationError(f, f"paper {pid} is not one of the papers to merge")
            choice[f] = pid
        kept = by_id[keep]
        others = [p.id for p in papers[1:]]
        all_ids = [keep, *others]
        with self.history.action(f"Merge {len(all_ids)} papers into {what(by_id[choice['title']])}", all_ids):
            snaps = self.snapshots.take(all_ids)
            at = now_iso()
            upd = self._merged_fields(papers, by_id, choice, snaps[keep], at)
            # Move what belongs to the papers that go, before they go.
            m = ",".join("?" * len(others))
            self.db.execute(f"UPDATE sources SET paper_id = ? WHERE paper_id IN ({m})", [keep, *others])
            self.db.execute(f"UPDATE attachments SET paper_id = ? WHERE paper_id IN ({m})", [keep, *others])
            self.db.execute(f"UPDATE annotations SET paper_id = ? WHERE paper_id IN ({m})", [keep, *others])
            for p in papers:
                for f, values in p.alternatives.items():
                    for v in values:
                        self.alternatives.add(keep, f, v)
                for f in MERGE_FIELDS:
                    if p.id != choice[f] and getattr(p, f) != upd[f]:
                        self.alternatives.add(keep, f, getattr(p, f))  # the values not chosen
            for f in MERGE_FIELDS:
                self.alternatives.drop(keep, f, upd[f])
            self.collections.join_into(keep, others)  # (before they go: their memberships go with them)
            # (the last page read of their PDFs, which the kept paper now has: its own wins)
            self.db.execute(f"UPDATE OR IGNORE reading_positions SET paper_id = ? WHERE paper_id IN ({m})",
                            [keep, *others])
            self.db.execute(f"DELETE FROM papers WHERE id IN ({m})", others)  # (frees their arXiv ids)
            self.papers.update(keep, kept, upd)
            self.tags.attach(keep, [t for p in papers for t in p.tags])
            after = self.snapshots.take_one(keep)
            assert after is not None
            before = dict(snaps[keep] or {})
            for s in (before, after):
                s.pop("_merges", None)
            self.db.execute(
                "INSERT INTO merges(at, kept_id, merged_ids, kept_before, kept_after, merged) VALUES (?, ?, ?, ?, ?, ?)",
                (at, keep, dumps(others), dumps(before), dumps(after), dumps({str(i): snaps[i] for i in others})),
            )
        log.info("merged papers %s into %d", others, keep)
        return keep

    @staticmethod
    def _merged_fields(papers: list[Paper], by_id: dict[int, Paper], choice: dict[str, int],
                       kept_snap: dict[str, Any] | None, at: str) -> dict[str, Any]:
        """The kept paper's fields after the merge."""
        kept = papers[0]
        upd: dict[str, Any] = {f: getattr(by_id[choice[f]], f) for f in MERGE_FIELDS}
        upd["et_al"] = by_id[choice["authors"]].et_al
        title_from = by_id[choice["title"]]
        upd["incomplete"] = upd["title"] is None
        upd["needs_review"] = title_from.needs_review if upd["title"] else False
        upd["raw_line"] = title_from.raw_line
        upd["split_confidence"] = title_from.split_confidence
        upd["alt_splits"] = title_from.alt_splits
        # The record's other fields and the fields kept as they came: the kept paper's, and
        # the others' where it has none.  Its citation key stays; the others' are aliases.
        record, extras = dict(kept.record), dict(kept.extras)
        aliases = list(kept.citekey_aliases)
        for p in papers[1:]:
            record = merge_records(record, p.record)
            extras = merge_extras(extras, p.extras)
            for k in (p.citekey, *p.citekey_aliases):
                aliases = with_alias(aliases, k, kept.citekey)
        upd["record"], upd["extras"], upd["citekey_aliases"] = record, extras, aliases
        upd["read"] = any(p.read for p in papers)
        upd["starred"] = any(p.starred for p in papers)
        live = [p for p in papers if not p.trashed]
        upd["trashed_at"] = None if live else (kept_snap or {}).get("trashed_at")
        upd["added_at"] = min(p.added_at or "" for p in papers)
        notes: list[str] = []
        for p in papers:
            n = (p.note or "").strip()
            if n and not any(n in x for x in notes):
                notes.append(n)
        note = "\n\n".join(notes) or None
        if note != kept.note:
            upd["note"] = note
            upd["note_modified_at"] = at
        upd["edited_fields"] = [
            f for f in (*MERGE_FIELDS, "et_al") if f in by_id[choice["authors" if f == "et_al" else f]].edited_fields
        ]
        return upd
