"""Finding duplicates that the import did not merge (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.core.errors import RefManagerError
from refmanager.core.library import Library
from refmanager.core.rows import derived
from refmanager.core.store.db import now_iso

from .conftest import FULL_SEED, PROFILE_SEED

SIMILAR = "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Enviroments"  # sic
EXPECTED = [
    (5, 7, "same DOI"),
    # (21 was a profile line's paper: its one author is the profile's owner, not Gemma 3's first author)
    (4, 21, "same title; different first authors (Gemma Team, Thomas Mesnard): possibly two papers"),
    (6, 22, "same title apart from spaces and punctuation"),
    (2, 23, "similar title"),
    (14, 25, "one abstract is the start of the other"),
]


@pytest.fixture
def dups(seeded: Library) -> Library:
    """The seeds (21 papers, no duplicates) plus five pairs of duplicates and one near miss."""
    assert seeded.find_duplicates() == []
    hindsight = seeded.get(14).abstract
    papers = [
        {"title": "Pali Gemma 2: A Family of Versatile VLMs for Transfer", "abstract": "PaliGemma 2 upgrades PaliGemma."},
        {"title": SIMILAR},
        {"title": "Gemma 4: Improving Open Language Models at a Practical Size"},  # not Gemma 2
        {"title": "Skill or luck? Hindsight for credit assignment", "abstract": hindsight[:120]},
    ]
    r = seeded.import_text(json.dumps(papers), "more.json")
    assert r.added_ids == [22, 23, 24, 25]
    seeded.edit_paper(21, title="Gemma 3 Technical Report")
    seeded.edit_paper(5, doi="10.1234/abc")
    seeded.edit_paper(7, doi="https://doi.org/10.1234/ABC")
    return seeded


def test_every_kind_of_duplicate_strongest_first(dups: Library):
    assert dups.find_duplicates() == EXPECTED
    assert dups.find_duplicates(limit=2) == EXPECTED[:2]


def test_not_duplicates_are_remembered(dups: Library, tmp_path: Path):
    dups.mark_not_duplicate(23, 2)
    assert (2, 23, "similar title") not in dups.find_duplicates()
    assert dups.undo() == (
        "Mark 'Curiosity in Hindsight: Intrinsic Exploration in…' and "
        "'Curiosity in Hindsight: Intrinsic Exploration in…' as different papers"
    )
    assert dups.find_duplicates() == EXPECTED
    dups.redo()
    assert dups.find_duplicates() == [p for p in EXPECTED if p[0] != 2]
    path = dups.path
    dups.close()
    again = Library(path)
    assert again.find_duplicates() == [p for p in EXPECTED if p[0] != 2]
    again.close()


def test_marks_go_with_a_deleted_paper_and_come_back_with_it(dups: Library):
    dups.mark_not_duplicate(2, 23)
    dups.delete_papers([23])
    assert dups.db.q("SELECT a, b FROM not_duplicates") == []
    dups.undo()
    assert dups.db.q("SELECT a, b FROM not_duplicates") == [(2, 23)]
    assert (2, 23, "similar title") not in dups.find_duplicates()


def test_trash_and_different_arxiv_ids_are_not_duplicates(dups: Library):
    dups.trash([25])
    dups.edit_paper(2, arxiv_id="2211.07627")
    dups.edit_paper(23, arxiv_id="2211.99999")
    assert dups.find_duplicates() == EXPECTED[:3]


def test_marking_needs_two_papers(dups: Library):
    with pytest.raises(RefManagerError, match="^a paper is always the same as itself$"):
        dups.mark_not_duplicate(3, 3)
    with pytest.raises(RefManagerError, match="^no paper with id 99$"):
        dups.mark_not_duplicate(3, 99)


def test_a_profile_line_beside_its_full_entry_is_found_after_a_split(seeded: Library):
    seeded.split_paper(1)
    assert seeded.find_duplicates() == [(1, 22, "one abstract is the start of the other")]


@pytest.mark.slow  # (seconds: the full run and .ci/run have it, not the fast loop)
def test_fast_on_a_large_library(tmp_path: Path):
    """20,000 papers sharing their opening words, one with a typo: found without comparing all pairs."""
    lib = Library(tmp_path / "big.db")
    words = ("towards a survey of deep learning for language models with sparse attention and "
             "credit assignment in reinforcement learning from human feedback at scale").split()
    titles = [" ".join(words[(i * k) % len(words)] for k in range(1, 9)) + f" part {i}" for i in range(20_000)]
    titles.append(titles[7].replace("language", "langauge").replace("learning", "learnign"))
    rows = []
    at = now_iso()
    for i, title in enumerate(titles):
        abstract = f"Paper {i} studies " + " ".join(words[(i + k) % len(words)] for k in range(8))
        d = derived(title, [], None, abstract)
        rows.append((title, abstract, at, at, d["sort_title"], d["title_key"], d["abstract_key"]))
    with lib.transaction():
        lib.db.conn.executemany(
            "INSERT INTO papers(title, abstract, added_at, modified_at, sort_title, title_key, abstract_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    assert titles[7] != titles[-1] and len(titles[7]) > 30
    # its time is measured in bench/ (python -m bench.duplicates), not asserted here
    assert lib.find_duplicates(limit=None) == [(8, 20_001, "similar title")]
    lib.close()


def test_find_duplicates_after_profile_then_full(tmp_path: Path):
    lib = Library(tmp_path / "l.db")
    lib.import_paths([PROFILE_SEED])
    lib.import_paths([FULL_SEED])
    assert lib.find_duplicates() == []
    lib.close()
