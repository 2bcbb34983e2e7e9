"""A source stored without JSON is the paper row as the import added it (schema v6).

A full listing's entry repeated its abstract, title and splits in the source's
JSON; now a new paper's source leaves ``data`` NULL when the row says it all
(``rows.row_holds_entry``), and triggers write the entry out before the paper
changes or the source moves.  Whatever happens to the papers afterwards, every
paper's sources read exactly as if the JSON had been stored: each test runs the
same steps on a library that stores it (``row_holds_entry`` patched to say no)
and compares.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core import rows
from refmanager.core.fields import ENTRY_COLUMNS, dumps
from refmanager.core.library import Library, View
from refmanager.core.models import Entry, Split
from refmanager.core.rows import derived, entry_json_from_row, paper_row, row_holds_entry
from refmanager.core.store.schema import entry_json_sql

from .conftest import FULL_SEED, PROFILE_SEED, examples

GEMMA2 = "Gemma 2: Improving Open Language Models at a Practical Size"


def sources_of(lib: Library) -> dict[int, list[tuple]]:
    """Every paper's sources as a reader sees them (``paper_sources``)."""
    out = {}
    for (pid,) in lib.db.q("SELECT id FROM papers ORDER BY id"):
        out[pid] = [
            (s["file"], s["line"], s["kind"], s["fingerprint"], s["title"], s["authors"], s["data"])
            for s in lib.paper_sources(pid)
        ]
    return out


def null_sources(lib: Library) -> int:
    return lib.db.q("SELECT count(*) FROM sources WHERE data IS NULL")[0][0]


@pytest.fixture
def twins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[Library], object]], tuple[Library, Library]]:
    """Run the same steps on a library that leaves source JSON to the rows and one
    that stores it all; return both."""
    made: list[Library] = []

    def run(steps: Callable[[Library], object]) -> tuple[Library, Library]:
        lazy = Library(tmp_path / "lazy.db")
        steps(lazy)
        with monkeypatch.context() as m:
            m.setattr(rows, "row_holds_entry", lambda e: False)
            eager = Library(tmp_path / "eager.db")
            steps(eager)
        made.extend([lazy, eager])
        assert null_sources(eager) == 0
        return lazy, eager

    yield run
    for lib in made:
        lib.close()


# ------------------------------------------------------------------ the rule
def full_entry(**kw: object) -> Entry:
    base = dict(
        kind="full", line=4, title=GEMMA2, authors=["Gemma Team", "Morgane Riviere"], et_al=True,
        orgs=["deepmind"], date="2024-07-31", category="cs.CL", abstract="In this work, we introduce Gemma 2.",
        raw_line=GEMMA2 + "Gemma Team, Morgane Riviere et al. · deepmind", split_confidence=0.875,
        alt_splits=[Split("Gemma 2: Improving Open Language Models at a", ["Practical SizeGemma Team"], 0.25)],
    )
    base.update(kw)
    return Entry(**base)  # type: ignore[arg-type]


def test_a_listing_entry_leaves_its_json_to_the_row():
    assert row_holds_entry(full_entry())
    assert row_holds_entry(Entry(kind="profile", line=3, authors=["Thomas Mesnard"], et_al=True,
                                 abstract="Gemma is…", incomplete=True))


@pytest.mark.parametrize("kw", [
    {"tags": ["rl"]}, {"note": "read it"}, {"note": ""}, {"read": True}, {"read": False},
    {"starred": False}, {"extra": {"bibtex_key": "k"}},
    {"title": None},  # the row calls a paper without a title incomplete; the entry did not say so
])
def test_an_entry_the_row_cannot_say_keeps_its_json(kw: dict):
    e = full_entry(**kw)
    assert not row_holds_entry(e)
    assert rows.prepare(e).data == dumps(e.to_json())


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
MAYBE = st.none() | NAMES


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    title = draw(MAYBE)
    return Entry(
        kind=draw(st.sampled_from(["full", "profile", "bibtex", "json"])), line=draw(st.integers(1, 10**6)),
        title=title, authors=draw(st.lists(NAMES, max_size=4)), et_al=draw(st.booleans()),
        orgs=draw(st.lists(NAMES, max_size=3)), date=draw(MAYBE), category=draw(MAYBE), abstract=draw(MAYBE),
        arxiv_id=draw(MAYBE), doi=draw(MAYBE), journal=draw(MAYBE),
        incomplete=draw(st.booleans()) if title is not None else True, needs_review=draw(st.booleans()),
        raw_line=draw(MAYBE),
        split_confidence=draw(st.none() | st.floats(0, 1).map(lambda x: round(x, 3))),
        alt_splits=draw(st.lists(
            st.builds(Split, NAMES, st.lists(NAMES, max_size=3), st.floats(-5, 5).map(lambda x: round(x, 3))),
            max_size=3,
        )),
    )


