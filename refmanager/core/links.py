"""Which URLs a paper opens, and which URLs may be opened at all.

Only https URLs on an allow-list of hosts are ever opened (issue 6); the
Qt layer has one function that checks ``is_allowed`` before opening.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

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


def abs_url(paper: dict[str, Any]) -> str:
    """The arXiv abstract page, or arXiv's search for the title (or opening words)."""
    if paper.get("arxiv_id"):
        return f"https://arxiv.org/abs/{paper['arxiv_id']}"
    if paper.get("title"):
        return "https://arxiv.org/search/?" + urlencode({"query": paper["title"], "searchtype": "title"})
    return "https://arxiv.org/search/?" + urlencode(
        {"query": opening_words(paper.get("abstract")), "searchtype": "abstract"}
    )


def pdf_url(paper: dict[str, Any]) -> str | None:
    """arXiv's PDF; None when the paper has no arXiv id."""
    if paper.get("arxiv_id"):
        return f"https://arxiv.org/pdf/{paper['arxiv_id']}"
    return None


def doi_url(paper: dict[str, Any]) -> str | None:
    return f"https://doi.org/{paper['doi']}" if paper.get("doi") else None
