"""arXiv identifiers on title/author lines (``arxivid.find_token``)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core.arxivid import TOKEN_RE, find_token

from .conftest import examples


def find_token_by_regex(text: str) -> tuple[str | None, str]:
    """``find_token`` without its shortcut (no regex search for a line without "arx")."""
    m = TOKEN_RE.search(text)
    if not m:
        return None, text
    rest = (text[: m.start()] + " " + text[m.end():]).strip()
    return m.group("id"), re.sub(r"\s{2,}", " ", rest)


PIECES = st.sampled_from([
    "arXiv:", "ARXIV:", "ArXiv: ", "arxıv:", "arxİv:", "aRx", "https://arxiv.org/abs/", "http://export.arxiv.org/pdf/",
    "HTTPS://ARXIV.ORG/ABS/", "2408.00118", "v2", ".pdf", "/", "hep-th/9901001", " ", "Gemma Team", "ﬁ", "Ⓐ", "x",
])


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(PIECES, max_size=8).map("".join))
def test_the_shortcut_finds_what_the_regex_finds(text: str):
    assert find_token(text) == find_token_by_regex(text)


def test_tokens_in_any_case_are_found_and_removed():
    assert find_token("Gemma 2 ARXIV:2408.00118v2 Gemma Team") == ("2408.00118", "Gemma 2 Gemma Team")
    assert find_token("Gemma 2ARXIV:2408.00118") == (None, "Gemma 2ARXIV:2408.00118")  # (no word boundary)
    assert find_token("Title https://arxiv.org/abs/2401.00001 Ana Lima") == ("2401.00001", "Title Ana Lima")
    # the dotless ı matches i under IGNORECASE: still a token
    assert find_token("Title arxıv:2401.00001 Ana Lima") == ("2401.00001", "Title Ana Lima")
    assert find_token("RecurrentGemma: Moving Past TransformersAleksandar Botev") == (
        None, "RecurrentGemma: Moving Past TransformersAleksandar Botev"
    )
