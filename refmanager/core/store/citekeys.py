"""Citation keys in the library (``core/citekeys.py`` says the rules): the library's key
pattern, keys for papers that have none (a library made before keys were stored), and
"Regenerate citation key" — the only way a key changes but typing it."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_FIELDS, base_key, clean_key, unique, with_alias
from ..fields import dumps
from .db import Db, chunks
from .history import History

log = logging.getLogger(__name__)

#: The library setting holding the key pattern.
PATTERN_SETTING = "citekey_pattern"


class CiteKeys:
    def __init__(self, db: Db, history: History) -> None:
        self.db = db
        self.history = history

    def pattern(self) -> str:
        v = self.db.value("SELECT value FROM settings WHERE key = ?", (PATTERN_SETTING,))
        return v if v and KEY_FIELDS.search(v) else DEFAULT_KEY_PATTERN

    def set_pattern(self, pattern: str) -> None:
        """The pattern new keys follow (``{author}``, ``{year}``, ``{word}`` and any text)."""
        with self.db.transaction():
            self.db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                            (PATTERN_SETTING, pattern if KEY_FIELDS.search(pattern or "") else DEFAULT_KEY_PATTERN))

    def _taken(self, but: Sequence[int] = ()) -> set[str]:
        skip = set(but)
        return {k.casefold() for pid, k in self.db.q("SELECT id, citekey FROM papers WHERE citekey IS NOT NULL")
                if pid not in skip}

    def _generated(self, ids: Sequence[int], taken: set[str], *, file_keys: bool) -> dict[int, str]:
        """New keys for ``ids`` in id order (the oldest paper keeps the bare key)."""
        pattern = self.pattern()
        out: dict[int, str] = {}
        memo: dict[str, int] = {}
        for marks, chunk in chunks(sorted(ids)):
            rows = self.db.q(
                f"SELECT p.id, p.authors, p.date, p.title, "
                f"(SELECT json_extract(s.data, '$.citekey') FROM sources s WHERE s.paper_id = p.id "
                f" AND s.data IS NOT NULL ORDER BY s.id LIMIT 1) "
                f"FROM papers p WHERE p.id IN ({marks}) ORDER BY p.id", chunk)
            for pid, authors, date, title, from_file in rows:
                wanted = (clean_key(from_file) if file_keys else None) or base_key(
                    json.loads(authors or "[]"), date, title, pattern)
                out[pid] = unique(wanted, taken, memo)
        return out

    def missing(self) -> bool:
        return self.db.one("SELECT 1 FROM papers WHERE citekey IS NULL LIMIT 1") is not None

    def fill_missing(self) -> int:
        """Give every paper without a key one: the key its BibTeX file gave, else a generated
        one (as exports wrote before keys were stored).  Not an undoable action: the
        library's own upkeep when it is first opened by a version that stores keys."""
        with self.db.transaction():
            ids = [pid for (pid,) in self.db.q("SELECT id FROM papers WHERE citekey IS NULL ORDER BY id")]
            keys = self._generated(ids, self._taken(), file_keys=True)
            self.db.executemany("UPDATE papers SET citekey = ? WHERE id = ?", [(k, pid) for pid, k in keys.items()])
        if keys:
            log.info("gave %d papers a citation key", len(keys))
        return len(keys)

    def regenerate(self, ids: Sequence[int]) -> dict[int, str]:
        """New keys from the papers' fields and the library's pattern, for these papers only
        (one undoable action); the old keys are kept as aliases (``key:`` finds them)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        label = "Regenerate citation key" + (f"s of {len(ids)} papers" if len(ids) > 1 else "")
        with self.history.action(label, ids):
            old = dict(self.db.q(
                f"SELECT id, citekey FROM papers WHERE id IN ({','.join('?' * len(ids))})", ids))
            self.db.executemany("UPDATE papers SET citekey = NULL WHERE id = ?", [(i,) for i in ids])
            keys = self._generated(ids, self._taken(but=ids), file_keys=False)
            for pid, key in keys.items():
                prev = old.get(pid)
                if prev and prev.casefold() != key.casefold():
                    self.add_alias(pid, prev)
                self.db.execute("UPDATE papers SET citekey = ? WHERE id = ?", (key, pid))
        return keys

    def add_alias(self, pid: int, key: str) -> None:
        """Keep ``key`` as another key of the paper (a merged paper's, a re-imported entry's)."""
        row = self.db.one("SELECT citekey, citekey_aliases FROM papers WHERE id = ?", (pid,))
        if row is None:
            return
        aliases = json.loads(row[1] or "[]")
        new = with_alias(aliases, key, row[0])
        if new != aliases:
            self.db.execute("UPDATE papers SET citekey_aliases = ? WHERE id = ?", (dumps(new), pid))