@settings(max_examples=examples(300), deadline=None)
@given(entries())
def test_the_row_python_and_sql_say_what_the_entry_said(e: Entry):
    """``Entry.to_json`` = the object built from the row in Python = the one the
    schema's triggers build in SQL, key for key, in the same order."""
    assert row_holds_entry(e)
    want = e.to_json()
    row = paper_row(e)
    # (the row is built by position: each derived column in its place)
    d = derived(e.title, e.authors, e.date, e.abstract)
    assert {k: getattr(row, k) for k in d} == d and d["year"] == row.year
    assert row.authors_text == ", ".join(e.authors) and row.citekey_aliases == "[]" and row.read == 0
    entry_values = [getattr(row, c) for c in ENTRY_COLUMNS]
    got = entry_json_from_row(e.kind, e.line, entry_values)
    assert got == want and list(got) == list(want)
    c = sqlite3.connect(":memory:")
    c.execute(f"CREATE TABLE p({', '.join(c_ + (' REAL' if c_ == 'split_confidence' else '') for c_ in ENTRY_COLUMNS)})")
    c.execute(f"INSERT INTO p VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})", entry_values)
    (text,) = c.execute(f"SELECT {entry_json_sql('?', '?', 'p.')} FROM p", (e.kind, e.line)).fetchone()
    from_sql = json.loads(text)
    assert from_sql == want and list(from_sql) == list(want)


@settings(max_examples=examples(300), deadline=None)
@given(entries(), st.none() | st.sampled_from(["smith2020deep", "Doe:2021", "not a key", ""]))
def test_keys_left_to_the_writer_are_the_ones_the_parser_makes(e: Entry, key: str | None):
    """A busy parser leaves the generated citation key and the name keys to the writer
    (``prepare(keys_later=True)``): it makes the same ones, and nothing else differs."""
    e = dataclasses.replace(e, citekey=key)
    full, later = rows.prepare(e), rows.prepare(e, keys_later=True)
    assert later.name_keys is None and (later.row.citekey is None) == (rows.clean_key(key) is None)
    p = rows.Prepared(later)
    assert p.row_to_write() == full.row and type(p.row_to_write()) is type(full.row)
    assert p.name_keys() == full.name_keys == rows.Prepared(full).name_keys()
    assert later._replace(row=full.row, name_keys=full.name_keys) == full


# ------------------------------------------------------------- in a library
def seeds(lib: Library) -> None:
    lib.import_paths([FULL_SEED, PROFILE_SEED])


def test_an_import_stores_json_only_for_what_merged(twins):
    lazy, eager = twins(seeds)
    assert sources_of(lazy) == sources_of(eager)
    # The 19 full entries make papers 1-19; 18 of the profile's 20 lines merge into
    # one of them (adding nothing the full entry's row lacks: its abstract is the
    # longer), 2 make papers 20 and 21.  Only the merged lines need JSON of their own.
    kinds = lazy.db.q("SELECT kind, data IS NULL, count(*) FROM sources GROUP BY 1, 2 ORDER BY 1, 2")
    assert [tuple(r) for r in kinds] == [("full", 1, 19), ("profile", 0, 18), ("profile", 1, 2)]
    (data,) = lazy.db.q("SELECT data FROM sources WHERE paper_id = 1 AND kind = 'profile'")[0]
    assert json.loads(data)["authors"] == ["Thomas Mesnard"] and json.loads(data)["title"] is None


def test_editing_a_paper_writes_its_entry_out_first(twins):
    def steps(lib: Library) -> None:
        seeds(lib)
        lib.edit_paper(2, title="Curiosity, edited", authors=["Someone Else"])
        lib.accept_review(3)  # (needs_review only: still an entry column)
        lib.set_read([5])  # not an entry column: the source stays as it is

    lazy, eager = twins(steps)
    assert sources_of(lazy) == sources_of(eager)
    src = lazy.paper_sources(2)[0]
    assert src["kind"] == "full" and src["title"] == "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments"
    assert src["authors"] == ["Daniel Jarrett", "Corentin Tallec", "Florent Altché"]
    assert lazy.db.q("SELECT count(*) FROM sources WHERE paper_id = 2 AND data IS NULL")[0][0] == 0


def test_merging_and_splitting_by_hand_move_the_entries_intact(twins):
    def steps(lib: Library) -> None:
        seeds(lib)
        lib.merge_papers([2, 5])
        lib.add_tags([2], ["x"])
        lib.split_paper(2)

    lazy, eager = twins(steps)
    assert sources_of(lazy) == sources_of(eager)
    assert [(s["kind"], s["title"]) for s in lazy.paper_sources(5)] == [
        ("full", "Direct Language Model Alignment from Online AI Feedback"), ("profile", None)
    ]


def test_a_merged_source_keeps_its_paper_after_the_merge_is_undone(twins):
    def steps(lib: Library) -> None:
        seeds(lib)
        lib.merge_papers([2, 5])
        lib.undo()
        lib.redo()
        lib.edit_paper(2, title="After the merge")
        lib.undo()
        lib.undo()

    lazy, eager = twins(steps)
    assert sources_of(lazy) == sources_of(eager)
    assert lazy.get(5).title == eager.get(5).title


def test_undoing_and_redoing_an_import_keeps_the_sources(twins):
    def steps(lib: Library) -> None:
        seeds(lib)
        lib.undo()
        lib.redo()
        lib.edit_paper(6, abstract="A new abstract.")
        lib.split_paper(1)

    lazy, eager = twins(steps)
    assert sources_of(lazy) == sources_of(eager)
    assert lazy.count(View()) == 22


def test_the_same_listing_again_in_a_second_import_changes_nothing(twins):
    def steps(lib: Library) -> None:
        seeds(lib)
        report = lib.import_paths([FULL_SEED])
        assert (report.added, report.merged, report.unchanged) == (0, 0, 19)

    lazy, eager = twins(steps)
    assert sources_of(lazy) == sources_of(eager)
