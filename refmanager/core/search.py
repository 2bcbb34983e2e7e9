"""The search box's language, turned into parameterised SQL.

    graph neural            words, each a prefix (as you type)
    "credit assignment"     a phrase
    author:mesnard          author:"Thomas Mesnard"
    tag:rl                  papers with that tag (case-insensitive)
    year:2020  year:2020..2024  year:..2019  year:2021..
    cat:cs.CL  cat:CL  cat:cs   (a bare archive matches all its categories)
    key:vaswani2017attention    a citation key (or a key of a paper merged into it); key:vaswani* a prefix
    type:book               an item type (CSL's names: book, chapter, paper-conference, thesis, ...)
    collection:Thesis       papers in a collection or its subcollections; a path: collection:"Thesis/Related work"
                            (a name without "/" also finds a collection of that name deeper down;
                            collection:/Thesis only the one at the top)
    fulltext:dropout        papers whose attached PDFs' text has the word (a prefix); fulltext:"a phrase"
    annotation:dropout      papers whose PDF annotations (highlighted text, comments, notes) have the word
    -word                   papers without that word

Anything a user types is safe: every FTS5 term is quoted (double quotes
doubled), qualifiers go into bound SQL parameters, and what cannot be
understood becomes a hint, never an exception.  A word before a colon that is
close to a qualifier (``autor:``, ``tags:``, ``yr:``) gets a hint ("did you mean
author:?") and is still searched as typed; other colons (``https://``, ``re:``)
are plain text without a hint.  A qualifier with nothing after it (``tag:``)
gets the hint its empty value gets and is left out, not searched as a word.
The command line refuses a query with a hint (exit 2); the app shows it under
the box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .categories import CATEGORY_NAMES, normalise_category_query
from .record import TYPES

QUALIFIERS = ("author", "tag", "year", "cat", "key", "type", "collection", "fulltext", "annotation")
#: ``fulltext:``: papers with an attachment whose indexed text (schema v12, ``store/fulltext.py``)
#: matches the FTS5 expression (the parameter).  Through ``attachments``: text no attachment owns
#: any more (detached, not yet forgotten) is never found, and a merge's papers keep their files'.
FULLTEXT_COND = (
    "p.id IN (SELECT a.paper_id FROM fulltext_fts f JOIN fulltext_pages fp ON fp.id = f.rowid "
    "JOIN attachments a ON a.id = fp.attachment_id WHERE fulltext_fts MATCH ?)"
)
#: ``annotation:``: papers with an annotation (schema v13, ``store/annotations.py``) whose quoted
#: text or comment matches the FTS5 expression (the parameter).
ANNOTATION_COND = (
    "p.id IN (SELECT a.paper_id FROM annotations_fts f JOIN annotations a ON a.id = f.rowid "
    "WHERE annotations_fts MATCH ?)"
)
#: A word with "search full text too" on (``View.fulltext``): in the paper's record, its PDFs' text
#: or its annotations.
_WORD_OR_FULLTEXT = ("(p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?) OR " + FULLTEXT_COND
                     + " OR " + ANNOTATION_COND + ")")
#: ``collection:``: the collections at that path (or of that name, for a name without "/"),
#: and every collection under them.  Parameters: the path, 1 when it holds no "/", the path.
_COLLECTION_COND = (
    "p.id IN (SELECT paper_id FROM collection_papers WHERE collection_id IN (WITH RECURSIVE "
    "paths(id, name, path) AS (SELECT id, name, name FROM collections WHERE parent_id IS NULL "
    "UNION ALL SELECT c.id, c.name, paths.path || '/' || c.name FROM collections c JOIN paths ON c.parent_id = paths.id), "
    "sub(id) AS (SELECT id FROM paths WHERE path = ? COLLATE NOCASE OR (? AND name = ? COLLATE NOCASE) "
    "UNION SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub))"
)
#: Words people type for one of ours (arXiv's ``au:``, plurals, synonyms): a hint names ours.
QUALIFIER_ALIASES = {
    "au": "author", "authors": "author", "by": "author", "tags": "tag", "yr": "year", "years": "year",
    "date": "year", "category": "cat", "categories": "cat", "keys": "key", "citekey": "key",
    "types": "type", "collections": "collection", "coll": "collection",
    "annotations": "annotation", "annot": "annotation", "highlight": "annotation", "comment": "annotation",
}
_BARE_QUALIFIER = re.compile(r"^(\w+):$")
_YEAR = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)("?)|(\S+))')


@dataclass
class ParsedQuery:
    """A query split into an FTS5 MATCH string and SQL conditions."""

    fts: str | None = None
    #: Every FTS term is cheap to test against one paper: a whole word or phrase, or a
    #: prefix of at most ``PREFIX_INDEX_MAX`` letters (FTS5's prefix index).  Then a
    #: view walking a sort index can ask the index about each paper it passes
    #: (library.py) instead of collecting every match first.  A longer prefix
    #: ("model*") would merge the lists of every word it starts, once per paper.
    probe_ok: bool = True
    #: A positive ``year:`` as dates (from, before or None), in a view sorted by
    #: date: the part of the date index it walks.
    date_range: tuple[str, str | None] | None = None
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    #: some condition reads the PDFs' full text (``fulltext:``, or words with ``fulltext=True``)
    fulltext: bool = False
    #: the positive terms looked for in the full text: where ``FullText.hits`` finds its pages
    fulltext_terms: list[str] = field(default_factory=list)

    @property
    def hint(self) -> str | None:
        return "; ".join(self.hints) if self.hints else None


#: The FTS index's prefix lengths (schema: ``prefix='1 2 3'``).
PREFIX_INDEX_MAX = 3
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _cheap_prefix(text: str) -> bool:
    """A prefix query on ``text`` uses the prefix index: its last token (as unicode61
    cuts it; ASCII only, to be sure) has at most PREFIX_INDEX_MAX characters."""
    if not text.isascii():
        return False
    tokens = _ASCII_TOKEN.findall(text)
    return bool(tokens) and len(tokens[-1]) <= PREFIX_INDEX_MAX


def fts_quote(text: str) -> str:
    """One FTS5 string: the text in double quotes, inner quotes doubled (a NUL
    would end the string for FTS5's parser: "unterminated string")."""
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of two neighbours counts one): ``autor`` is
    1 from ``author``, ``auhtor`` 1."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, prev2[j - 2] + 1)
            cur.append(d)
        prev2, prev = prev, cur
    return prev[-1]


