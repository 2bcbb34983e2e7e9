"""Fixing a paper by hand: editing its fields, and choosing its title/author split.

What the user typed always wins: an edited field goes into the paper's
``edited_fields`` and no import overwrites it; the value it replaced is kept
as an alternative (a replaced title also keeps matching later imports).
Each change is one undoable action.
"""

from __future__ import annotations

import logging
from typing import Any

from ..citekeys import with_alias
from ..errors import ValidationError
from ..fields import LABELS, Paper, what
from ..record import EXTRA_FORMATS, RECORD_BY_NAME, clean_record
from ..validation import clean_record_value, clean_value
from .alternatives import Alternatives, is_empty
from .history import History
from .papers import Papers

log = logging.getLogger(__name__)


class Edited(list[str]):
    """The fields an edit changed; ``kept``: those another program had changed meanwhile,
    with its value (kept as an alternative of the paper)."""

    def __init__(self, fields: Any = (), kept: dict[str, Any] | None = None) -> None:
        super().__init__(fields)
        self.kept: dict[str, Any] = kept or {}


def _differs(seen: Any, now: Any) -> bool:
    """The value the user saw is not the one stored now (empty and missing alike)."""
    if is_empty(seen) and is_empty(now):
        return False
    if isinstance(seen, tuple | list) and isinstance(now, tuple | list):
        return list(seen) != list(now)
    return seen != now




def _extra_value(field: str, value: Any) -> tuple[tuple[str, str], str]:
    """A field kept as it came (``extras.bibtex.groups``), typed by the user: its value as
    the file would give it (one line; empty removes the field)."""
    _, fmt, name = (field.split(".", 2) + ["", ""])[:3]
    if fmt not in EXTRA_FORMATS or not name:
        raise ValidationError(field, "no such field")
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "expected text")
    return (fmt, name), " ".join((value or "").split())


