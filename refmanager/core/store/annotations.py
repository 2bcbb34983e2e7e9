"""Annotations of PDFs, kept in the library and never written into the file (schema v13).

An annotation belongs to a paper and to one of its PDFs by the file's content (``file``: its
SHA-256), not by its path: a copy moved elsewhere, or linked again after a move, shows the
same annotations; an edited PDF (other bytes) does not, but its annotations stay with the
paper, listed and searchable.  A highlight keeps the rectangles it covers (PDF points from
the page's top left, one per line), the text it quotes and that text's character offsets on
the page; a note is a comment at a place on a page.  Colours are a small palette by name.

Every change is one undoable action in the history: a paper's annotation rows are part of
its snapshot (``annotation_rows.py``), so undo and redo put back exactly what was there, a
merge moves them to the kept paper and a split takes them back.  The quotes and comments are
indexed (``annotation:`` in the search language, ``search.py``).

The last page read of a PDF (``reading_positions``) is remembered per paper and file; moving
through a document is not an action, and is never undone.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RefManagerError, ValidationError
from ..fields import dumps, what
from ..textnorm import lf_line_ends
from .annotation_rows import COLUMNS
from .db import Db, chunks, now_iso
from .history import History
from .marking import Marking
from .papers import Papers

#: The highlight colours, by the name stored, and how the app draws them.
COLORS: dict[str, str] = {
    "yellow": "#ffd400",
    "green": "#5fb236",
    "blue": "#2ea8e5",
    "pink": "#ff6fb0",
    "purple": "#a28ae5",
}
DEFAULT_COLOR = "yellow"
#: A highlight of text, or a note at a place on a page.
KINDS = ("highlight", "note")
#: Limits of what one annotation holds (a quote of a whole page is ~5,000 characters).
MAX_QUOTE_CHARS = 50_000
MAX_COMMENT_CHARS = 100_000
MAX_RECTS = 2_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: The order annotations are listed in: by file, page, then top to bottom and left to right.
_ORDER = ("ORDER BY paper_id, file, page, json_extract(rects, '$[0][1]'), json_extract(rects, '$[0][0]'), id")
_UNSET: Any = object()

Rect = tuple[float, float, float, float]


class AnnotationGone(RefManagerError):
    """An annotation asked for is not in the library (any more): deleted, perhaps by another
    program, or its paper's change was undone."""


