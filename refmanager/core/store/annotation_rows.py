"""A paper's annotation rows in its snapshot (schema v13): taken with the paper, put back by
undo, redo, a split or a merge taken back.

Kept apart from ``annotations.Annotations`` (the commands, which run through the history)
so that ``snapshots.py`` can take and restore them without importing the history.  A
snapshot's ``_annotations`` is a list of rows, each the values of ``COLUMNS`` in order; undo
compares them as a set (``changes.py``), so an edited annotation is one row removed and one
added.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .db import Db, chunks

#: An annotation row as a snapshot keeps it (the paper is the snapshot's).  Never reordered:
#: undo records in libraries hold rows of this shape.
COLUMNS = ("id", "file", "kind", "page", "rects", "color", "quote", "char_start", "char_end", "comment",
           "created_at", "modified_at")
_COLS = ", ".join(COLUMNS)


def rows_of(db: Db, ids: Sequence[int]) -> dict[int, list[list[Any]]]:
    """Each paper's annotation rows, by id (papers without any: an empty list)."""
    out: dict[int, list[list[Any]]] = {i: [] for i in ids}
    for marks, chunk in chunks(ids):
        for pid, *row in db.q(
            f"SELECT paper_id, {_COLS} FROM annotations WHERE paper_id IN ({marks}) ORDER BY paper_id, id", chunk
        ):
            out[pid].append(row)
    return out


def restore_rows(db: Db, pid: int, rows: Sequence[Sequence[Any]]) -> None:
    """Make a paper's annotations exactly ``rows``, touching only those that differ (each
    write is an FTS change and counts on the paper's version).  A row whose id belongs to
    another paper now (a merge put it there) comes back to this one: "this annotation
    belongs to this paper again", as attachments do."""
    want = {int(r[0]): list(r) for r in rows}
    have = {r[0]: list(r) for r in db.q(f"SELECT {_COLS} FROM annotations WHERE paper_id = ?", (pid,))}
    gone = [aid for aid, r in have.items() if want.get(aid) != r]
    for aid in gone:
        db.execute("DELETE FROM annotations WHERE id = ?", (aid,))
    for aid, r in want.items():
        if have.get(aid) == r:
            continue
        db.execute("DELETE FROM annotations WHERE id = ?", (aid,))  # (another paper's now: comes back)
        db.execute(
            f"INSERT INTO annotations(paper_id, {_COLS}) VALUES (?, {', '.join('?' * len(COLUMNS))})",
            (pid, *r),
        )