def close_qualifier(word: str) -> str | None:
    """The qualifier ``word`` (typed before a colon, not one of ours) was probably meant to be,
    or None.  Close means a known alias, or one typo (two for a word of six letters or more:
    ``colection``, ``athor``) of a word of at least three letters, so that ``re:``, ``https:``
    or ``doi:`` stay plain text."""
    w = word.lower()
    if w in QUALIFIERS:
        return None
    if w in QUALIFIER_ALIASES:
        return QUALIFIER_ALIASES[w]
    if len(w) < 3 or not w.isalpha():
        return None
    best = min(QUALIFIERS, key=lambda q: (_edit_distance(w, q), q))
    allowed = 2 if len(best) >= 6 and len(w) >= 4 else 1
    return best if _edit_distance(w, best) <= allowed else None


def _hint(q: ParsedQuery, text: str) -> None:
    if text not in q.hints:
        q.hints.append(text)


def parse_query(text: str, *, date_sorted: bool = False, fulltext: bool = False) -> ParsedQuery:
    """``date_sorted``: the view is sorted by date, so ``year:`` also becomes a range
    of dates SQLite can seek in the date index.  (Not otherwise: then SQLite would
    take that range and sort a whole year's papers by another key — 0.8 s for
    ``year:2019..2021`` sorted by date added at a million papers.)  ``fulltext``:
    "search full text too": each plain word or phrase matches a paper whose record or
    attached PDFs' text has it (a condition of its own, not part of the FTS expression)."""
    q = ParsedQuery()
    positive: list[str] = []
    negative: list[str] = []
    text = text.strip()
    if text.count('"') % 2:
        q.hints.append("a quote is not closed: searching up to the end")
    for m in _TOKEN.finditer(text):
        neg, qual, quoted, closed, bare = m.groups()
        phrase = quoted is not None
        value = quoted if phrase else bare
        if value is None:
            continue
        if qual is None and not phrase and (bare_q := _BARE_QUALIFIER.match(value)) \
                and bare_q.group(1).lower() in QUALIFIERS:
            # "tag:" with nothing after it (or "tag: rl"): the hint its empty value gets,
            # rather than a search for the word "tag".
            qual, value = bare_q.group(1), ""
        if qual is not None and qual.lower() not in QUALIFIERS:
            # Not one of ours ("re:", "https:"): search the text as typed, with a hint
            # when it looks like a misspelt one of ours ("autor:").
            meant = close_qualifier(qual)
            if meant is not None:
                _hint(q, f"did you mean {meant}:? (there is no {qual}:)")
            value = f"{qual}:{value}"
            qual = None
        qual = qual.lower() if qual else None
        if qual == "author":
            if not _has_word(value):
                q.hints.append("author: needs a name")
                continue
            expr = "authors_text : " + (fts_quote(value) if phrase else fts_quote(value) + "*")
            (negative if neg else positive).append(expr)
            q.probe_ok = q.probe_ok and (phrase or _cheap_prefix(value))
        elif qual == "tag":
            if not value:
                q.hints.append("tag: needs a tag name")
                continue
            cond = (
                "p.id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE)"
            )
            q.where.append(("NOT " if neg else "") + cond)
            q.params.append(value)
        elif qual == "year":
            ym = _YEAR.match(value)
            if not value:
                q.hints.append("year: needs a year such as 2020 or 2020..2024")
                continue
            if not ym or (ym.group(1) is None and ym.group(3) is None):
                q.hints.append(f"year: expects 2020, 2020..2024, ..2019 or 2021.. (not {value!r})")
                continue
            lo, dots, hi = ym.groups()
            if not dots:
                hi = lo
            lo_i = int(lo) if lo else None
            hi_i = int(hi) if hi else None
            if lo_i is not None and hi_i is not None and lo_i > hi_i:
                lo_i, hi_i = hi_i, lo_i
            conds, ps = [], []
            if lo_i is not None:
                conds.append("p.year >= ?")
                ps.append(lo_i)
            if hi_i is not None:
                conds.append("p.year <= ?")
                ps.append(hi_i)
            if date_sorted and not neg:
                # The same papers as a range of dates (a paper's year is its date's
                # first four digits), which SQLite can seek in the date index: a
                # view sorted by date starts there instead of walking every later
                # paper first.  (Not for -year:, where papers without a date count.)
                lo_d, hi_d = f"{lo_i or 0:04d}", None
                conds.append("coalesce(p.date, '') >= ?")
                ps.append(lo_d)
                if hi_i is not None and hi_i < 9999:
                    hi_d = f"{hi_i + 1:04d}"
                    conds.append("coalesce(p.date, '') < ?")
                    ps.append(hi_d)
                if q.date_range is None:
                    q.date_range = (lo_d, hi_d)
            cond = "(" + " AND ".join(conds) + ")"
            q.where.append(("NOT " if neg else "") + cond)
            q.params.extend(ps)
        elif qual == "key":
            if not value:
                q.hints.append("key: needs a citation key")
                continue
            like = value.rstrip("*").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like += "%" if value.endswith("*") else ""
            cond = ("(p.citekey LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(p.citekey_aliases) "
                    "WHERE json_each.value LIKE ? ESCAPE '\\'))")
            q.where.append(("NOT " if neg else "") + cond)
            q.params.extend([like, like])
        elif qual == "collection":
            path = "/".join(" ".join(part.split()) for part in value.split("/") if part.strip())
            if not path:
                q.hints.append("collection: needs a collection's name or path")
                continue
            # (a leading "/": the path from the top, never a collection of that name deeper down)
            anywhere = "/" not in path and not value.strip().startswith("/")
            q.where.append(("NOT " if neg else "") + _COLLECTION_COND)
            q.params.extend([path, int(anywhere), path])
        elif qual == "fulltext":
            if not _has_word(value):
                q.hints.append('fulltext: needs a word or a "phrase"')
                continue
            expr = fts_quote(value) if phrase else fts_quote(value) + "*"
            q.where.append(("NOT " if neg else "") + FULLTEXT_COND)
            q.params.append(expr)
            q.fulltext = True
            if not neg:
                q.fulltext_terms.append(expr)
        elif qual == "annotation":
            if not _has_word(value):
                q.hints.append('annotation: needs a word or a "phrase"')
                continue
            q.where.append(("NOT " if neg else "") + ANNOTATION_COND)
            q.params.append(fts_quote(value) if phrase else fts_quote(value) + "*")
        elif qual == "type":
            t = value.strip().lower()
            if not t:
                q.hints.append("type: needs an item type such as book or paper-conference")
                continue
            if t not in TYPES:
                q.hints.append(f"type: one of {', '.join(TYPES)} (not {value!r})")
                continue
            q.where.append(("NOT " if neg else "") + "coalesce(p.type, 'article') = ?")
            q.params.append(t)
        elif qual == "cat":
            if not value:
                q.hints.append("cat: needs a category such as cs.CL")
                continue
            cat = normalise_category_query(value)
            if cat in CATEGORY_NAMES or "." in cat:
                cond, ps = "p.category = ?", [cat]
            else:
                # an archive such as "cs" or "q-bio": every category in it
                cond, ps = "(p.category = ? OR p.category LIKE ? ESCAPE '\\')", [
                    cat,
                    cat.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%",
                ]
            q.where.append(("NOT " if neg else "") + cond)
            q.params.extend(ps)
        else:
            if not _has_word(value):
                continue
            expr = fts_quote(value) if phrase else fts_quote(value) + "*"
            if fulltext:
                q.where.append(("NOT " if neg else "") + _WORD_OR_FULLTEXT)
                q.params.extend([expr, expr, expr])
                q.fulltext = True
                if not neg:
                    q.fulltext_terms.append(expr)
                continue
            (negative if neg else positive).append(expr)
            q.probe_ok = q.probe_ok and (phrase or _cheap_prefix(value))
    if positive:
        fts = " AND ".join(positive)
        if negative:
            fts = "(" + fts + ") NOT (" + " OR ".join(negative) + ")"
        q.fts = fts
    elif negative:
        q.where.append("p.id NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        q.params.append(" OR ".join(negative))
    return q
