"""What an action changed, and how to take it back where it still holds.

An action's change is computed once, when it ends, from the papers and tag
rows before and after it: for a paper, the fields whose values changed (old,
new), the tags added and removed, and the rows of its tables (sources,
alternatives, attachments, merges, not-duplicate marks) added and removed; a
paper the action made or deleted is kept whole on the side it exists.  Tag
rows are compared by id (a rename changes a row; a new tag is a new row).

Undo applies a change backwards, redo forwards, each three-way against the
library as it is now: a field goes back only where it still holds the value
the action gave it; a field changed since by someone else (a later action
that was not undone, another program) is left as it is and named in the
answer.  Tag memberships and table rows are sets: taking back an added tag
removes it if it is there.  So undoing one action touches only what that
action changed (a note typed since is not wiped by undoing a tag), and never
raises for what moved meanwhile: the history cannot jam.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..fields import BY_NAME, COLUMNS
from ..rows import derived
from .db import now_iso
from .snapshots import LIST_KEYS, Snapshot

#: The fields an action changes and undo puts back, one by one: every column but the id,
#: the ones computed from others, the library's own times and the version.
FIELD_COLUMNS = tuple(
    c for c in COLUMNS
    if c not in ("id", "version") and not (BY_NAME[c].has("derived") or BY_NAME[c].has("stamp"))
) + ("note_modified_at",)
#: Fields put back without a word when they changed since (they follow others).
_QUIET = frozenset({"note_modified_at"})
#: Columns never compared when asking "is this paper as the action left it?"
_VOLATILE = frozenset({"modified_at", "version", "read"})

PaperChange = dict[str, Any]
TagRow = dict[str, Any] | None


def _key(row: Any) -> str:
    """A table row as a comparable, hashable value."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def diff_paper(before: Snapshot | None, after: Snapshot | None) -> PaperChange | None:
    """What an action did to one paper (None: nothing)."""
    if before is None and after is None:
        return None
    if before is None:
        return {"created": after}
    if after is None:
        return {"deleted": before}
    change: PaperChange = {}
    fields = {c: [before[c], after[c]] for c in FIELD_COLUMNS if before.get(c) != after.get(c)}
    if fields:
        change["fields"] = fields
    b_tags, a_tags = before.get("_tags", []), after.get("_tags", [])
    gone = [t for t in b_tags if t not in a_tags]
    new = [t for t in a_tags if t not in b_tags]
    if gone or new:
        change["tags"] = [gone, new]
    for key in LIST_KEYS:
        b_rows = {_key(r): r for r in before.get(key, [])}
        a_rows = {_key(r): r for r in after.get(key, [])}
        removed = [r for k, r in b_rows.items() if k not in a_rows]
        added = [r for k, r in a_rows.items() if k not in b_rows]
        if removed or added:
            change[key] = [removed, added]
    # (the library's own counters: kept with a change, no change alone)
    if change and before.get("modified_at") != after.get("modified_at"):
        change["modified_at"] = [before.get("modified_at"), after.get("modified_at")]
    if change and before.get("version") != after.get("version"):  # (a version alone is no change)
        change["version"] = [before.get("version"), after.get("version")]
    return change or None


def diff_tags(before: dict[int, TagRow], after: dict[int, TagRow]) -> dict[str, list[TagRow]]:
    """Tag rows (or the rows of another small table) the action made, deleted or changed:
    ``{id: [before, after]}``."""
    return {str(t): [before.get(t), after.get(t)] for t in set(before) | set(after) if before.get(t) != after.get(t)}


def same_paper(a: Snapshot | None, b: Snapshot | None) -> bool:
    """Two snapshots say the same paper (read status and the library's times aside)."""
    if a is None or b is None:
        return a is b
    return all(a.get(k) == b.get(k) for k in set(a) | set(b) if k not in _VOLATILE)


class Applied:
    """What applying a change (backwards or forwards) gives: the papers and tag rows to
    write, and what was left as it is, in words."""

    def __init__(self) -> None:
        self.papers: dict[str, Snapshot | None] = {}
        self.tags: dict[str, TagRow] = {}
        #: rows of the other small tables (``snapshots.ROW_TABLES``) to write, by table
        self.rows: dict[str, dict[str, TagRow]] = {}
        self.conflicts: list[str] = []


def apply(change: dict[str, Any], current: dict[int, Snapshot | None], current_tags: dict[int, TagRow],
          *, backwards: bool, names: dict[int, str],
          current_rows: dict[str, dict[int, TagRow]] | None = None) -> Applied:
    """The state after undoing (``backwards``) or redoing ``change`` on ``current``.
    ``names``: how to name a paper in a conflict ("paper 12 'Attention…'")."""
    out = Applied()
    i_from, i_to = (1, 0) if backwards else (0, 1)
    for pid_s, ch in (change.get("papers") or {}).items():
        pid = int(pid_s)
        cur = current.get(pid)
        name = names.get(pid, f"paper {pid}")
        if "created" in ch or "deleted" in ch:
            _whole(pid_s, ch, cur, backwards, name, out)
        elif cur is None:
            out.conflicts.append(f"{name} was deleted since: not changed")
        else:
            target = _fields(ch, cur, i_from, i_to, name, out.conflicts)
            if target is not None:
                out.papers[pid_s] = target
    _rows(change.get("tags") or {}, current_tags, i_from, i_to, "tag", out.tags, out.conflicts)
    for table, diff in (change.get("rows") or {}).items():
        what = "collection" if table == "collections" else "saved search"
        _rows(diff, (current_rows or {}).get(table, {}), i_from, i_to, what, out.rows.setdefault(table, {}),
              out.conflicts)
    return out


