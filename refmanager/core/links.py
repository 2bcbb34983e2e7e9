"""Which URLs a paper opens, and which URLs may be opened at all.

Only https URLs on an allow-list of hosts are ever opened (issue 6); the
Qt layer has one function that checks ``is_allowed`` before opening.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from .fields import Paper
from .textnorm import strip_ellipsis

ALLOWED_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org", "doi.org"})
#: Words of the abstract used to search for a paper that has no title.
OPENING_WORDS = 12


def is_allowed(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and (parts.hostname or "") in ALLOWED_HOSTS
        and parts.username is None
        and parts.password is None
        and parts.port in (None, 443)
    )


def opening_words(abstract: str | None, n: int = OPENING_WORDS) -> str:
    text, _ = strip_ellipsis(abstract or "")
    return " ".join(text.split()[:n])


def abs_url(paper: Paper) -> str:
    """The arXiv abstract page, or arXiv's search for the title (or opening words)."""
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    if paper.title:
        return "https://arxiv.org/search/?" + urlencode({"query": paper.title, "searchtype": "title"})
    return "https://arxiv.org/search/?" + urlencode({"query": opening_words(paper.abstract), "searchtype": "abstract"})


def pdf_url(paper: Paper) -> str | None:
    """arXiv's PDF; None when the paper has no arXiv id."""
    return f"https://arxiv.org/pdf/{paper.arxiv_id}" if paper.arxiv_id else None
