"""What an imported entry adds to the paper it matched.

A full entry completes a paper known only from a profile line; otherwise an
entry fills what the paper lacks (a title, a longer author list or abstract,
ids).  Tags and notes are joined.  What the user typed always wins: an edited
field is never overwritten; the entry's different value is kept as an
alternative and the import report says "kept your edit".  One ``EntryMerge``
serves one import.
"""

from __future__ import annotations

import json
from typing import Any

from ..citekeys import clean_key, with_alias
from ..fields import Paper
from ..models import Entry
from ..record import clean_record, merge_extras, merge_records
from ..textnorm import abstract_key
from .alternatives import ALTERNATIVE_FIELDS, Alternatives, is_empty
from .db import Db, now_iso
from .matching import Matcher
from .papers import Papers
from .tags import Tags


def _longer_abstract(new: str | None, old: str | None) -> bool:
    return len(abstract_key(new) or "") > len(abstract_key(old) or "")


class EntryMerge:
    """``tags_later``: papers whose ``tags_text`` the import refreshes once, at its end."""

    def __init__(
        self, db: Db, papers: Papers, tags: Tags, alternatives: Alternatives, matcher: Matcher, tags_later: set[int],
    ) -> None:
        self.db = db
        self.papers = papers
        self.tags = tags
        self.alternatives = alternatives
        self.matcher = matcher
        self.tags_later = tags_later
        self._edited: frozenset[int] | None = None

    def user_data(self, pid: int, e: Entry) -> bool:
        """Tags and note from an entry; True when something was added."""
        changed = False
        if e.tags and self.tags.attach(pid, e.tags, refresh=False):
            self.tags_later.add(pid)
            changed = True
        if e.note:
            changed = self._note(pid, e.note) or changed
        return changed

    def _note(self, pid: int, note: str) -> bool:
        cur = self.db.value("SELECT note FROM papers WHERE id = ?", (pid,)) or ""
        if note.strip() in cur:
            return False
        new = (cur.rstrip() + "\n\n" + note) if cur.strip() else note
        self.db.execute("UPDATE papers SET note = ?, note_modified_at = ? WHERE id = ?", (new, now_iso(), pid))
        return True

    def into(self, pid: int, e: Entry) -> tuple[bool, list[str]]:
        """Merge an entry into a paper: (whether the paper changed, the user-edited
        fields the entry disagreed with, each of its values kept as an alternative)."""
        p = self.papers.get(pid)
        assert p is not None
        kept, upd = self._changes(p, e)
        if upd:
            self.papers.update(pid, p, upd)
        changed = self.user_data(pid, e) or bool(upd)
        if e.authors:
            self.papers.remember_names(e.authors)
        self.matcher.written(pid)  # (the merge may have given the paper new keys)
        edits = self._kept_edits(pid, e, kept)
        return changed or bool(edits), edits

    def _changes(self, p: Paper, e: Entry) -> tuple[list[str], dict[str, Any]]:
        """(edited fields the entry would change, the fields to write)."""
        edited = set(p.edited_fields)
        kept: list[str] = []
        upd: dict[str, Any] = {}

        def put(name: str, value: Any) -> None:
            if value == getattr(p, name):
                return
            if name in edited:
                kept.append(name)
            else:
                upd[name] = value

        complete_entry = e.title is not None
        if complete_entry and p.incomplete:
            # A full entry completes a paper known only from a profile line.
            for name in ("title", "authors", "et_al", "orgs"):
                put(name, getattr(e, name))
            for name in ("date", "category"):
                if getattr(e, name):
                    put(name, getattr(e, name))
            upd["incomplete"] = False
            if e.raw_line:
                upd.update(raw_line=e.raw_line, split_confidence=e.split_confidence,
                           alt_splits=[s.to_json() for s in e.alt_splits], needs_review=e.needs_review)
        else:
            if p.title is None and e.title:
                put("title", e.title)
            if e.authors and (not p.authors or (p.et_al and not e.et_al and len(e.authors) >= len(p.authors))):
                put("authors", e.authors)
                put("et_al", e.et_al)
            elif not complete_entry and p.incomplete and e.authors:
                # Two profiles naming different owners: the paper is by both.
                put("authors", list(dict.fromkeys(p.authors + e.authors)))
            for name in ("orgs", "date", "category"):
                if not getattr(p, name) and getattr(e, name):
                    put(name, getattr(e, name))
        for name in ("arxiv_id", "doi", "journal", "volume", "issue", "pages", "publisher"):
            if getattr(e, name) and not getattr(p, name):
                put(name, getattr(e, name))
        # The type the entry names, over a type the library guessed (a preprint, a journal
        # article): a BibTeX @inproceedings merged into a listing paper is a conference paper.
        if e.type and e.type != p.type and p.type in (None, "article", "article-journal"):
            put("type", e.type)
        if e.record and (record := merge_records(p.record, clean_record(e.record))) != p.record:
            upd["record"] = record
        if e.extras and (extras := merge_extras(p.extras, e.extras)) != p.extras:
            upd["extras"] = extras
        if p.citekey and (aliases := with_alias(p.citekey_aliases, clean_key(e.citekey), p.citekey)) != p.citekey_aliases:
            upd["citekey_aliases"] = aliases  # (its key stays: the file's is kept too)
        if e.abstract and _longer_abstract(e.abstract, p.abstract):
            put("abstract", e.abstract)
        if e.read:
            upd["read"] = True
        if e.starred:
            upd["starred"] = True
        return kept, upd

    # ---------------------------------------------------- the user's edits
    def _disagreements(self, pid: int, e: Entry) -> list[tuple[str, Any]]:
        """(field, entry's value) for each user-edited field an imported entry says otherwise."""
        r = self.db.one(
            f"SELECT edited_fields, {', '.join(ALTERNATIVE_FIELDS)} FROM papers WHERE id = ?", (pid,)
        )
        if not r or r[0] in ("[]", None):
            return []
        edited = json.loads(r[0])
        cur = dict(zip(ALTERNATIVE_FIELDS, r[1:]))
        cur["authors"] = json.loads(cur["authors"])
        cur["orgs"] = json.loads(cur["orgs"])
        out = []
        for f in ALTERNATIVE_FIELDS:
            v = getattr(e, f)
            if f not in edited or is_empty(v) or v == cur[f]:
                continue
            if f == "abstract" and not _longer_abstract(v, cur[f]):
                continue  # a shorter (profile) abstract does not disagree
            if f == "authors" and e.et_al and set(v) <= set(cur["authors"]):
                continue  # a profile line names only its owner
            out.append((f, v))
        return out

    def _kept_edits(self, pid: int, e: Entry, kept: list[str]) -> list[str]:
        found = dict(self._disagreements(pid, e))
        for f in kept:
            if f in ALTERNATIVE_FIELDS and f not in found:
                found[f] = getattr(e, f)
        for f, v in found.items():
            if self.alternatives.add(pid, f, v):
                self.matcher.aliases = True  # (an import looks for replaced titles again)
        out = [f for f in ALTERNATIVE_FIELDS if f in found]
        if "et_al" in kept and "authors" not in out:
            out.append("et_al")
        return out

    def unchanged_note(self, pid: int, e: Entry) -> str | None:
        """The report's note for an entry seen before whose paper the user edited since."""
        if self._edited is None:
            self._edited = frozenset(r[0] for r in self.db.q("SELECT id FROM papers WHERE edited_fields != '[]'"))
        if pid not in self._edited:
            return None
        fields = [f for f, _ in self._disagreements(pid, e)]
        return f"line {e.line}: kept your edit of {', '.join(fields)}" if fields else None
