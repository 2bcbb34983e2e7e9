"""Taking a paper apart again: a merge made by hand, or the entries an import joined.

A paper with ``merges`` rows is taken back three-way: a column the merge
changed and nobody changed since returns to its value before (tags and
alternatives likewise), and every removed paper comes back from its snapshot
(same id if free), its sources and attachments with it.  Otherwise each
imported entry beyond the first becomes its own paper.  One undo step.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from ..errors import RefManagerError
from ..fields import THREE_WAY_COLUMNS, Paper, dumps, what
from ..rows import derived, entry_from_json
from .alternatives import Alternatives
from .db import now_iso
from .history import History
from .papers import Papers
from .snapshots import Snapshot, Snapshots
from .sources import Sources
from .tags import Tags

log = logging.getLogger(__name__)

_SOURCE_COLS = ("id", "paper_id", "import_id", "file", "line", "kind", "fingerprint", "data", "added_at")


def three_way_set(before: Iterable[Any], after: Iterable[Any], current: Iterable[Any]) -> set[Any]:
    """Take back what a merge added, keep what the user changed since."""
    b, a, c = set(before), set(after), set(current)
    return (b - (a - c)) | (c - a)


class Splitter:
    def __init__(self, papers: Papers, tags: Tags, alternatives: Alternatives, sources: Sources,
                 snapshots: Snapshots, history: History) -> None:
        self.papers = papers
        self.db = papers.db
        self.tags = tags
        self.alternatives = alternatives
        self.sources = sources
        self.snapshots = snapshots
        self.history = history

    def split(self, pid: int) -> list[int]:
        """Split a paper into the papers it was made of; return their ids (``pid`` first).

        A paper merged by hand gets back every paper merged into it, exactly as each was
        (same id when free, its own tags and note).  Otherwise each imported entry (source)
        becomes its own paper with the tags and note that entry carried, and the paper keeps
        the first one.
        """
        p = self.papers.need(pid)
        merges = self.db.q(
            "SELECT id, kept_before, kept_after, merged FROM merges WHERE kept_id = ? ORDER BY id DESC", (pid,)
        )
        if merges:
            return self._split_merges(p, merges)
        sources = [s for s in self.sources.of(pid) if s["data"]]
        if len(sources) < 2:
            raise RefManagerError(
                f"paper {pid} has a single source and was not merged by hand: there is nothing to split"
            )
        return self._split_sources(p, sources)

    def _split_merges(self, p: Paper, merges: list[Any]) -> list[int]:
        pid = p.id
        n = 1 + sum(len(json.loads(m[3])) for m in merges)
        with self.history.growing_action(f"Split {what(p)} into {n} papers", [pid]) as created:
            for mid, before_s, after_s, merged_s in merges:  # newest first
                before, after = json.loads(before_s), json.loads(after_s)
                kept_now = set((self.snapshots.take_one(pid) or {}).get("_collections", []))
                self._take_back(pid, before, after)
                for old_id_s, snap in json.loads(merged_s).items():
                    old_id = int(old_id_s)
                    new_id = old_id if not self.papers.exists(old_id) else self.papers.next_id()
                    if "_collections" in snap:
                        # Back into its collections, but one the merge brought to the kept paper
                        # and the user took that paper out of since.
                        snap = {**snap, "_collections": [
                            c for c in snap["_collections"] if c in kept_now or c in before.get("_collections", [])]}
                    self._restore_merged(new_id, snap, from_pid=pid)
                    created.append(new_id)
                self.db.execute("DELETE FROM merges WHERE id = ?", (mid,))
        log.info("split paper %d: %s", pid, created)
        return [pid, *created]

    def _take_back(self, pid: int, before: Snapshot, after: Snapshot) -> None:
        """The kept paper of a merge: each column the merge changed and nobody changed since
        goes back to its value before the merge; tags and alternatives likewise."""
        cur = self.snapshots.take_one(pid)
        assert cur is not None
        new = {k: (before[k] if cur[k] == after[k] else cur[k]) for k in THREE_WAY_COLUMNS}
        new["note_modified_at"] = before["note_modified_at"] if cur["note"] == after["note"] else cur["note_modified_at"]
        if new["arxiv_id"] and self.papers.arxiv_taken(new["arxiv_id"], pid):
            new["arxiv_id"] = cur["arxiv_id"]
        new.update(derived(new["title"], json.loads(new["authors"]), new["date"], new["abstract"]))
        new["modified_at"] = now_iso()
        sets = ", ".join(f"{k} = ?" for k in new)
        self.db.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*new.values(), pid])
        fold = {t.casefold(): t for t in (*before["_tags"], *after["_tags"], *cur["_tags"])}
        tags = three_way_set(*((t.casefold() for t in s["_tags"]) for s in (before, after, cur)))
        self.tags.set_of(pid, [fold[t] for t in sorted(tags)])
        if "_collections" in before and "_collections" in after:  # (merged before schema v11: left as they are)
            colls = three_way_set(before["_collections"], after["_collections"], cur["_collections"])
            self.db.execute("DELETE FROM collection_papers WHERE paper_id = ?", (pid,))
            self.db.executemany(
                "INSERT OR IGNORE INTO collection_papers(collection_id, paper_id) "
                "SELECT ?, ? WHERE EXISTS (SELECT 1 FROM collections WHERE id = ?)",
                [(c, pid, c) for c in sorted(colls)])
        alts = three_way_set(*(((f, v) for _, f, v, _ in s.get("_alternatives", [])) for s in (before, after, cur)))
        old_ids = {(f, v): i for i, f, v, _ in (*before.get("_alternatives", []), *cur.get("_alternatives", []))}
        self.alternatives.replace_all(
            pid, [(old_ids.get(fv), *fv) for fv in sorted(alts, key=lambda fv: old_ids.get(fv, 0))]
        )

    def _restore_merged(self, new_id: int, snap: Snapshot, *, from_pid: int) -> None:
        """Bring back a paper removed by a merge; its sources and attachments leave ``from_pid``."""
        snap = dict(snap)
        sources = snap.pop("_sources", [])
        attachments = snap.pop("_attachments", [])
        snap.update(id=new_id, _sources=[], _attachments=[])
        # Not a duplicate of a paper deleted since: no mark (it would stay, and say so of the
        # next paper given that id: ids are reused, so the paper there must be older than the
        # mark).  One merged with it comes back after it and marks both.
        snap["_not_dups"] = [nd for nd in snap.get("_not_dups", []) if self.db.one(
            "SELECT 1 FROM papers WHERE id = ? AND added_at <= ?", (nd[0], nd[1])) is not None]
        if self.papers.arxiv_taken(snap["arxiv_id"]):
            log.warning("paper %d comes back without arXiv:%s (another paper has it)", new_id, snap["arxiv_id"])
            snap["_alternatives"] = [*snap.get("_alternatives", []), [None, "arxiv_id", dumps(snap["arxiv_id"]), None]]
            snap["arxiv_id"] = None
        self.snapshots.restore({"papers": {str(new_id): snap}})
        for s in sources:
            owner = self.db.value("SELECT paper_id FROM sources WHERE id = ?", (s["id"],))
            if owner == from_pid:
                self.db.execute("UPDATE sources SET paper_id = ? WHERE id = ?", (new_id, s["id"]))
            elif owner is None:
                self.db.insert_keeping_id(
                    "sources", _SOURCE_COLS, (s["id"], new_id, *(s[k] for k in _SOURCE_COLS[2:]))
                )
        for aid, *_ in attachments:  # (one detached since the merge stays detached)
            self.db.execute(
                "UPDATE attachments SET paper_id = ? WHERE id = ? AND paper_id = ?", (new_id, aid, from_pid)
            )

    def _split_sources(self, p: Paper, sources: list[dict[str, Any]]) -> list[int]:
        pid = p.id
        first, rest = sources[0], sources[1:]
        with self.history.growing_action(f"Split {what(p)} into {len(sources)} papers", [pid]) as created:
            e0 = entry_from_json(first["data"])
            edited = set(p.edited_fields)
            if "authors" in edited:
                edited.add("et_al")
            want = {k: getattr(e0, k) for k in (
                "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal")}
            upd = {k: v for k, v in want.items() if k not in edited and v != getattr(p, k)}
            if "title" not in edited:
                upd.update(
                    incomplete=bool(e0.incomplete or e0.title is None), needs_review=e0.needs_review,
                    raw_line=e0.raw_line, split_confidence=e0.split_confidence,
                    alt_splits=[s.to_json() for s in e0.alt_splits],
                )
            if upd:
                self.papers.update(pid, p, upd)
            for s in rest:
                e = entry_from_json(s["data"])
                if self.papers.arxiv_taken(e.arxiv_id):
                    log.warning("split-off entry %s:%s comes without arXiv:%s (another paper has it)",
                                s["file"], s["line"], e.arxiv_id)
                    e.arxiv_id = None
                new_id = self.papers.add(e, s["added_at"])
                self.db.execute("UPDATE sources SET paper_id = ? WHERE id = ?", (new_id, s["id"]))
                created.append(new_id)
        log.info("split paper %d by source: %s", pid, created)
        return [pid, *created]
