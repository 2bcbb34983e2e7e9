"""Property: any listing built from random unambiguous entries parses back to the same entries.

Unambiguous means (decisions.md) a reader could not split the glued line
another way: authors are "First Last" with an optional middle initial or
particle, never a one-word author; titles end in a plain word, a number, an
acronym or punctuation, never in a name prefix (Mc, Le) or a lone capital.
The ambiguous cases have hand-written tests in test_split.py.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from refmanager.core.categories import code_to_category
from refmanager.core.formats import listing_full, parse_text

from .conftest import examples

FIRST = ["Anna", "Thomas", "Yoshua", "Ming-Wei", "Sébastien", "Zhaohan", "Piotr", "Aleksandar", "Biao",
         "Johan", "Théophane", "Cassidy", "Harrison", "Ryan", "Noam", "Diederik", "Samuel", "Jorg", "Ada"]
LAST = ["Mesnard", "Bengio", "Chang", "Bubeck", "Guo", "Dollár", "Botev", "Zhang", "Ferret", "Weber",
        "Hardin", "Lee", "McKenna", "Shazeer", "Kingma", "Smith", "Bornschein", "LeCun", "Lovelace", "He"]
MIDDLE = ["", "", "", "Q. ", "P ", "L ", "van den ", "Daniel "]
WORDS = ["Learning", "Deep", "Models", "for", "of", "the", "Language", "with", "Efficient", "Scaling",
         "Attention", "RecurrentGemma", "PaliGemma", "FlashAttention", "GitHub", "LLMs", "via", "Open",
         "Transformers", "Reinforcement", "Feedback", "Vision", "Credit", "Assignment", "in", "and", "2",
         "Technical", "Report", "Exploration", "Neural", "Networks", "Towards", "Plausible"]
ENDINGS = ["Models", "Learning", "Networks", "Report", "Feedback", "Exploration", "GPT-4", "7B", "R-CNN",
           "LLMs", "Transfer?", "(Revisited)", "Assignment", "2"]
CODES = ["CL", "LG", "AI", "CV", "CR", "NE", "NC", "ML", "RO", "IR"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

name = st.builds(lambda f, m, l: f"{f} {m}{l}", st.sampled_from(FIRST), st.sampled_from(MIDDLE), st.sampled_from(LAST))
title = st.builds(
    lambda ws, colon, end: (" ".join(ws) + (":" if colon else "") + " " + end).strip(),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=10),
    st.booleans(),
    st.sampled_from(ENDINGS),
)
entry = st.fixed_dictionaries(
    {
        "code": st.sampled_from(CODES),
        "date": st.dates(dt.date(1995, 1, 1), dt.date(2026, 12, 31)),
        "title": title,
        "authors": st.lists(name, min_size=1, max_size=5, unique=True),
        "et_al": st.booleans(),
        "orgs": st.lists(st.sampled_from(["deepmind", "mit", "google", "inria", "eth zurich"]), max_size=2, unique=True),
        "abstract": st.lists(st.sampled_from(WORDS), min_size=8, max_size=60).map(lambda ws: " ".join(ws) + "."),
    }
)


def render(e: dict) -> str:
    d = e["date"]
    header = f"{e['code']}{MONTHS[d.month - 1]} {d.day}, {d.year}"
    line = e["title"] + ", ".join(e["authors"]) + (" et al." if e["et_al"] else "")
    if e["orgs"]:
        line += " · " + ", ".join(e["orgs"])
    return f"{header}\n{line}\n{e['abstract']}\n"


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(entry, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_random_listings_parse_back(entries, newline, blank_lines):
    text = ("\n" if blank_lines else "").join(render(e) for e in entries).replace("\n", newline)
    parsed = parse_text(text, "random.txt")
    assert parsed.format == listing_full.NAME
    assert len(parsed.entries) == len(entries)
    for got, e in zip(parsed.entries, entries):
        assert got.title == e["title"]
        assert got.authors == e["authors"]
        assert got.et_al == e["et_al"]
        assert got.orgs == e["orgs"]
        assert got.date == e["date"].isoformat()
        assert got.category == code_to_category(e["code"])
        assert got.abstract == e["abstract"]


# Titles with what the split must keep as written: commas without a space, doubled spaces,
# a CamelCase team, digits glued to punctuation.
RAW_WORDS = WORDS + ["3,000", "1,2,3", "A,B", "Q&A", "(v2)", "e.g.", "x2", "GemmaTeam", "k-NN", "Über"]
raw_title = st.lists(st.sampled_from(RAW_WORDS), min_size=1, max_size=8).map(" ".join)
raw_line = st.builds(
    lambda t, authors, et_al, orgs: (t, authors, et_al, orgs),
    raw_title, st.lists(name, min_size=1, max_size=4, unique=True), st.booleans(),
    st.lists(st.sampled_from(["deepmind", "mit", "inria"]), max_size=2, unique=True),
)


@settings(max_examples=examples(500), deadline=None)
@given(raw_line)
@example(("3,000 1,2,3 1,2,3 1,2,3 GemmaTeam 1,2,3", ["Anna Mesnard"], False, []))  # (found in CI)
def test_every_character_of_the_line_survives_the_split(case):
    """Title, authors, et al. and organisations put back together give the line, whatever
    the split chose (a wrong cut moves characters between title and authors, never loses one).
    The title is the line's own text up to the cut; the author list is a list, cut at every
    comma ("John Smith,Jane Doe" is two): the spaces around its commas are not kept (a cut
    before a title's "1,2,3" gives authors "1", "2", "3…", written back "1, 2, 3…")."""
    t, authors, et_al, orgs = case
    line = t + ", ".join(authors) + (" et al." if et_al else "") + (" · " + ", ".join(orgs) if orgs else "")
    got = listing_full.parse_title_line(line)
    assert line.startswith(got["title"])
    again = ", ".join(got["authors"]) + (" et al." if got["et_al"] else "")
    if got["orgs"]:
        again += " · " + ", ".join(got["orgs"])
    rest = line[len(got["title"]):]
    assert again == rest or _commas(again) == _commas(rest)


def _commas(s: str) -> str:
    return re.sub(r"\s*,\s*", ",", s)
