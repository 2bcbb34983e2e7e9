"""Search syntax, safety and the index."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refmanager.core.library import Library, View
from refmanager.core.search import parse_query

from .conftest import dump, examples


def titles(lib: Library, q: str) -> set[str]:
    return {p.title for p in lib.search(q)[0]}


def test_words_are_prefixes(seeded: Library):
    # "hindsi" is a prefix of "hindsight" (titles and abstracts)
    assert titles(seeded, "hindsi gene") == {
        "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments",
    }
    assert titles(seeded, "hindsight credit") == {
        "Hindsight Credit Assignment",
        "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
    }


def test_phrase_and_author_and_year(seeded: Library):
    assert titles(seeded, '"credit assignment" year:2019..2020') == {
        "Hindsight Credit Assignment",
        "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
        "Ghost Units Yield Biologically Plausible Backprop in Deep Neural Networks",
    }
    assert titles(seeded, "author:bengio") == {
        "STDP as presynaptic activity times rate of change of postsynaptic activity",
        "Towards Biologically Plausible Deep Learning",
    }
    assert titles(seeded, 'author:"Ryan McKenna"') == {"VaultGemma: A Differentially Private Gemma Model"}
    assert titles(seeded, "year:..2015") == {
        "STDP as presynaptic activity times rate of change of postsynaptic activity",
        "Towards Biologically Plausible Deep Learning",
    }


def test_category_qualifier(seeded: Library):
    assert titles(seeded, "cat:NC") == {"Ghost Units Yield Biologically Plausible Backprop in Deep Neural Networks"}
    assert titles(seeded, "cat:stat.ML") == {"Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments"}
    assert len(titles(seeded, "cat:cs")) == 17


def test_tag_and_note_are_searchable(seeded: Library):
    seeded.add_tags([3], ["to-read"])
    seeded.set_note(4, "compare with llama tokenizer")
    assert titles(seeded, "tag:to-read") == {"Gemma: Open Models Based on Gemini Research and Technology"}
    assert titles(seeded, "llama tokenizer") == {"Gemma 3 Technical Report"}


def test_negation(seeded: Library):
    got = titles(seeded, "gemma -technical")
    assert "Gemma 3 Technical Report" not in got and "MedGemma Technical Report" not in got
    # Gemma 2's abstract mentions "technical modifications": excluded too
    assert "Gemma 2: Improving Open Language Models at a Practical Size" not in got
    assert "Gemma: Open Models Based on Gemini Research and Technology" in got


def test_bad_queries_give_hints_not_errors(seeded: Library):
    assert parse_query('"unclosed phrase').hint == "a quote is not closed: searching up to the end"
    papers, hint = seeded.search("year:soon")
    assert hint == "year: expects 2020, 2020..2024, ..2019 or 2021.. (not 'soon')"
    assert len(papers) == 21


@pytest.mark.parametrize(
    "query",
    ['NEAR("x" * AND OR NOT)', "Robert'); DROP TABLE papers;--", "*", '"', "(((", "AND", "a:b:c", "^x", "-", "tag:"],
)
def test_hostile_queries_are_safe(seeded: Library, query: str):
    before = dump(seeded)
    papers, _ = seeded.search(query)
    assert isinstance(papers, list)
    assert dump(seeded) == before


def test_search_uses_the_fts_index(seeded: Library):
    cv = seeded.compile(View(search="gemma"))
    plan = " ".join(
        r[3] for r in seeded.db.conn.execute(f"EXPLAIN QUERY PLAN SELECT p.id FROM papers p WHERE {cv.where}", cv.params)
    )
    assert "VIRTUAL TABLE INDEX" in plan and "papers_fts" in plan
    assert "SCAN papers_fts" not in plan or "VIRTUAL TABLE INDEX" in plan


QUERY_ALPHABET = st.sampled_from(
    list("abcdeé\"'()*:-^.+ ") + ["author:", "tag:", "year:", "cat:", "AND", "OR", "NOT", "NEAR", "..", "2020", "Ω", "日本", "\u200b"]
)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(QUERY_ALPHABET, max_size=12).map("".join))
def test_fuzzed_search_never_raises(seeded: Library, query: str):
    """Any typed text compiles, and page, count and the ids agree (a SearchError
    -- SQL that SQLite refuses -- fails the test instead of reading as 0 rows)."""
    cv = seeded.compile(View(search=query))
    ids = seeded.ids(cv)
    assert seeded.count(cv) == len(ids) <= 21
    assert [r.id for r in seeded.page(cv, 0, 5)] == ids[:5]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_fuzzed_unicode_search_leaves_library_unchanged(seeded: Library, query: str):
    before = seeded.db.conn.execute("SELECT count(*), max(modified_at) FROM papers").fetchone()
    seeded.search(query)
    assert seeded.db.conn.execute("SELECT count(*), max(modified_at) FROM papers").fetchone() == before


def test_rows_of_many_papers_come_as_runs(seeded: Library):
    """Selecting the papers of an import: their rows in the view, as (first, last) runs."""
    view = View(sort="title", descending=False)
    ids = seeded.ids(view)  # every paper, in title order
    assert seeded.row_ranges(view, ids) == [(0, 20)]
    assert seeded.row_ranges(view, [ids[5], ids[3], ids[4], ids[9], ids[9]]) == [(3, 5), (9, 9)]
    assert seeded.row_ranges(View(sort="title", descending=True), [ids[0], ids[1]]) == [(19, 20)]
    assert seeded.get(ids[0]).title == "Counterfactual Credit Assignment in Model-Free Reinforcement Learning"
    assert seeded.row_ranges(View(search="gemma", sort="title"), [ids[0]]) == []  # not in that view
    assert seeded.row_ranges(view, []) == []


# ------------------------------------------------ qualifiers the parser does not know (item 10)
@pytest.mark.parametrize(("word", "meant"), [
    ("autor", "author"), ("AUTHORS", "author"), ("auhtor", "author"), ("athor", "author"), ("au", "author"),
    ("yr", "year"), ("yaer", "year"), ("tags", "tag"), ("tga", "tag"), ("cats", "cat"), ("category", "cat"),
    ("colection", "collection"), ("collections", "collection"), ("kye", "key"), ("typ", "type"),
    ("https", None), ("http", None), ("re", None), ("doi", None), ("title", None), ("arxiv", None),
    ("10", None), ("a", None), ("author", None),
])
def test_close_qualifier(word: str, meant: str | None):
    from refmanager.core.search import close_qualifier

    assert close_qualifier(word) == meant


def test_a_misspelt_qualifier_gets_a_hint_and_is_searched_as_typed(seeded: Library):
    seeded.set_note(4, "filed under tags:rl by hand")
    papers, hint = seeded.search("tags:rl")
    assert hint == "did you mean tag:? (there is no tags:)"
    assert [p.title for p in papers] == ["Gemma 3 Technical Report"]  # (the text, as the app searches it)
    assert seeded.search("autor:mesnard") == ([], "did you mean author:? (there is no autor:)")
    assert parse_query("autor:a -Autor:b").hint == "did you mean author:? (there is no autor:); " \
                                                   "did you mean author:? (there is no Autor:)"
    assert parse_query("autor:a autor:b").hint == "did you mean author:? (there is no autor:)"  # (once)


@pytest.mark.parametrize("query", ["https://arxiv.org/abs/2408.00118", "re:gemma", "doi:10.1/x", "a:b:c", "10:30",
                                   "Gemma: open models", "title:gemma"])
def test_colons_far_from_a_qualifier_are_text_without_a_hint(query: str):
    assert parse_query(query).hint is None


def test_a_qualifier_with_nothing_after_it_gets_a_hint_and_is_left_out(seeded: Library):
    """``tag:`` alone used to be searched as the word "tag"; ``tag: rl`` (a space too many)
    searched "tag" and "rl"."""
    assert parse_query("tag:").hint == "tag: needs a tag name"
    assert parse_query("tag:").fts is None
    assert parse_query("-author:").hint == "author: needs a name"
    assert parse_query("year:").hint == "year: needs a year such as 2020 or 2020..2024"
    assert parse_query("type:").hint == "type: needs an item type such as book or paper-conference"
    assert parse_query("cat: hindsight").fts == '"hindsight"*'
    papers, hint = seeded.search("tag:")
    assert (len(papers), hint) == (21, "tag: needs a tag name")
