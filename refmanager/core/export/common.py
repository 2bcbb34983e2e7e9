"""What every export shares: the refusal of values that are not data, the citation keys, the
fields kept as they came, and the markup patterns the importers use."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS, base_key, clean_key, suffix_at, unique  # noqa: F401
from ..dates import validate_iso_date
from ..errors import ParseError, RefManagerError
from ..fields import Paper
from ..validation import ID_FIELDS, valid_id

log = logging.getLogger(__name__)

#: CSL rich-text markup, as the CSL-JSON importer removes it (``formats.csljson._MARKUP``,
#: which a test checks is the same).
CSL_MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")
#: What the RIS importer takes for an HTML tag in a note (Zotero writes notes as HTML):
#: ``formats.common._HTML_TAG``, which a test checks is the same.
RIS_NOTE_TAG = re.compile(r"<[^>]+>")


class ExportRefused(RefManagerError):
    """A paper holds a value the format cannot write as data (an identifier that is none,
    from a library written before identifiers were checked on import): nothing is written
    (but the papers an export streamed to standard output wrote before it: ``checked``)."""


def value_problems(papers: Iterable[Paper]) -> Iterator[str]:
    """What ``check_values`` refuses in ``papers``, one message a value, in their order."""
    for p in papers:
        for field, what in ID_FIELDS.items():
            v = getattr(p, field)
            if v is not None and not valid_id(field, v):
                yield f"paper {p.id}: {field} {v!r} is not {what}"
        if p.date is not None and not _valid_date(p.date):
            yield f"paper {p.id}: date {p.date!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"


class Refusals:
    """The values refused in papers seen a part at a time (``add``): the first three and how
    many, so that ``check`` says what ``check_values`` says of all the papers at once."""

    def __init__(self) -> None:
        self.first: list[str] = []
        self.count = 0

    def add(self, papers: Iterable[Paper]) -> None:
        for problem in value_problems(papers):
            self.count += 1
            if len(self.first) < 3:
                self.first.append(problem)

    def check(self) -> None:
        if self.count:
            more = f" (and {self.count - 3} more)" if self.count > 3 else ""
            raise ExportRefused(
                "cannot export: " + "; ".join(self.first) + more + ". Correct the value (refmanager edit ID "
                "--doi/--arxiv-id/--category/--date, or clear it with '') and export again"
            )


def check_values(papers: Sequence[Paper]) -> None:
    """Refuse papers whose DOI, arXiv id, category or date is not what ``edit`` would
    store: BibTeX and RIS write these as they are (an identifier is not text to escape),
    so one holding ``}`` or a line break could end its field or record."""
    refusals = Refusals()
    refusals.add(papers)
    refusals.check()


def checked(chunks: Iterable[Sequence[Paper]]) -> Iterator[Sequence[Paper]]:
    """``chunks`` (papers read a part at a time), each once checked (``check_values``): at the
    first refused value the rest are read too, and the refusal is the one ``check_values``
    makes of all the papers at once (the first three values, and how many more)."""
    chunks = iter(chunks)
    for papers in chunks:
        refusals = Refusals()
        refusals.add(papers)
        if refusals.count:
            for rest in chunks:
                refusals.add(rest)
            refusals.check()
        yield papers


def _valid_date(date: str) -> bool:
    try:
        return validate_iso_date(date) == date
    except ParseError:
        return False


# ---------------------------------------------------------------- citation keys
def made_keys(keyless: Iterable[tuple[int | None, int, str]], taken: set[str]) -> list[tuple[int | None, int, str]]:
    """The keys of the papers that have none of their own (``citation_keys``' rule, its one
    implementation): ``keyless`` holds (paper id, position, base key) of each, ``taken`` the
    own keys, casefolded (at least those a made key could be: a base key, or one with a
    suffix).  (paper id, position, key) of each in paper-id order; ``taken`` gets the keys."""
    todo = sorted(keyless, key=lambda t: (not t[0], t[0] or 0, t[1]))
    base_set = {b.casefold() for _, _, b in todo}
    memo: dict[str, int] = {}  # (``taken`` only grows: ``unique``'s memo holds)
    return [(pid, pos, unique(key, taken, memo, also=base_set)) for pid, pos, key in todo]


def citation_keys(papers: Sequence[Paper], pattern: str = DEFAULT_KEY_PATTERN) -> list[str]:
    """One key per paper (same order): the paper's own (``citekey``: kept from its file or
    given when it was added, ``core/citekeys.py``), else one made from ``pattern``
    (``{author}`` first author's family name or team name, ``{year}``, ``{word}`` first
    significant title word, any literal text).  Made keys never take a paper's own key;
    papers sharing a made key get ``a``, ``b``... in paper-id order, the lowest id keeping
    the bare key."""
    keys = [clean_key(p.citekey) or "" for p in papers]
    keyless = [(p.id, i, base_key(p.authors or [], p.date, p.title, pattern))
               for i, p in enumerate(papers) if not keys[i]]
    for _, i, key in made_keys(keyless, {k.casefold() for k in keys if k}):
        keys[i] = key
    return keys


def streamed_keys(chunks: Iterable[Sequence[Paper]], pattern: str = DEFAULT_KEY_PATTERN) -> dict[int, str]:
    """The keys ``citation_keys`` makes for the papers without their own, by paper id, over
    papers read a part at a time (papers of a library: each with its own id, once).  Little
    is kept: each such paper's base key, and the others' own keys as one text a part (one
    line a key, ~17 bytes each), of which only those a made key could be go to ``made_keys``."""
    keyless: list[tuple[int | None, int, str]] = []
    own: list[str] = []
    pos = 0
    for papers in chunks:
        lines = []
        for p in papers:
            if k := clean_key(p.citekey):
                lines.append(k.casefold())  # (a key holds no line break: ``VALID_KEY``)
            else:
                keyless.append((p.id, pos, base_key(p.authors or [], p.date, p.title, pattern)))
            pos += 1
        own.append("\n".join(lines))
    if not keyless:
        return {}
    bases = {b.casefold() for _, _, b in keyless}
    taken = {k for text in own for k in text.split("\n") if k and _may_be_made(k, bases)}
    del own
    return {pid: key for pid, _, key in made_keys(keyless, taken) if pid is not None}


def _may_be_made(key: str, bases: set[str]) -> bool:
    """Could a made key be ``key`` (casefolded): one of ``bases``, or one with a suffix
    (``citekeys.suffix_at``: one or two letters, or a number)?"""
    if key in bases:
        return True
    if key[-1] in _SUFFIX_LETTERS and (key[:-1] in bases or (key[-2:-1] in _SUFFIX_LETTERS and key[:-2] in bases)):
        return True
    start = len(key)
    while start and key[start - 1] in _DIGITS:
        start -= 1
    return any(key[:cut] in bases for cut in range(start, len(key)))


_SUFFIX_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")


def keyed_chunks(chunks: Iterable[Sequence[Paper]], again: Callable[[], Iterable[Sequence[Paper]]],
                 pattern: str = DEFAULT_KEY_PATTERN, *, check: bool = False
                 ) -> Iterator[tuple[Sequence[Paper], list[str]]]:
    """``chunks`` (a library's papers read a part at a time), each with the keys
    ``citation_keys`` gives its papers among all of them; with ``check``, refused as
    ``check_values`` refuses all of them (``checked``).  A paper's own key is known from the
    paper; the first paper without one has all the papers read once more (``again()``: the
    same papers) for the keys made (``streamed_keys``), and checked first with ``check``."""
    made: dict[int, str] | None = None
    for papers in checked(chunks) if check else chunks:
        keys = [clean_key(p.citekey) or "" for p in papers]
        if made is None and not all(keys):
            refusals = Refusals()
            made = streamed_keys(_seen(again(), refusals if check else None), pattern)
            refusals.check()
        # (a paper without its key that the second reading saw with one: changed meanwhile)
        yield papers, [k or (made or {}).get(p.id or 0) or base_key(p.authors or [], p.date, p.title, pattern)
                       for k, p in zip(keys, papers)]


def _seen(chunks: Iterable[Sequence[Paper]], refusals: Refusals | None) -> Iterator[Sequence[Paper]]:
    for papers in chunks:
        if refusals is not None:
            refusals.add(papers)
        yield papers


def _kept(p: Paper, fmt: str) -> dict[str, Any]:
    """The fields kept as they came from ``fmt`` (``Paper.extras``), or {}."""
    kept = (p.extras or {}).get(fmt) if isinstance(p.extras, dict) else None
    return kept if isinstance(kept, dict) else {}


def _kept_values(v: Any) -> list[str]:
    """A RIS tag's values as kept: a list of strings (one string from elsewhere is one value)."""
    values = v if isinstance(v, list) else [v]
    return [x for x in values if isinstance(x, str) and x.strip()]

def _page_ends(pages: str | None) -> tuple[str | None, str | None]:
    """(first page, last page) of "12-34" / "12–34" / "12--34"; one page: (it, None)."""
    if not pages:
        return None, None
    m = re.fullmatch(r"\s*(\S+?)\s*[-–—]+\s*(\S+)\s*", pages)
    return (m.group(1), m.group(2)) if m else (pages.strip(), None)
