"""Which paper an imported entry is: the identity rules of an import.

Matching order: arXiv id, DOI, normalised title (``title_key``; a title the
user replaced still counts, ``Alternatives.title_match``), then the abstract
prefix (at least ``ABSTRACT_KEY_CHARS`` characters: a profile line merges
only when exactly one paper matches; two titled papers never merge by
abstract alone).  A candidate is taken only when nothing contradicts it
(``identity``): an id match when the other ids agree, a title match when
the ids, first authors, years, volume, issue and pages do, and, within one
file, when the citation keys do.  A candidate refused is reported with the
reason (``Match.apart``); Find duplicates lists the pair.  One ``Matcher``
serves one import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fields import ABSTRACT_KEY_CHARS, ABSTRACT_PREFIX_SQL
from ..identity import Record, conflict, id_conflict
from ..rows import Prepared
from ..textnorm import abstract_key
from .alternatives import Alternatives
from .db import Db


class ImportKeys:
    """Every arXiv id, DOI, title key and abstract-key prefix written by an import
    into an empty library (a superset: a file rolled back leaves its keys).  An
    entry with none of them cannot match a paper, which spares two or three
    indexed lookups an entry (~5% of writing a large first import).

    The keys are held as their ``hash()``: "may match" may be wrong the other way (two
    keys with one hash: the lookups then decide), and the papers' key strings are not
    kept alive (~20 MB of the writing process per 100,000 papers)."""

    __slots__ = ("arxiv", "doi", "title", "prefix", "prefix_untitled")

    def __init__(self) -> None:
        self.arxiv: set[int] = set()
        self.doi: set[int] = set()  # lower-cased: what NOCASE calls equal is equal here
        self.title: set[int] = set()
        self.prefix: set[int] = set()
        self.prefix_untitled: set[int] = set()  # (a titled entry merges by abstract into those only)

    def add(self, arxiv_id: str | None, doi: str | None, tkey: str | None, akey: str | None, titled: bool) -> None:
        if arxiv_id:
            self.arxiv.add(hash(arxiv_id))
        if doi:
            self.doi.add(hash(doi.lower()))
        if tkey:
            self.title.add(hash(tkey))
        if akey and len(akey) >= ABSTRACT_KEY_CHARS:
            h = hash(akey[:ABSTRACT_KEY_CHARS])
            self.prefix.add(h)
            if not titled:
                self.prefix_untitled.add(h)

    def may_match(self, e: Prepared) -> bool:
        lo = e.akey_prefix
        return bool(
            (e.values.arxiv_id and hash(e.values.arxiv_id) in self.arxiv)
            or (e.values.doi and hash(e.values.doi.lower()) in self.doi)
            or (e.tkey and hash(e.tkey) in self.title)
            or (lo and len(lo) >= ABSTRACT_KEY_CHARS
                and hash(lo[:ABSTRACT_KEY_CHARS]) in (self.prefix_untitled if e.values.titled else self.prefix))
        )


#: The columns of a candidate the identity rules read, as ``_record`` takes them (a paper known
#: only from a profile line names its owner, not its first author).
RECORD_COLUMNS = (
    "id, arxiv_id, doi, CASE WHEN incomplete THEN NULL ELSE json_extract(authors, '$[0]') END, year, volume, "
    "issue, pages"
)



def _record(row: tuple) -> Record:  # type: ignore[type-arg]
    return Record(*row[1:])


class _LazyRecord:
    """The entry's ``Record``, made when a candidate needs it (most entries have none)."""

    __slots__ = ("e", "r")

    def __init__(self, e: Prepared) -> None:
        self.e = e
        self.r: Record | None = None

    def get(self) -> Record:
        if self.r is None:
            self.r = self.e.record()
        return self.r


@dataclass
class Match:
    """What ``Matcher.find`` says of an entry."""

    #: the paper it is (None: a new paper)
    pid: int | None = None
    #: how it was found: "arxiv_id", "doi", "title", "abstract"
    how: str | None = None
    #: several papers it could be (by abstract): none is taken
    ambiguous: list[int] = field(default_factory=list)
    #: papers it shares an id or title with but is not (and why)
    apart: list[tuple[int, str]] = field(default_factory=list)
    #: the paper that has the entry's arXiv id but is another paper (its DOI differs): the
    #: entry comes in as its own paper, its arXiv id kept as an alternative (one paper per id)
    arxiv_taken_by: int | None = None


#: Papers sharing a title that an entry is compared with, at most (a journal's "Editorial"
#: or "Calendar" may have hundreds: each entry would read them all, quadratic in the
#: import).  Past them a title match is not looked for: the entry is added, and Find
#: duplicates can still list it.  docs/reliability.md.
TITLE_CANDIDATES = 500


