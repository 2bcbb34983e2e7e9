"""When two records are one paper: the identity rules (docs/design.md, "Identity").

* The same arXiv id (any version) or the same DOI (without case, ``doi:`` and
  ``https://doi.org/`` removed) is the same paper.
* Two records with different DOIs, or different arXiv ids, are never one
  paper automatically.  arXiv's own DOIs (``10.48550/arXiv.<id>``) are arXiv
  ids, not a second DOI: a preprint and its journal version do not conflict.
* A title match is one paper only when nothing contradicts it: no id
  conflict, the first authors' family names agree (when both name authors),
  the years are within one (when both give one), and volume, issue and first
  page agree (when both give them).

``conflict`` says what contradicts a match, in words the user reads (the
import report and Find duplicates show it); None when nothing does.
Pure functions: the matcher and Find duplicates both use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .names import ascii_fold, split_name

_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.", re.IGNORECASE)
_FIRST_PAGE = re.compile(r"[A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Record:
    """What identity looks at in a paper or an imported entry."""

    arxiv_id: str | None = None
    doi: str | None = None
    first_author: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


def doi_key(doi: str | None) -> str | None:
    """The DOI as compared (lower case); None for arXiv's own DOIs (an arXiv id)."""
    if not doi or _ARXIV_DOI.match(doi):
        return None
    return doi.strip().lower()


@lru_cache(maxsize=1 << 16)
def family_key(name: str | None) -> str | None:
    """"Diederik P. Kingma" -> "kingma"; a team ("Gemma Team") is compared whole."""
    if not name or not name.strip():
        return None
    n = split_name(name)
    return ascii_fold(n.family if not n.literal else name) or None


def first_page(pages: str | None) -> str | None:
    """"123-130", "123–30", "e1234", "xii-xv" -> "123", "123", "e1234", "xii"."""
    if not pages:
        return None
    m = _FIRST_PAGE.search(pages)
    return m.group(0).lower() if m else None


def _part(value: str | None) -> str | None:
    return ascii_fold(value) or None if value else None


def id_conflict(a: Record, b: Record) -> str | None:
    """Different arXiv ids or different DOIs: never one paper automatically."""
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return f"different arXiv ids ({a.arxiv_id}, {b.arxiv_id})"
    da, db = doi_key(a.doi), doi_key(b.doi)
    if da and db and da != db:
        return f"different DOIs ({a.doi}, {b.doi})"
    return None


def conflict(a: Record, b: Record) -> str | None:
    """What says two records with the same title are two papers (None: nothing does)."""
    why = id_conflict(a, b)
    if why:
        return why
    fa, fb = family_key(a.first_author), family_key(b.first_author)
    if fa and fb and fa != fb:
        return f"different first authors ({a.first_author}, {b.first_author})"
    if a.year and b.year and abs(a.year - b.year) > 1:
        return f"years {a.year} and {b.year}"
    for label, x, y in (("volumes", a.volume, b.volume), ("issues", a.issue, b.issue)):
        kx, ky = _part(x), _part(y)
        if kx and ky and kx != ky:
            return f"different {label} ({x}, {y})"
    pa, pb = first_page(a.pages), first_page(b.pages)
    if pa and pb and pa != pb:
        return f"different pages ({a.pages}, {b.pages})"
    return None
