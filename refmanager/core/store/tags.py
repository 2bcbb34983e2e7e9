"""The tag tables: tags, which papers have them, and each paper's ``tags_text``.

Nothing here is an undoable action by itself: ``marking.Marking`` wraps the
user's tag commands in the history; imports, merges and undo write tags
through these methods directly.  Tag names compare without case
(``COLLATE NOCASE``) and have their whitespace collapsed (``fields.clean_tag``).
A name is taken as it is given: the text the user types is cut into tags at its
commas before it comes here (``marking.Marking``, ``fields.split_tags``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..fields import clean_tag
from ..validation import clean_color
from .db import Db, chunks

#: ``tags_text`` of each paper: its tag names in name order, for search and sorting.
_REFRESH_TEXT_SQL = (
    "UPDATE papers SET tags_text = coalesce((SELECT group_concat(name, ' ') FROM "
    "(SELECT t.name AS name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
    "WHERE pt.paper_id = papers.id ORDER BY t.name COLLATE NOCASE)), '') "
)
_ATTACH_SQL = "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)"


class Tags:
    def __init__(self, db: Db) -> None:
        self.db = db

    # ------------------------------------------------------------- writing
    def name_of(self, tid: int) -> str | None:
        """A tag's name now (None: deleted or merged away): a view follows a renamed tag by id."""
        return self.db.value("SELECT name FROM tags WHERE id = ?", (tid,))

    def find(self, name: str) -> int | None:
        return self.db.value("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", (name,))

    def id_of(self, name: str) -> int:
        """The tag's id, made when it does not exist yet."""
        name = clean_tag(name)
        tid = self.find(name)
        if tid is not None:
            return tid
        cur = self.db.execute("INSERT INTO tags(name) VALUES (?)", (name,))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def attach(self, pid: int, names: Iterable[str], *, refresh: bool = True) -> bool:
        """Give a paper tags; True when one was new.  ``refresh=False``: the caller
        refreshes its ``tags_text`` later (an import, once at its end)."""
        changed = False
        for t in names:
            if t.strip():
                changed = self.db.execute(_ATTACH_SQL, (pid, self.id_of(t))).rowcount > 0 or changed
        if changed and refresh:
            self.refresh_text([pid])
        return changed

    def attach_many(self, ids: Sequence[int], names: Sequence[str]) -> int:
        """Give every paper every tag; the number of (paper, tag) pairs that were new."""
        n = 0
        for t in names:
            tid = self.id_of(t)
            n += sum(self.db.execute(_ATTACH_SQL, (pid, tid)).rowcount for pid in ids)
        self.refresh_text(ids)
        return n

    def detach_many(self, ids: Sequence[int], names: Sequence[str]) -> int:
        n = 0
        for t in names:
            for marks, chunk in chunks(ids):
                n += self.db.execute(
                    f"DELETE FROM paper_tags WHERE paper_id IN ({marks}) AND tag_id IN "
                    "(SELECT id FROM tags WHERE name = ? COLLATE NOCASE)",
                    [*chunk, t],
                ).rowcount
        self.refresh_text(ids)
        return n

    def set_of(self, pid: int, names: Iterable[str]) -> None:
        """Make a paper's tags exactly these (undo, split)."""
        self.db.execute("DELETE FROM paper_tags WHERE paper_id = ?", (pid,))
        for name in names:
            self.db.execute(_ATTACH_SQL, (pid, self.id_of(name)))
        self.refresh_text([pid])

    def refresh_text(self, ids: Iterable[int]) -> None:
        # One UPDATE per 500 papers, not one per paper: the FTS trigger's work is
        # flushed once per statement.
        for marks, chunk in chunks(list(ids)):
            self.db.execute(_REFRESH_TEXT_SQL + f"WHERE id IN ({marks})", chunk)

    def rename(self, tid: int, new: str) -> None:
        self.db.execute("UPDATE tags SET name = ? WHERE id = ?", (new, tid))

    def delete(self, name: str) -> None:
        self.db.execute("DELETE FROM tags WHERE name = ? COLLATE NOCASE", (name,))

    def set_color(self, name: str, color: str | None) -> None:
        """``color``: ``#RGB``, ``#RRGGBB``, a colour name or none (``validation.clean_color``,
        which refuses anything else), stored as ``#rrggbb``."""
        self.db.execute("UPDATE tags SET color = ? WHERE name = ? COLLATE NOCASE", (clean_color(color), name))

    # ------------------------------------------------------------- reading
    def of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        """Each paper's tags, by name."""
        out: dict[int, list[str]] = {i: [] for i in ids}
        for marks, chunk in chunks(ids):
            for pid, name in self.db.q(
                f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE pt.paper_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
                chunk,
            ):
                out[pid].append(name)
        return out

    def papers_with(self, name: str) -> list[int]:
        return [pid for (pid,) in self.db.q(
            "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ? COLLATE NOCASE",
            (name,),
        )]

    def counts(self) -> list[tuple[str, int, str | None]]:
        """(name, papers not in the trash, colour) for every tag, by name.

        Counted in the tag index, minus the trashed papers' tags (the trash is
        small): joining every tagged paper's row to look at ``trashed_at`` took
        2.5 s for 700,000 tags at 1M papers, at every start of the app.
        """
        in_trash = dict(self.db.q(
            "SELECT pt.tag_id, count(*) FROM papers p INDEXED BY papers_trashed "
            "JOIN paper_tags pt ON pt.paper_id = p.id WHERE p.trashed_at IS NOT NULL GROUP BY pt.tag_id"
        ))
        return [
            (name, n - in_trash.get(tid, 0), color)
            for tid, name, n, color in self.db.q(
                "SELECT t.id, t.name, (SELECT count(*) FROM paper_tags pt WHERE pt.tag_id = t.id), t.color "
                "FROM tags t ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def listing(self) -> list[tuple[str, str | None]]:
        """(name, colour) of every tag, by name: ``counts`` without the counts."""
        return [(n, c) for n, c in self.db.q("SELECT name, color FROM tags ORDER BY name COLLATE NOCASE")]

    def names(self) -> list[str]:
        return [name for name, _ in self.listing()]

    def colors(self) -> dict[str, str]:
        """{case-folded name: colour} of the tags that have one."""
        return {n.casefold(): c for n, c in self.db.q("SELECT name, color FROM tags WHERE color IS NOT NULL")}