@dataclass(frozen=True)
class Annotation:
    id: int
    paper_id: int
    #: the PDF's SHA-256
    file: str
    kind: str
    #: from 1
    page: int
    #: [x, y, w, h] in PDF points from the page's top left
    rects: tuple[Rect, ...]
    color: str
    quote: str | None
    char_start: int | None
    char_end: int | None
    comment: str | None
    created_at: str
    modified_at: str

    def to_json(self, *, with_id: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if with_id else {}
        out.update(
            kind=self.kind, page=self.page, color=self.color, quote=self.quote, comment=self.comment,
            rects=[list(r) for r in self.rects], char_start=self.char_start, char_end=self.char_end,
            file=self.file, created_at=self.created_at, modified_at=self.modified_at,
        )
        return out


def _annotation(pid: int, row: Sequence[Any]) -> Annotation:
    r = dict(zip(COLUMNS, row))
    rects = tuple(tuple(float(v) for v in rect) for rect in json.loads(r["rects"] or "[]"))
    return Annotation(
        id=r["id"], paper_id=pid, file=r["file"], kind=r["kind"], page=r["page"], rects=rects,  # type: ignore[arg-type]
        color=r["color"], quote=r["quote"], char_start=r["char_start"], char_end=r["char_end"],
        comment=r["comment"], created_at=r["created_at"], modified_at=r["modified_at"],
    )


def clean_rects(rects: Sequence[Sequence[float]]) -> str:
    """Rectangles as stored: JSON of [x, y, w, h] with widths and heights made positive (a
    rotated page gives negative ones), rounded to 1/100 point."""
    out = []
    if len(rects) > MAX_RECTS:
        raise ValidationError("rects", f"at most {MAX_RECTS} rectangles")
    for r in rects:
        vals = list(r) if isinstance(r, (list, tuple)) else [r]
        if len(vals) != 4 or not all(_number(v) for v in vals):
            raise ValidationError("rects", f"a rectangle is four numbers [x, y, w, h], not {vals!r:.60}")
        x, y, w, h = (float(v) for v in vals)
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        out.append([round(x, 2), round(y, 2), round(w, 2), round(h, 2)])
    return dumps(out)


#: Largest coordinate (points), page number and character offset an annotation may give: a
#: page is at most 14,400 points (200 inches) a side; numbers past these come from a bad file.
MAX_COORD = 1_000_000.0
MAX_INDEX = 10_000_000


def _number(v: Any) -> bool:
    """A finite number of a sane size (not a bool; a huge int would overflow the float)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v)) and abs(float(v)) <= MAX_COORD
    except OverflowError:
        return False


#: The line above another program's comment when both are kept.
CONFLICT_LINE = "──── Kept from another program's change to this comment ────"


def _text(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    value = lf_line_ends(value).replace("\x00", "")
    if len(value) > limit:
        raise ValidationError(field, f"at most {limit:,} characters")
    return value if value.strip() else None


def check_color(color: str) -> str:
    c = (color or "").strip().lower()
    if c not in COLORS:
        raise ValidationError("color", f"one of {', '.join(COLORS)} (not {color!r})")
    return c


def clean(file: str, kind: str, page: int, rects: Sequence[Sequence[float]], color: str, quote: str | None,
          char_start: int | None, char_end: int | None, comment: str | None) -> tuple[Any, ...]:
    """An annotation's values as stored (``COLUMNS`` from ``file`` to ``comment``), or the
    ``ValidationError`` of the first that cannot be."""
    if not isinstance(file, str) or not _SHA256.match(file):
        raise ValidationError("file", "the PDF's SHA-256, as 64 hexadecimal digits")
    if kind not in KINDS:
        raise ValidationError("kind", f"one of {', '.join(KINDS)} (not {kind!r})")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_INDEX:
        raise ValidationError("page", f"a page number from 1 to {MAX_INDEX:,}")
    for name, v in (("char_start", char_start), ("char_end", char_end)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_INDEX):
            raise ValidationError(name, f"a character offset from 0 to {MAX_INDEX:,}")
    if not isinstance(rects, (list, tuple)):
        raise ValidationError("rects", "a list of rectangles [x, y, w, h]")
    stored_rects = clean_rects(rects)
    quote = _text(quote, "quote", MAX_QUOTE_CHARS)
    comment = _text(comment, "comment", MAX_COMMENT_CHARS)
    color = check_color(color if isinstance(color, str) else "")
    if kind == "highlight" and not (quote or rects):
        raise ValidationError("quote", "a highlight needs the text or the place it covers")
    if kind == "note" and not comment:
        raise ValidationError("comment", "a note needs some text")
    return (file, kind, page, stored_rects, color, quote, char_start, char_end, comment)


_INSERT = ("INSERT INTO annotations(paper_id, file, kind, page, rects, color, quote, char_start, char_end, comment, "
           "created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def insert_imported(db: Db, pid: int, a: dict[str, Any]) -> int:
    """An annotation of refmanager JSON (``Annotation.to_json``) added to a paper inside an
    import's action; 0 when the paper has it already (the same file, place, text and comment:
    a file imported again adds nothing), 1 when added.  ``ValidationError`` when unusable."""
    get = a.get
    values = clean(get("file"), get("kind", "highlight"), get("page"), get("rects") or [],  # type: ignore[arg-type]
                   get("color", DEFAULT_COLOR), get("quote"), get("char_start"), get("char_end"), get("comment"))
    if db.one("SELECT 1 FROM annotations WHERE paper_id = ? AND file = ? AND kind = ? AND page = ? AND rects = ? "
              "AND color = ? AND quote IS ? AND char_start IS ? AND char_end IS ? AND comment IS ?", (pid, *values)):
        return 0
    at = now_iso()
    made, changed = (a.get(k) if isinstance(a.get(k), str) else at for k in ("created_at", "modified_at"))
    db.execute(_INSERT, (pid, *values, made, changed))
    return 1


def one_line(text: str) -> str:
    """A quote as one line: the PDF's line ends become spaces, a word cut by a hyphen at a
    line's end is joined again."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


def note_block(notes: Sequence[Annotation]) -> str:
    """The annotations as Markdown for a paper's note, as Zotero writes them: each quote in
    a block quote with its page, its comment below; a note's comment with its page."""
    parts = ["## Annotations"]
    for a in notes:
        comment = (a.comment or "").strip()
        if a.kind == "highlight" and a.quote:
            parts.append(f"> \u201c{one_line(a.quote)}\u201d (p. {a.page})")
            if comment:
                parts.append(comment)
        elif comment:
            parts.append(f"{comment} (p. {a.page})")
    return "\n\n".join(parts) + "\n"


