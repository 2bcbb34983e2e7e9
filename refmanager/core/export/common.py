"""What every export shares: the refusal of values that are not data, the citation keys, the
fields kept as they came, and the markup patterns the importers use."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS, base_key, clean_key, suffixes  # noqa: F401
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
    from a library written before identifiers were checked on import): nothing is written."""


def check_values(papers: Sequence[Paper]) -> None:
    """Refuse papers whose DOI, arXiv id, category or date is not what ``edit`` would
    store: BibTeX and RIS write these as they are (an identifier is not text to escape),
    so one holding ``}`` or a line break could end its field or record."""
    bad: list[str] = []
    for p in papers:
        for field, what in ID_FIELDS.items():
            v = getattr(p, field)
            if v is not None and not valid_id(field, v):
                bad.append(f"paper {p.id}: {field} {v!r} is not {what}")
        if p.date is not None and not _valid_date(p.date):
            bad.append(f"paper {p.id}: date {p.date!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise ExportRefused(
            "cannot export: " + "; ".join(bad[:3]) + more + ". Correct the value (refmanager edit ID "
            "--doi/--arxiv-id/--category/--date, or clear it with '') and export again"
        )


def _valid_date(date: str) -> bool:
    try:
        return validate_iso_date(date) == date
    except ParseError:
        return False


# ---------------------------------------------------------------- citation keys
def citation_keys(papers: Sequence[Paper], pattern: str = DEFAULT_KEY_PATTERN) -> list[str]:
    """One key per paper (same order): the paper's own (``citekey``: kept from its file or
    given when it was added, ``core/citekeys.py``), else one made from ``pattern``
    (``{author}`` first author's family name or team name, ``{year}``, ``{word}`` first
    significant title word, any literal text).  Made keys never take a paper's own key;
    papers sharing a made key get ``a``, ``b``... in paper-id order, the lowest id keeping
    the bare key."""
    own = [clean_key(p.citekey) for p in papers]
    taken = {k.casefold() for k in own if k}
    bases = [base_key(p.authors or [], p.date, p.title, pattern) for p in papers]
    base_set = {b.casefold() for b, k in zip(bases, own) if not k}
    keys = [k or "" for k in own]
    for i in sorted(range(len(papers)), key=lambda i: (not papers[i].id, papers[i].id or 0, i)):
        if own[i]:
            continue
        key = bases[i]
        if key.casefold() in taken:
            key = next(key + s for s in suffixes()
                       if (key + s).casefold() not in taken and (key + s).casefold() not in base_set)
        taken.add(key.casefold())
        keys[i] = key
    return keys




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
