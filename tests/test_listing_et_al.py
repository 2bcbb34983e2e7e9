"""``listing_full.strip_et_al`` is a faster ``_ET_AL.sub("", name)``: the same result for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core.formats.listing_full import _ET_AL, strip_et_al

PIECES = st.sampled_from([" ", "  ", "\t", "\u00a0", ",", ".", "e", "t", "a", "l", "et", "al", "et al", "et al.",
                          ", et al.", "X", "Wei", "\n", "\u2003", "Budget"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_strip_et_al_is_the_regex(text: str):
    assert strip_et_al(text) == _ET_AL.sub("", text)


def test_strip_et_al_examples():
    assert strip_et_al("Chen Wei et al.") == "Chen Wei"
    assert strip_et_al("Chen Wei, et al") == "Chen Wei"
    assert strip_et_al("Chen Wei ,  et  al.") == "Chen Wei "
    assert strip_et_al("Budget al.") == "Budg"  # as the regex: no word boundary before "et"
    assert strip_et_al("Chen Wei et al. ") == "Chen Wei et al. "  # not at the end: kept
    assert strip_et_al("Metal") == "Metal"
