"""``rows``: what is stored for an entry, computed the quick way, equals the plain way."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core.fields import ABSTRACT_KEY_CHARS
from refmanager.core.rows import abstract_prefix
from refmanager.core.textnorm import abstract_key

from .conftest import examples

PIECES = st.sampled_from([
    "Large", " language", " models", " (LLMs)", "  ", "\t", "\n", " ", "e\u0301", "ß", "\u00a0", "…", "...",
    "ﬁ", "Ⅻ", "`quoted'", "\u201cq\u201d", "x" * 50, " " * 120, "Ǆ", "İ",
])


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_the_stored_prefix_is_the_whole_keys_prefix(text: str):
    whole = abstract_key(text)
    assert abstract_prefix(text) == (whole[:ABSTRACT_KEY_CHARS] if whole else None)


def test_a_long_abstract_keeps_its_first_40_key_characters():
    text = "Large  language models (LLMs)\u00a0have demonstrated ÉTONNANT results " + "word " * 200 + "…"
    assert abstract_prefix(text) == "large language models (llms) have demons"
