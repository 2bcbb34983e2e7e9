"""Merging duplicates by hand and splitting them again (issue 8)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from refmanager.core.errors import RefManagerError, ValidationError
from refmanager.core.library import Library, View

from .conftest import FULL_SEED
from .test_editing import GEMMA2, dump_without_history, fts_ok

EXTENDED = "Gemma 2 - Improving Open Language Models at a Practical Size (extended)"
FIVE = ["Gemma Team", "Morgane Riviere", "Shreya Pathak", "Pier Giuseppe Sessa", "Cassidy Hardin"]
THREE = ["Gemma Team", "Morgane Riviere", "Shreya Pathak"]
SHORT = "Gemma 2 is a family of open models from 2B to 27B parameters."
DUPLICATE = [{
    "title": EXTENDED, "authors": FIVE, "date": "2024", "doi": "10.48550/arXiv.2408.00118",
    "abstract": SHORT, "tags": ["json-tag"], "note": "from the JSON", "starred": True,
}]


@pytest.fixture
def pair(lib: Library) -> Library:
    """The full seed (papers 1-19) and a second copy of Gemma 2 (paper 20) that did not merge."""
    lib.import_paths([FULL_SEED])
    lib.add_tags([1], ["gemma"])
    lib.set_note(1, "read section 3")
    lib.set_read([1])
    (pid,) = lib.import_text(json.dumps(DUPLICATE), "dup.json").added_ids
    assert pid == 20
    return lib


def test_candidates_side_by_side_and_default_choice(pair: Library):
    fields = pair.merge_candidates_fields([20, 1])
    assert list(fields) == ["title", "authors", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal",
                            "volume", "issue", "pages", "type", "publisher"]
    assert fields["title"] == [(20, EXTENDED), (1, GEMMA2)]
    assert fields["authors"] == [(20, FIVE), (1, THREE)]
    assert fields["date"] == [(20, "2024"), (1, "2024-07-31")]
    assert fields["doi"] == [(20, "10.48550/arXiv.2408.00118"), (1, None)]
    assert fields["arxiv_id"] == [(20, None), (1, None)]
    assert pair.default_merge_choice([20, 1]) == {
        "title": 20, "authors": 20, "orgs": 1, "date": 1, "category": 1, "abstract": 1,
        "arxiv_id": 1, "doi": 20, "journal": 1, "volume": 1, "issue": 1, "pages": 1, "type": 1, "publisher": 1,
    }
    # an edited value is the user's word: it wins
    pair.edit_paper(1, authors=["Gemma Team"])
    assert pair.default_merge_choice([1, 20])["authors"] == 1


def test_merge_keeps_the_lowest_id_and_joins_everything(pair: Library):
    assert pair.merge_papers([20, 1], {"title": 1}) == 1
    assert pair.exists(20) is False and pair.count(View()) == 19
    p = pair.get(1)
    assert p.title == GEMMA2
    assert (p.authors, p.et_al) == (FIVE, False)
    assert (p.orgs, p.date, p.category) == (["deepmind"], "2024-07-31", "cs.CL")
    assert p.abstract.startswith("In this work, we introduce Gemma 2") and len(p.abstract) == 700
    assert p.doi == "10.48550/arXiv.2408.00118"
    assert p.tags == ["gemma", "json-tag"]
    assert p.note == "read section 3\n\nfrom the JSON"
    assert (p.read, p.starred, p.incomplete, p.edited_fields) == (True, True, False, [])
    assert p.alternatives == {"authors": [THREE], "title": [EXTENDED], "date": ["2024"], "abstract": [SHORT]}
    assert [(s["kind"], s["file"], s["line"]) for s in pair.paper_sources(1)] == [
        ("full", str(FULL_SEED), 1), ("json", "dup.json", 1),
    ]
    assert [h["merged_ids"] for h in pair.merge_history(1)] == [[20]]
    assert [x.id for x in pair.search("tag:json-tag")[0]] == [1]
    assert pair.undo_label() == "Merge 2 papers into 'Gemma 2: Improving Open Language Models at a Prac…'"
    fts_ok(pair)


def test_merge_undo_and_redo(pair: Library):
    before = dump_without_history(pair)
    pair.merge_papers([1, 20])
    merged = dump_without_history(pair)
    assert pair.undo() == "Merge 2 papers into 'Gemma 2 - Improving Open Language Models at a Pra…'"
    assert dump_without_history(pair) == before
    assert pair.get(20).tags == ["json-tag"] and len(pair.paper_sources(20)) == 1
    assert pair.redo() == "Merge 2 papers into 'Gemma 2 - Improving Open Language Models at a Pra…'"
    assert dump_without_history(pair) == merged
    assert pair.get(1).title == EXTENDED
    fts_ok(pair)


def test_split_brings_back_each_paper_exactly(pair: Library):
    one, twenty = pair.get(1), pair.get(20)
    pair.merge_papers([1, 20])
    assert pair.split_paper(1) == [1, 20]
    assert pair.get(20) == dataclasses.replace(twenty, version=pair.get(20).version)  # same id, tags, note, star, times
    again = pair.get(1)
    assert dataclasses.replace(again, modified_at=None, version=0) == dataclasses.replace(one, modified_at=None, version=0)
    assert [s["kind"] for s in pair.paper_sources(1)] == ["full"]
    assert [s["kind"] for s in pair.paper_sources(20)] == ["json"]
    assert pair.merge_history(1) == []
    assert pair.undo() == "Split 'Gemma 2 - Improving Open Language Models at a Pra…' into 2 papers"
    assert pair.exists(20) is False and pair.get(1).title == EXTENDED and pair.get(1).authors == FIVE
    assert pair.redo() is not None
    assert pair.get(20) == dataclasses.replace(twenty, version=pair.get(20).version)
    fts_ok(pair)


def test_split_keeps_what_changed_after_the_merge(pair: Library):
    pair.merge_papers([1, 20], {"title": 1})
    pair.add_tags([1], ["later"])
    pair.edit_paper(1, title="Gemma 2 (merged and edited)")
    pair.remove_tags([1], ["json-tag"])
    pair.split_paper(1)
    p = pair.get(1)
    assert p.title == "Gemma 2 (merged and edited)" and p.edited_fields == ["title"]
    assert p.tags == ["gemma", "later"]
    assert p.authors == THREE and p.note == "read section 3" and p.starred is False
    assert p.alternatives == {"title": [GEMMA2]}
    q = pair.get(20)
    assert (q.title, q.tags, q.note, q.starred) == (EXTENDED, ["json-tag"], "from the JSON", True)


def test_split_gives_a_new_id_when_the_old_one_was_reused(pair: Library):
    pair.merge_papers([1, 20])
    (new,) = pair.import_text(json.dumps([{"title": "A paper imported after the merge"}]), "new.json").added_ids
    assert new == 20
    assert pair.split_paper(1) == [1, 21]
    assert pair.get(21).title == EXTENDED and pair.get(21).tags == ["json-tag"]
    assert pair.get(20).title == "A paper imported after the merge"


def test_merged_arxiv_id_goes_back_with_its_paper(pair: Library):
    pair.edit_paper(20, arxiv_id="2408.00118")
    pair.merge_papers([1, 20], {"title": 1})
    assert pair.get(1).arxiv_id == "2408.00118"
    pair.split_paper(1)
    assert pair.get(1).arxiv_id is None and pair.get(20).arxiv_id == "2408.00118"


def test_notes_are_not_repeated_and_three_papers_merge(pair: Library):
    pair.set_note(20, "read section 3")
    pair.set_note(2, "  read section 3\n")
    pair.add_tags([2], ["curiosity"])
    assert pair.merge_papers([2, 20, 1], {"title": 2}) == 1
    p = pair.get(1)
    assert p.note == "read section 3"
    assert p.title == "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments"
    assert p.tags == ["curiosity", "gemma", "json-tag"]
    assert pair.split_paper(1) == [1, 2, 20]
    assert [pair.get(i).tags for i in (1, 2, 20)] == [["gemma"], ["curiosity"], ["json-tag"]]
    assert pair.get(2).note == "  read section 3\n"


def test_split_takes_back_every_merge_and_nested_merges_split_again(pair: Library):
    pair.merge_papers([1, 20])
    pair.merge_papers([2, 1], keep=2)
    assert pair.exists(1) is False
    assert pair.split_paper(2) == [2, 1]
    assert [h["merged_ids"] for h in pair.merge_history(1)] == [[20]]
    assert pair.split_paper(1) == [1, 20]
    assert pair.get(1).title == GEMMA2 and pair.get(20).title == EXTENDED
    pair.merge_papers([1, 20])
    pair.merge_papers([1, 3])
    assert pair.split_paper(1) == [1, 3, 20]


def test_merge_refuses_bad_requests(pair: Library):
    with pytest.raises(RefManagerError, match="^choose at least two different papers to merge$"):
        pair.merge_papers([1, 1])
    with pytest.raises(RefManagerError, match="^no paper with id 99$"):
        pair.merge_papers([1, 99])
    with pytest.raises(RefManagerError, match="^paper 5 is not one of the papers to merge$"):
        pair.merge_papers([1, 20], keep=5)
    with pytest.raises(ValidationError, match="^read: this field cannot be chosen in a merge$"):
        pair.merge_papers([1, 20], {"read": 1})
    with pytest.raises(ValidationError, match="^title: paper 5 is not one of the papers to merge$"):
        pair.merge_papers([1, 20], {"title": 5})
    assert pair.count(View()) == 20


# ------------------------------------------------------------- split by source
def test_split_by_source_makes_each_entry_its_own_paper(seeded: Library):
    before = dump_without_history(seeded)
    seeded.add_tags([1], ["gemma"])
    with_tag = dump_without_history(seeded)
    assert before != with_tag
    assert [s["kind"] for s in seeded.paper_sources(1)] == ["full", "profile"]
    assert seeded.split_paper(1) == [1, 22]
    p = seeded.get(1)
    assert (p.title, p.tags, p.incomplete) == (GEMMA2, ["gemma"], False)
    assert p.abstract.endswith("We release all our models to the community.")
    q = seeded.get(22)
    assert (q.title, q.authors, q.et_al, q.incomplete, q.tags) == (
        None, ["Thomas Mesnard"], True, True, []
    )
    assert q.abstract.endswith("In this new version, we apply several known technical…")
    assert [(s["kind"], s["line"]) for s in seeded.paper_sources(22)] == [("profile", 7)]
    assert seeded.count(View()) == 22 and seeded.counts()["incomplete"] == 3
    assert seeded.undo() == "Split 'Gemma 2: Improving Open Language Models at a Prac…' into 2 papers"
    assert dump_without_history(seeded) == with_tag
    fts_ok(seeded)


def test_split_by_source_keeps_user_edits(seeded: Library):
    seeded.edit_paper(4, title="Gemma 3 report")
    assert seeded.split_paper(4) == [4, 22]
    assert seeded.get(4).title == "Gemma 3 report" and seeded.get(22).title is None


def test_a_paper_with_one_source_cannot_be_split(seeded: Library):
    for pid in (18, 20):
        with pytest.raises(RefManagerError) as e:
            seeded.split_paper(pid)
        assert str(e.value) == f"paper {pid} has a single source and was not merged by hand: there is nothing to split"
    with pytest.raises(RefManagerError, match="^no paper with id 77$"):
        seeded.split_paper(77)