class Editor:
    def __init__(self, papers: Papers, alternatives: Alternatives, history: History) -> None:
        self.papers = papers
        self.db = papers.db
        self.alternatives = alternatives
        self.history = history

    def edit(self, pid: int, *, expected: dict[str, Any] | None = None, **fields: Any) -> Edited:
        """Set fields typed by the user; return the fields that changed (one undo step).

        ``expected``: the values the user saw when typing (the app passes them).  A field
        another program changed meanwhile still gets what the user typed, and the other
        program's value is kept as an alternative (``Edited.kept``: the detail pane offers it
        back, merge and split keep it) — never silently overwritten.

        Raises ValidationError(field, message) for a value that cannot be stored.
        """
        in_record = {f: clean_record_value(f, v) for f, v in fields.items() if f in RECORD_BY_NAME}
        in_extras = {f: _extra_value(f, v) for f, v in fields.items() if f.startswith("extras.")}
        clean = {f: clean_value(f, v) for f, v in fields.items()
                 if f not in RECORD_BY_NAME and not f.startswith("extras.")}
        with self.db.transaction():  # (read and write under one lock: no other writer between)
            p = self.papers.need(pid)
            changed = {f: v for f, v in clean.items() if v != getattr(p, f)}
            if in_record:
                record = clean_record({**p.record, **in_record})
                if record != p.record:
                    changed["record"] = record
            if in_extras:
                extras = {fmt: dict(v) for fmt, v in p.extras.items()}
                for (fmt, name), value in in_extras.values():
                    if value:
                        extras.setdefault(fmt, {})[name] = value
                    else:
                        extras.get(fmt, {}).pop(name, None)
                extras = {fmt: v for fmt, v in extras.items() if v}
                if extras != p.extras:
                    changed["extras"] = extras
            if not changed:
                return Edited()
            kept = {
                f: getattr(p, f) for f in changed
                if expected and f in expected and _differs(expected[f], getattr(p, f))
                and not is_empty(getattr(p, f))
            }
            names = ", ".join(
                LABELS[f] if f not in ("record", "extras") else
                ", ".join(RECORD_BY_NAME[r].label for r in in_record) if f == "record" else
                ", ".join(name for (_fmt, name), _v in in_extras.values())
                for f in changed)
            with self.history.action(f"Edit {names} of {what(p)}", [pid]):
                self._apply(pid, p, changed)
                for f, other in kept.items():  # (et al., a yes/no, has no alternatives: the user's wins)
                    self.alternatives.add(pid, f, other)
        log.info("edited %s of paper %d%s", names, pid, f" (kept the other value of {', '.join(kept)})" if kept else "")
        return Edited(changed, kept)

    def _check(self, pid: int, p: Paper, changed: dict[str, Any]) -> None:
        key = changed.get("citekey")
        if key and self.papers.key_taken(key, pid):
            other = self.db.value("SELECT id FROM papers WHERE citekey = ? COLLATE NOCASE", (key,))
            raise ValidationError("citekey", f"{key!r} is already the citation key of paper {other}")
        aid = changed.get("arxiv_id")
        if aid:
            other = self.db.one(
                "SELECT id, title, abstract, trashed_at FROM papers WHERE arxiv_id = ? AND id != ?", (aid, pid)
            )
            if other:
                oid, otitle, oabstract, trashed = other
                name = otitle or (oabstract or "")[:60]
                raise ValidationError(
                    "arxiv_id",
                    f"arXiv:{aid} is already paper {oid} ({name!r}{', in the trash' if trashed else ''}); "
                    "merge the two papers instead",
                )
        if not changed.get("title", p.title) and not changed.get("abstract", p.abstract):
            raise ValidationError("abstract", "a paper without a title needs its abstract")

    def _apply(self, pid: int, p: Paper, changed: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Write user-typed values: mark them edited, keep the replaced imported values."""
        self._check(pid, p, changed)
        edited = list(p.edited_fields)
        for f, v in changed.items():
            if f not in edited:
                self.alternatives.add(pid, f, getattr(p, f))  # an imported value, not an earlier edit
                edited.append(f)
            self.alternatives.drop(pid, f, v)
        if "authors" in changed and "et_al" not in edited:
            edited.append("et_al")  # the author list as a whole is the user's
        upd: dict[str, Any] = {**changed, **(extra or {}), "edited_fields": edited}
        if changed.get("title"):
            upd["incomplete"] = False
        if "title" in changed or "authors" in changed:
            upd["needs_review"] = False  # the user has looked at the split
        self.papers.update(pid, p, upd)
        if "authors" in changed:
            self.papers.remember_names(changed["authors"])
        if "citekey" in changed and (aliases := with_alias(p.citekey_aliases, p.citekey, changed["citekey"])) != (
                p.citekey_aliases):
            # (a key replaced by hand still finds the paper: \cite{old} written before)
            self.papers.update(pid, self.papers.need(pid), {"citekey_aliases": aliases})

    # ------------------------------------------------------------ needs review
    def review_options(self, pid: int) -> dict[str, Any]:
        """The glued line as imported, the current split and the runner-up splits."""
        p = self.papers.need(pid)
        return {
            "id": pid,
            "raw_line": p.raw_line,
            "confidence": p.split_confidence,
            "needs_review": p.needs_review,
            "current": {"title": p.title, "authors": list(p.authors)},
            "alternatives": [
                {"title": s.get("title"), "authors": list(s.get("authors") or []), "score": s.get("score")}
                for s in p.alt_splits
            ],
        }

    def pick_split(self, pid: int, index: int) -> None:
        """Use runner-up split ``index`` (of ``review_options``); the current one takes its place."""
        p = self.papers.need(pid)
        alts = p.alt_splits
        if not alts:
            raise ValidationError("split", f"paper {pid} has no other title/author split")
        if not 0 <= index < len(alts):
            raise ValidationError("split", f"no split number {index}: paper {pid} has {len(alts)} (0 to {len(alts) - 1})")
        chosen = alts[index]
        title = clean_value("title", chosen.get("title"))
        authors = clean_value("authors", list(chosen.get("authors") or []))
        swapped = list(alts)
        swapped[index] = {"title": p.title, "authors": list(p.authors), "score": None}
        changed = {k: v for k, v in (("title", title), ("authors", authors)) if v != getattr(p, k)}
        with self.history.action(f"Use another title/author split for {what(p)}", [pid]):
            self._apply(pid, p, changed, {"alt_splits": swapped, "needs_review": False})

    def accept_review(self, pid: int) -> bool:
        """Say the title/author split is right: the paper leaves *Needs review*."""
        p = self.papers.need(pid)
        if not p.needs_review:
            return False
        with self.history.action(f"Accept title/author split of {what(p)}", [pid]):
            self.db.execute("UPDATE papers SET needs_review = 0 WHERE id = ?", (pid,))
        return True
