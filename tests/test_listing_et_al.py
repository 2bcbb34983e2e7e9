"""``listing_full.strip_et_al`` and ``et_al_start`` are a faster ``_ET_AL.sub("", name)`` and
``_ET_AL.search(name).start()``: the same result for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core.formats.listing_full import _ET_AL, et_al_start, strip_et_al

from .conftest import examples

PIECES = st.sampled_from([" ", "  ", "\t", "\u00a0", ",", ".", "e", "t", "a", "l", "et", "al", "et al", "et al.",
                          ", et al.", "X", "Wei", "\n", "\u2003", "Budget"])


@settings(max_examples=examples(3000), deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_strip_et_al_is_the_regex(text: str):
    assert strip_et_al(text) == _ET_AL.sub("", text)
    m = _ET_AL.search(text)
    assert et_al_start(text) == (m.start() if m else None)


def test_strip_et_al_examples():
    assert strip_et_al("Chen Wei et al.") == "Chen Wei"
    assert strip_et_al("Chen Wei, et al") == "Chen Wei"
    assert strip_et_al("Chen Wei ,  et  al.") == "Chen Wei "
    assert strip_et_al("Budget al.") == "Budg"  # as the regex: no word boundary before "et"
    assert strip_et_al("Chen Wei et al. ") == "Chen Wei et al. "  # not at the end: kept
    assert strip_et_al("Metal") == "Metal"


def test_et_al_start_examples():
    assert et_al_start("TitleChen Wei, Ana Lima et al.") == 23
    assert et_al_start("TitleChen Wei ,\t et al") == 14  # from the comma (the space before it stays)
    assert et_al_start("Budget al.") == 4
    assert et_al_start("Chen Wei etal.") is None and et_al_start("al.") is None and et_al_start("") is None