class Annotations:
    """A paper's annotations and the last page read of its PDFs."""

    def __init__(self, db: Db, papers: Papers, history: History, marking: Marking) -> None:
        self.db = db
        self.papers = papers
        self.history = history
        self.marking = marking

    # ---------------------------------------------------------------- reading
    def of(self, pid: int, file: str | None = None) -> list[Annotation]:
        """A paper's annotations (of one file, by its SHA-256), by file, page and place."""
        cols = ", ".join(COLUMNS)
        if file is None:
            rows = self.db.q(f"SELECT {cols} FROM annotations WHERE paper_id = ? {_ORDER}", (pid,))
        else:
            rows = self.db.q(f"SELECT {cols} FROM annotations WHERE paper_id = ? AND file = ? {_ORDER}", (pid, file))
        return [_annotation(pid, r) for r in rows]

    def of_papers(self, ids: Sequence[int]) -> dict[int, list[Annotation]]:
        """Annotations of several papers (those with none are left out)."""
        out: dict[int, list[Annotation]] = {}
        cols = ", ".join(COLUMNS)
        for marks, chunk in chunks(ids):
            for pid, *row in self.db.q(
                f"SELECT paper_id, {cols} FROM annotations WHERE paper_id IN ({marks}) {_ORDER}", chunk
            ):
                out.setdefault(pid, []).append(_annotation(pid, row))
        return out

    def json_of(self, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """What refmanager JSON keeps of these papers' annotations (``models.LibraryGroups``)."""
        return {pid: [a.to_json(with_id=False) for a in notes] for pid, notes in self.of_papers(ids).items()}

    def get(self, aid: int) -> Annotation | None:
        r = self.db.one(f"SELECT paper_id, {', '.join(COLUMNS)} FROM annotations WHERE id = ?", (aid,))
        return None if r is None else _annotation(r[0], r[1:])

    def need(self, aid: int) -> Annotation:
        a = self.get(aid)
        if a is None:
            raise AnnotationGone(f"no annotation with id {aid} (deleted meanwhile?)")
        return a

    # --------------------------------------------------------------- changing
    def add(
        self, pid: int, *, file: str, page: int, kind: str = "highlight", rects: Sequence[Sequence[float]] = (),
        color: str = DEFAULT_COLOR, quote: str | None = None, char_start: int | None = None,
        char_end: int | None = None, comment: str | None = None,
    ) -> int:
        """Add an annotation (one undoable action); its id."""
        p = self.papers.need(pid)
        values = clean(file, kind, page, rects, color, quote, char_start, char_end, comment)
        label = (f"Highlight on page {page} of {what(p)}" if kind == "highlight"
                 else f"Add a note on page {page} of {what(p)}")
        at = now_iso()
        with self.history.action(label, [pid]):
            aid: int = self.db.execute(_INSERT, (pid, *values, at, at)).lastrowid  # type: ignore[assignment]
        return aid

    def edit(self, aid: int, *, color: str | None = _UNSET, comment: str | None = _UNSET,
             expected: str | None = _UNSET) -> bool:
        """Change an annotation's colour or comment (one undoable action); False when nothing
        changed.  ``expected``: the comment as the user saw it; if another program changed it
        since, both texts are kept (the other under a marked line), as a note's are."""
        a = self.need(aid)
        new_color = a.color if color is _UNSET else check_color(color or "")
        new_comment = a.comment if comment is _UNSET else _text(comment, "comment", MAX_COMMENT_CHARS)
        if comment is not _UNSET and expected is not _UNSET and (a.comment or None) != (expected or None) \
                and a.comment and a.comment != new_comment:
            new_comment = _text(f"{(new_comment or '').rstrip()}\n\n{CONFLICT_LINE}\n{a.comment}".strip(),
                                "comment", MAX_COMMENT_CHARS + len(a.comment) + 100)
        if a.kind == "note" and not new_comment:
            raise ValidationError("comment", "a note needs some text (delete the note instead)")
        if (new_color, new_comment) == (a.color, a.comment):
            return False
        p = self.papers.need(a.paper_id)
        what_ = "the colour" if new_comment == a.comment else "the comment"
        with self.history.action(f"Change {what_} of an annotation on page {a.page} of {what(p)}", [a.paper_id]):
            self.db.execute("UPDATE annotations SET color = ?, comment = ?, modified_at = ? WHERE id = ?",
                            (new_color, new_comment, now_iso(), aid))
        return True

    def delete(self, aid: int) -> None:
        """Delete an annotation (one undoable action)."""
        a = self.need(aid)
        p = self.papers.need(a.paper_id)
        kind = "highlight" if a.kind == "highlight" else "note"
        with self.history.action(f"Delete a {kind} on page {a.page} of {what(p)}", [a.paper_id]):
            self.db.execute("DELETE FROM annotations WHERE id = ?", (aid,))

    def add_to_note(self, pid: int) -> str:
        """Append the paper's annotations to its note as Markdown with their pages (one
        undoable action: the note's own, ``Marking.set_note``); the note's new text."""
        notes = self.of(pid)
        if not notes:
            raise RefManagerError(f"paper {pid} has no annotations")
        old = self.papers.need(pid).note or ""
        text = (old.rstrip() + "\n\n" if old.strip() else "") + note_block(notes)
        self.marking.set_note(pid, text, expected=old)
        return text

    # ---------------------------------------------------------- last page read
    def last_page(self, pid: int, file: str) -> int | None:
        """The page (from 1) the PDF was last left at, or None."""
        return self.db.value("SELECT page FROM reading_positions WHERE paper_id = ? AND file = ?", (pid, file))

    def set_last_page(self, pid: int, file: str, page: int) -> None:
        """Remember where the PDF was left (not an action: nothing to undo)."""
        if page < 1:
            raise ValidationError("page", "a page number from 1")
        with self.db.transaction():
            if not self.db.one("SELECT 1 FROM papers WHERE id = ?", (pid,)):
                return  # (the paper went meanwhile: nothing to remember)
            self.db.execute(
                "INSERT INTO reading_positions(paper_id, file, page, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(paper_id, file) DO UPDATE SET page = excluded.page, at = excluded.at",
                (pid, file, page, now_iso()),
            )