class Matcher:
    """Finds the paper an entry is, for one import.

    ``keys``: the import started in an empty library (see ``ImportKeys``);
    ``aliases``: some paper keeps a replaced title (else none is looked for).
    """

    def __init__(self, db: Db, alternatives: Alternatives, *, keys: ImportKeys | None, aliases: bool) -> None:
        self.db = db
        self.alternatives = alternatives
        self.keys = keys
        self.aliases = aliases

    def written(self, pid: int) -> None:
        """A paper of this import was written or took new keys (a merge)."""
        if self.keys is not None:
            self.keys.add(*self.db.one(
                f"SELECT arxiv_id, doi, title_key, {ABSTRACT_PREFIX_SQL}, title IS NOT NULL FROM papers WHERE id = ?",
                (pid,),
            ))

    def added(self, e: Prepared) -> None:
        """A new paper was made from ``e``."""
        if self.keys is not None:
            r = e.row
            self.keys.add(r.arxiv_id, r.doi, r.title_key, r.abstract_key, r.title is not None)

    def nothing_to_find(self, e: Prepared) -> bool:
        """No paper has any of the entry's keys (known without a lookup: see ``ImportKeys``)."""
        return self.keys is not None and not self.aliases and not self.keys.may_match(e)

    def find(self, e: Prepared, file_keys: dict[int, str] | None = None) -> Match:
        """The paper an entry is.  ``file_keys``: the papers the entry's own file
        made or merged into so far, with their records' citation keys (two
        records of one file with different keys are two papers unless an id
        says otherwise)."""
        v = e.values
        if self.nothing_to_find(e):
            return Match()
        apart: list[tuple[int, str]] = []
        mine = _LazyRecord(e)
        taken_arxiv: int | None = None
        for column, value, nocase in (("arxiv_id", v.arxiv_id, ""), ("doi", v.doi, " COLLATE NOCASE")):
            if not value:
                continue
            for row in self.db.q(f"SELECT {RECORD_COLUMNS} FROM papers WHERE {column} = ?{nocase} ORDER BY id", (value,)):
                why = id_conflict(_record(row), mine.get())
                if why is None:
                    return Match(row[0], column, apart=apart)
                apart.append((row[0], why))
                if column == "arxiv_id":
                    taken_arxiv = row[0]
        tkey = e.tkey
        if tkey:
            rows = list(self.db.q(
                f"SELECT {RECORD_COLUMNS} FROM papers WHERE title_key = ? ORDER BY id LIMIT {TITLE_CANDIDATES}",
                (tkey,),
            ))
            alias = self.alternatives.title_match(tkey, v.arxiv_id) if self.aliases else None
            if alias is not None and all(r[0] != alias for r in rows):
                rows += list(self.db.q(f"SELECT {RECORD_COLUMNS} FROM papers WHERE id = ?", (alias,)))
            for row in rows:
                pid = row[0]
                if any(pid == p for p, _ in apart):
                    continue
                why = conflict(_record(row), mine.get())
                if why is None and file_keys and v.citekey and file_keys.get(pid, v.citekey) != v.citekey:
                    why = f"another entry of the same file (citation keys {file_keys[pid]}, {v.citekey})"
                if why is None:
                    return Match(pid, "title", apart=apart)
                apart.append((pid, why))
        pid, ambiguous = self._by_abstract(e)
        return Match(pid, "abstract" if pid is not None else None, ambiguous, apart, taken_arxiv)

    def _by_abstract(self, e: Prepared) -> tuple[int | None, list[int]]:
        lo = e.akey_prefix
        if not lo or len(lo) < ABSTRACT_KEY_CHARS:
            return None, []
        lo = lo[:ABSTRACT_KEY_CHARS]
        titled = e.values.titled
        # The prefix indexes (schema v3) hold 40 characters, not whole abstracts.
        # A titled entry can only merge into an untitled paper (see below), so
        # it looks at those alone: thousands of abstracts opening with "Large
        # language models (LLMs) have ..." must not be read for every entry.
        # The column holds the key's first 40 characters (older libraries: all
        # of it); the whole key of the few papers sharing them is computed here.
        sql = (
            "SELECT id, abstract, title FROM papers "
            + ("INDEXED BY papers_abstract_prefix_untitled " if titled else "")
            + f"WHERE {ABSTRACT_PREFIX_SQL} = ?"
            + (" AND title IS NULL" if titled else "")
        )
        found = sorted((abstract_key(abstract) or "", pid, title) for pid, abstract, title in self.db.q(sql, (lo,)))
        akey = (e.akey or "") if found else ""
        cands = []
        for ak, pid, title in found:
            if len(ak) < ABSTRACT_KEY_CHARS or not (ak.startswith(akey) or akey.startswith(ak)):
                continue
            if titled and title is not None:
                continue  # two titled papers never merge by abstract alone
            cands.append(pid)
        if len(cands) == 1:
            return cands[0], []
        if len(cands) > 1:
            return None, cands
        return None, []