def _rows(diff: dict[str, list[TagRow]], current: dict[int, TagRow], i_from: int, i_to: int, what: str,
          out: dict[str, TagRow], conflicts: list[str]) -> None:
    """Rows of a small table (tags, collections, saved searches) taken back or put again:
    each only where it is still as the action left it."""
    for rid_s, pair in diff.items():
        frm, to = pair[i_from], pair[i_to]
        cur_row = current.get(int(rid_s))
        if cur_row == frm:
            out[rid_s] = to
        elif cur_row != to:
            name = (frm or to or {}).get("name", rid_s)
            conflicts.append(f"{what} {name!r} was changed since: left as it is")


def _whole(pid_s: str, ch: PaperChange, cur: Snapshot | None, backwards: bool, name: str, out: Applied) -> None:
    """A paper the action made (``created``) or deleted (``deleted``)."""
    made = "created" in ch
    snap = ch["created"] if made else ch["deleted"]
    remove = made == backwards  # undo a creation / redo a deletion
    if remove:
        if cur is None:
            return
        if snap is not None and not same_paper(cur, snap):
            out.conflicts.append(f"{name} was changed since: kept")
            return
        out.papers[pid_s] = None
    elif cur is None:
        out.papers[pid_s] = dict(snap)
    elif not same_paper(cur, snap):
        out.conflicts.append(f"{name} exists again: left as it is")


def _fields(ch: PaperChange, cur: Snapshot, i_from: int, i_to: int, name: str,
            conflicts: list[str]) -> Snapshot | None:
    target = dict(cur)
    changed = clean = False
    n_conflicts = len(conflicts)
    for col, pair in (ch.get("fields") or {}).items():
        frm, to = pair[i_from], pair[i_to]
        if cur.get(col) == frm:
            target[col] = to
            changed = True
        elif cur.get(col) != to and col not in _QUIET:
            conflicts.append(f"{name}: its {col.replace('_', ' ')} was changed since: left as it is")
    clean = len(conflicts) == n_conflicts
    if "tags" in ch:
        frm, to = ch["tags"][i_from], ch["tags"][i_to]  # (removed, added) going this way: to-from
        tags = [t for t in cur.get("_tags", []) if t not in frm or t in to]
        tags += [t for t in to if t not in tags]
        if tags != cur.get("_tags", []):
            target["_tags"] = tags
            changed = True
    for key in LIST_KEYS:
        if key in ch:
            drop = {_key(r) for r in ch[key][i_from]}
            rows = [r for r in cur.get(key, []) if _key(r) not in drop]
            have = {_key(r) for r in rows}
            rows += [r for r in ch[key][i_to] if _key(r) not in have]
            if rows != cur.get(key, []):
                target[key] = rows
                changed = True
    if not changed:
        return None
    authors = target["authors"]
    target.update(derived(target["title"], json.loads(authors) if isinstance(authors, str) else authors,
                          target["date"], target["abstract"]))
    version = ch.get("version")
    if clean and version and cur.get("version") == version[i_from]:
        # Taken back whole, and nothing else changed it since: the paper is again as it was
        # at that version (an import's undo asks whether its papers are as it made them).
        target["_version"] = version[i_to]
    elif clean and not version:
        target["_version"] = cur.get("version")  # (the action did not count as a change: nor does this)
    stamp = ch.get("modified_at")
    if not clean:
        target["modified_at"] = now_iso()
    elif stamp and cur.get("modified_at") == stamp[i_from]:
        target["modified_at"] = stamp[i_to]  # (all of it taken back, nothing changed since: its time too)
    elif stamp:
        target["modified_at"] = now_iso()
    return target


def size_of(change: dict[str, Any]) -> int:
    """How many papers a change touches (for the history's size policy and labels)."""
    return len(change.get("papers") or {})


def changed_ids(change: dict[str, Any]) -> list[int]:
    return [int(p) for p in change.get("papers") or {}]


def of_snapshots(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A change from an undo record of the older kind (whole snapshots before and after,
    tag rows by id): the same change, computed once, when it is first needed."""
    papers: dict[str, Any] = {}
    b_papers, a_papers = before.get("papers") or {}, after.get("papers") or {}
    for pid_s in set(b_papers) | set(a_papers):
        ch = diff_paper(b_papers.get(pid_s), a_papers.get(pid_s))
        if ch:
            papers[pid_s] = ch
    b_tags = {int(k): v for k, v in (before.get("tags") or {}).items()}
    a_tags = {int(k): v for k, v in (after.get("tags") or {}).items()}
    return {"v": 2, "papers": papers, "tags": diff_tags(b_tags, a_tags)}


def sequence(ids: Iterable[int]) -> Sequence[int]:
    return list(dict.fromkeys(ids))
