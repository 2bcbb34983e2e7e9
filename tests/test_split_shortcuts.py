"""The split's and the reader's shortcuts give what the plain code gave.

``split._candidates`` finds cut points with two regexes instead of a loop over
characters; ``split.token_score`` is a cached kind of word plus its place;
``formats.check_limits`` jumps from window to window instead of visiting each
line; ``fields.dumps`` writes an ASCII string with the ``ensure_ascii`` encoder.  Each
is compared here with the plain version it replaced, written out.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core import formats, split
from refmanager.core.errors import ParseError

from .conftest import examples

# Capitals (ASCII and not), lower case, spaces of several kinds, punctuation
# and the characters the name rules look at.
ALPHABET = "aZbYÉéŁłÖöß ÷·\u00a0\u2003\t,.-'\u2019Q7"


def candidates_loop(part: str) -> list[int]:
    return [i for i, (prev, c) in enumerate(zip(part, part[1:]), 1) if c.isupper() and not prev.isspace()]


@given(st.text(alphabet=ALPHABET, max_size=40) | st.text(max_size=40))
@settings(max_examples=examples(400), deadline=None)
def test_candidates_are_the_character_loop(part: str):
    assert split._candidates(part) == candidates_loop(part)


def test_candidates_by_hand():
    assert split._candidates("RecurrentGemmaŁukasz Kaiser") == [9, 14]
    assert split._candidates("über AllesÖzil") == [10]
    assert split._candidates("LLMs ÉcoleX") == [1, 2, 10]


def token_score_plain(tok: str, pos: int, n: int) -> float:
    """``token_score`` before the cached kinds (session 13), verbatim."""
    last = pos == n - 1
    if split._is_name_word(tok):
        return 1.0
    if split._is_prefixed_name(tok):
        return 0.9
    if split._is_initials(tok):
        return 0.1 if last else 0.85
    if tok in split.TEAM_WORDS:
        return 1.0 if (last and n >= 2) else 0.3
    if tok in split.NAME_SUFFIXES:
        return 0.8 if (last and n >= 3) else -1.0
    if tok.lower() in split.PARTICLES and tok.islower():
        if 0 < pos < n - 1:
            return 0.7
        return 0.3 if pos == 0 and n > 1 else -1.0
    if any(c.isdigit() for c in tok):
        return -1.0
    if any(not (c.isalpha() or c in ".-'\u2019") for c in tok):
        return -1.0
    if tok.islower():
        return -1.0
    if tok.isupper() and tok.isalpha():
        return 0.1
    if tok[0].isupper() and tok.isalpha():
        return 0.05 if n == 1 else -1.0
    return -0.5


WORDS = ["Morgane", "LeCun", "Q.", "J.-P.", "Team", "Jr.", "III", "van", "de", "GPT-4", "AI", "OpenAI",
         "for", "Ming-Wei", "O'Brien", "Zoë", "x-Y", "Ab1", "LLMs", "McKenna", "Łukasz", "e"]


@given(
    st.sampled_from(WORDS) | st.text(alphabet="aAéÉ.-'\u2019 1", min_size=1, max_size=6).filter(str.strip),
    st.integers(0, 6),
    st.integers(1, 7),
)
@settings(max_examples=examples(500), deadline=None)
def test_token_score_is_the_plain_rules(tok: str, pos: int, n: int):
    assert split.token_score(tok, pos, n) == token_score_plain(tok, pos, n)


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))
@settings(max_examples=examples(300), deadline=None)
def test_name_shape_from_plain_scores(words: list[str]):
    n = len(words)
    scores = [token_score_plain(w, i, n) for i, w in enumerate(words)]
    cut = next((i for i, s in enumerate(scores) if s <= -1.0), None)
    expected = (n, scores[cut], 0.0) if cut is not None else (n, min(scores), sum(scores) / n)
    assert split._name_shape(" ".join(words)) == expected


def check_limits_plain(text: str, limit: int) -> int | None:
    """The line (1-based) of the first line over ``limit`` characters, or None."""
    for lineno, line in enumerate(text.split("\n"), 1):
        if len(line) > limit:
            return lineno
    return None


@given(st.text(alphabet="ab\n", max_size=60), st.integers(1, 8))
@settings(max_examples=examples(400), deadline=None)
def test_check_limits_is_the_line_loop(text: str, limit: int):
    old = formats.MAX_LINE_CHARS
    formats.MAX_LINE_CHARS = limit
    try:
        line = check_limits_plain(text, limit)
        if line is None:
            formats.check_limits(text, "t.txt")
        else:
            with pytest.raises(ParseError) as exc:
                formats.check_limits(text, "t.txt")
            assert exc.value.line == line
            length = len(text.split("\n")[line - 1])
            assert re.search(rf"line is {length:,} characters long; the limit is {limit:,}", str(exc.value))
    finally:
        formats.MAX_LINE_CHARS = old


def test_remembered_name_scores_split_every_line_as_fresh_ones(monkeypatch):
    """``NameScores`` (one file's names scored once) gives the splits ``name_score`` gives,
    also when it is full and starts again; the seed listing's lines, each twice, with a
    known-name rule that depends on the name."""
    from .conftest import FULL_SEED

    lines = FULL_SEED.read_text(encoding="utf-8").split("\n")[1::3]
    lines = [ln for ln in lines if ln.strip()]
    assert len(lines) > 10

    def known(name: str) -> bool:
        return name.startswith(("A", "K"))

    monkeypatch.setattr(split.NameScores, "MAX", 7)  # (cleared many times over)
    scores = split.NameScores(known)
    for ln in lines + lines:
        assert split.split_title_authors(ln, known, scores) == split.split_title_authors(ln, known), ln
    assert 0 < len(scores.memo) <= 7
    assert split.split_title_authors("Sparse AttentionAna Lima, Bo Chen", known, scores).authors == [
        "Ana Lima", "Bo Chen"]


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=60))
@settings(max_examples=examples(100), deadline=None)
def test_a_listings_entries_are_estimated_from_its_start(lengths: list[int]):
    """A listing's entries (for progress) are counted in its first characters and scaled:
    exact when the sample is the whole text, and close when its entries are alike."""
    from refmanager.core.formats import listing_full

    text = "".join(f"CLJan 5, 2024\nT{i}Ana Lima\n{'w' * n}.\n\n" for i, n in enumerate(lengths))
    assert listing_full._estimate(text) == len(lengths)
    alike = text[: text.index("\n\n") + 2] * 3000
    sample = listing_full._ESTIMATE_SAMPLE
    listing_full._ESTIMATE_SAMPLE = 20_000  # (the sample is a part of the text)
    try:
        est = listing_full._estimate(alike)
    finally:
        listing_full._ESTIMATE_SAMPLE = sample
    assert len(alike) > 20_000
    assert abs(est - 3000) <= 3000 * 0.03, est


@given(st.text(alphabet="aZ \"\\\x00\x1f\x7f\n\té€\U0001f600", max_size=30) | st.text(max_size=30)
       | st.lists(st.text(max_size=8), max_size=4))
@settings(max_examples=examples(400), deadline=None)
def test_json_of_a_string_is_the_standard_encoders(v):
    """``fields.dumps`` writes an ASCII string with the faster ``ensure_ascii`` encoder (the
    same text but for DEL, which it would escape): every string gives what the library's
    encoder gives, whatever it holds."""
    import json

    from refmanager.core import fields

    assert fields.dumps(v) == json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    assert fields.dumps("a\x7fb") == "\"a\x7fb\"" and fields.dumps("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\""
