"""Finding papers that look like one paper, never comparing all pairs.

Groups by arXiv id, DOI, ``title_key`` and ``title_key`` without spaces;
titles over 30 characters compared with difflib (>= 0.95) only inside blocks
sharing their first or last three words, 40 neighbours by length, after cheap
filters (numbers must agree, few words differ, a differing CamelCase or
capitalised word is a name, not a typo); abstract prefixes in one pass over
the sorted ``abstract_key`` values.  Pairs the user marked "not a duplicate" never
come back.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..errors import RefManagerError
from ..fields import ABSTRACT_KEY_CHARS, ABSTRACT_PREFIX_SQL, what
from ..identity import Record, conflict, id_conflict
from ..textnorm import abstract_key, title_key
from .db import chunks, now_iso
from .history import History
from .matching import RECORD_COLUMNS
from .papers import Papers

#: Titles at least this long may match by similarity ...
SIMILAR_TITLE_MIN_CHARS = 30
#: ... when difflib's ratio of their title keys is at least this.
SIMILAR_TITLE_RATIO = 0.95
#: Each title is compared with at most this many others of its block (keeps 100k papers fast).
SIMILAR_TITLE_WINDOW = 40
#: A group of papers sharing one key gives at most this many pairs (each with the first).
GROUP_PAIRS = 50
#: Reasons, strongest first (the order of ``find``'s answer).
DUPLICATE_REASONS = (
    "same arXiv id", "same DOI", "same title", "same title apart from spaces and punctuation",
    "similar title", "same abstract", "one abstract is the start of the other",
)
_DIGITS = re.compile(r"\d+")
#: Reasons that ``_qualify`` checks against the identity rules.
_QUALIFIED = frozenset(DUPLICATE_REASONS[:5])
_BY_ID = frozenset(DUPLICATE_REASONS[:2])


def _names_differ(diff: set[str], *titles: str) -> bool:
    """Do two similar titles differ in a name (``MegaFormer``/``MetaFormer``, ``BERT``) rather
    than in a typo?  Names are CamelCase or capitals; typos hit ordinary words."""
    for title in titles:
        for tok in title.split():
            if title_key(tok) in diff and any(c.isupper() for c in tok[1:]):
                return True
    return False


class Duplicates:
    def __init__(self, papers: Papers, history: History) -> None:
        self.papers = papers
        self.db = papers.db
        self.history = history

    def find(self, limit: int | None = 200) -> list[tuple[int, int, str]]:
        """Pairs (a < b) of papers outside the trash that look like one paper, strongest first.

        Same arXiv id or DOI; the same title key, or the same once spaces go, or (titles over
        30 characters) difflib ratio >= 0.95 within blocks of titles sharing their first or last
        three words; one abstract the start of the other (>= 40 characters).  Papers with two
        different arXiv ids are different papers, unless their DOI says otherwise.  Pairs
        marked with ``mark_not_duplicate`` never come back.  Never compares all pairs.
        """
        ignored = {(a, b) for a, b in self.db.q("SELECT a, b FROM not_duplicates")}
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
        aids.update(self.db.q(f"SELECT id, arxiv_id FROM papers WHERE {live} AND arxiv_id IS NOT NULL"))
        groups(([int(x) for x in g.split(",")] for (g,) in self.db.q(
            f"SELECT group_concat(id) FROM papers WHERE {live} AND arxiv_id IS NOT NULL "
            "GROUP BY arxiv_id HAVING count(*) > 1")), "same arXiv id", False)
        # (a paper kept apart from another one with its arXiv id, the id kept as an alternative)
        groups(([a, b] for a, b in self.db.q(
            "SELECT p.id, x.paper_id FROM alternatives x JOIN papers p ON p.arxiv_id = json_extract(x.value, '$') "
            f"JOIN papers q ON q.id = x.paper_id WHERE x.field = 'arxiv_id' AND p.{live} AND q.{live}")),
            "same arXiv id", False)
        groups(([int(x) for x in g.split(",")] for (g,) in self.db.q(
            f"SELECT group_concat(id) FROM papers WHERE {live} AND doi IS NOT NULL "
            "GROUP BY lower(doi) HAVING count(*) > 1")), "same DOI", False)
        titles: list[tuple[int, str, str]] = [
            (pid, tkey, title) for pid, tkey, title in self.db.q(
                f"SELECT id, title_key, title FROM papers WHERE {live} AND title_key IS NOT NULL ORDER BY id"
            )
        ]
        by_key: dict[str, list[int]] = defaultdict(list)
        by_compact: dict[str, list[int]] = defaultdict(list)
        for pid, tkey, _ in titles:
            by_key[tkey].append(pid)
            by_compact[tkey.replace(" ", "")].append(pid)
        # (with different arXiv ids too: an import kept them apart and says so; the user decides)
        groups(by_key.values(), "same title", False)
        groups(by_compact.values(), "same title apart from spaces and punctuation")
        if not full:
            self._similar_titles(titles, add)
        if not full:
            self._abstract_prefixes(add)
        self._qualify(found)
        rank = DUPLICATE_REASONS.index
        return [(a, b, r) for (a, b), r in sorted(found.items(), key=lambda kv: (rank(kv[1].split(";")[0]), kv[0]))]

    def _qualify(self, found: dict[tuple[int, int], str]) -> None:
        """Say what speaks against a pair the import kept apart (``identity.conflict``):
        "same title; years 2007 and 2010: possibly two papers"."""
        pairs = [k for k, r in found.items() if r in _QUALIFIED]
        ids = sorted({i for pair in pairs for i in pair})
        records: dict[int, Record] = {}
        for marks, chunk in chunks(ids):
            for row in self.db.q(
                f"SELECT {RECORD_COLUMNS} FROM papers WHERE id IN ({marks})", chunk,
            ):
                records[row[0]] = Record(*row[1:])
        for a, b in pairs:
            rule = id_conflict if found[(a, b)] in _BY_ID else conflict  # (an id says "one paper" on its own)
            why = rule(records[a], records[b])
            if why:
                found[(a, b)] = f"{found[(a, b)]}; {why}: possibly two papers"

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
        n = ABSTRACT_KEY_CHARS
        prefix = ABSTRACT_PREFIX_SQL  # the expression of the index papers_abstract_prefix
        # (The column holds the key's first 40 characters, in older libraries all of it:
        # whole keys are computed from the abstracts of the groups.)
        cur = self.db.execute(
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
        """Remember that two papers are different: ``find`` never pairs them again."""
        if a == b:
            raise RefManagerError("a paper is always the same as itself")
        pa, pb = self.papers.need(a), self.papers.need(b)
        lo, hi = min(a, b), max(a, b)
        with self.history.action(f"Mark {what(pa)} and {what(pb)} as different papers", [lo, hi]):
            self.db.execute("INSERT OR IGNORE INTO not_duplicates(a, b, at) VALUES (?, ?, ?)", (lo, hi, now_iso()))
