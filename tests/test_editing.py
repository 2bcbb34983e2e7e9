"""Editing papers by hand (issue 8): validation, edits that imports respect, review, trash, undo of imports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refmanager.core.errors import RefManagerError, ValidationError
from refmanager.core.library import Library, View

from .conftest import FULL_SEED, PROFILE_SEED, dump

GEMMA2 = "Gemma 2: Improving Open Language Models at a Practical Size"
GEMMA2_ABSTRACT_END = "We release all our models to the community."


def full_seed_entry(n: int) -> list[str]:
    """The three lines of the n-th entry (1-based) of the full seed listing."""
    lines = FULL_SEED.read_text(encoding="utf-8").split("\n")
    return lines[3 * (n - 1) : 3 * n]


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2024-02-30", "impossible date '2024-02-30': use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("date", "2024/02/03", "invalid date '2024/02/03' (expected YYYY-MM-DD): use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("date", "2023-13", "impossible date '2023-13': use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("arxiv_id", "2408.001", "not an arXiv identifier: '2408.001' (expected e.g. 2408.00118 or hep-th/9901001)"),
        ("doi", "11.1234/x", "not a DOI: '11.1234/x' (expected 10.NNNN/...)"),
        ("doi", "10.12/x", "not a DOI: '10.12/x' (expected 10.NNNN/...)"),
        ("category", "not a category", "not an arXiv category: 'not a category' (expected e.g. cs.LG)"),
        ("title", "   ", "a title cannot be empty"),
        ("et_al", "yes", "expected true or false"),
        ("authors", 42, "expected a list of names"),
        ("read", True, "this field cannot be edited"),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(seeded: Library, field, value, message):
    before = dump(seeded)
    with pytest.raises(ValidationError) as e:
        seeded.edit_paper(1, **{field: value})
    assert (e.value.field, e.value.message) == (field, message)
    assert str(e.value) == f"{field}: {message}"
    assert isinstance(e.value, RefManagerError)
    assert dump(seeded) == before


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("date", "2024", "2024"),
        ("date", "2024-07", "2024-07"),
        ("date", " 2024-02-29 ", "2024-02-29"),
        ("arxiv_id", "2408.00118v2", "2408.00118"),
        ("arxiv_id", "arXiv:2408.00118", "2408.00118"),
        ("arxiv_id", "https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("doi", "https://doi.org/10.48550/arXiv.2408.00118", "10.48550/arXiv.2408.00118"),
        ("doi", "doi:10.1000/xyz123", "10.1000/xyz123"),
        ("category", "LG", "cs.LG"),
        ("category", "cs.cl", "cs.CL"),
        ("category", "hep-th", "hep-th"),
        ("journal", "  Nature 123,  45 ", "Nature 123, 45"),
        ("title", "  Gemma 2:\n Open   Models ", "Gemma 2: Open Models"),
        ("authors", ["  Ada  Lovelace", "", "Charles Babbage "], ["Ada Lovelace", "Charles Babbage"]),
        ("authors", "Ada Lovelace; Charles Babbage", ["Ada Lovelace", "Charles Babbage"]),
        ("orgs", ["deepmind", "mit"], ["deepmind", "mit"]),
    ],
)
def test_valid_values_are_normalised(seeded: Library, field, typed, stored):
    assert seeded.edit_paper(2, **{field: typed}) == [field]
    assert getattr(seeded.get(2), field) == stored


def test_arxiv_id_of_another_paper_names_that_paper(seeded: Library):
    seeded.edit_paper(1, arxiv_id="2408.00118")
    with pytest.raises(ValidationError) as e:
        seeded.edit_paper(2, arxiv_id="arXiv:2408.00118v1")
    assert e.value.field == "arxiv_id"
    assert e.value.message == (
        f"arXiv:2408.00118 is already paper 1 ({GEMMA2!r}); merge the two papers instead"
    )
    seeded.trash([1])
    with pytest.raises(ValidationError, match=r"already paper 1 \('Gemma 2: .*', in the trash\)"):
        seeded.edit_paper(2, arxiv_id="2408.00118")
    assert seeded.get(2).arxiv_id is None


def test_edit_marks_fields_keeps_imported_values_and_is_one_undo_step(seeded: Library):
    assert seeded.edit_paper(1, title="Gemma 2 (second generation)", date="2024-07", et_al=True) == ["title", "date"]
    p = seeded.get(1)
    assert p.title == "Gemma 2 (second generation)"
    assert p.date == "2024-07" and p.et_al is True
    assert p.edited_fields == ["title", "date"]
    assert p.alternatives == {"title": [GEMMA2], "date": ["2024-07-31"]}
    assert [x.id for x in seeded.search('"second generation"')[0]] == [1]  # the full-text index follows
    assert seeded.undo_label() == "Edit title, date of 'Gemma 2: Improving Open Language Models at a Prac…'"
    assert seeded.edit_paper(1, title="Gemma 2 (second generation)") == []  # nothing changed, no undo step
    assert seeded.undo_label() == "Edit title, date of 'Gemma 2: Improving Open Language Models at a Prac…'"
    seeded.undo()
    p = seeded.get(1)
    assert (p.title, p.date, p.edited_fields, p.alternatives) == (GEMMA2, "2024-07-31", [], {})
    seeded.redo()
    assert seeded.get(1).title == "Gemma 2 (second generation)"


def test_editing_authors_marks_et_al_too(seeded: Library):
    seeded.edit_paper(5, authors=["Shangmin Guo", "Biao Zhang"], et_al=False)
    p = seeded.get(5)
    assert (p.authors, p.et_al) == (["Shangmin Guo", "Biao Zhang"], False)
    assert p.edited_fields == ["authors", "et_al"]
    assert p.alternatives == {"authors": [["Shangmin Guo", "Biao Zhang", "Tianlin Liu"]]}
    assert seeded.search("author:Tianlin")[0] == []  # the search columns follow
    assert [x.id for x in seeded.search("author:Shangmin")[0]] == [5]


def test_editing_back_to_an_alternative_drops_it(seeded: Library):
    seeded.edit_paper(3, title="Gemma v1")
    seeded.edit_paper(3, title="Gemma: Open Models Based on Gemini Research and Technology")
    p = seeded.get(3)
    assert p.alternatives == {}
    assert p.edited_fields == ["title"]


def test_titling_an_incomplete_paper_completes_it(seeded: Library):
    assert seeded.counts()["incomplete"] == 2
    seeded.edit_paper(20, title="A Survey of Temporal Credit Assignment in Deep Reinforcement Learning")
    p = seeded.get(20)
    assert p.incomplete is False and p.edited_fields == ["title"]
    assert seeded.counts()["incomplete"] == 1
    assert seeded.search('"temporal credit"')[0][0].id == 20


def test_a_paper_without_title_keeps_its_abstract(seeded: Library):
    with pytest.raises(ValidationError, match="^abstract: a paper without a title needs its abstract$"):
        seeded.edit_paper(21, abstract="  ")


def test_unknown_paper(seeded: Library):
    with pytest.raises(RefManagerError, match="^no paper with id 99$"):
        seeded.edit_paper(99, title="x")


# ------------------------------------------------------- edits and later imports
def test_reimport_keeps_the_edited_title_and_says_so(seeded: Library):
    seeded.edit_paper(1, title="Gemma 2 technical report")
    r = seeded.import_paths([FULL_SEED])
    assert (r.added, r.merged, r.unchanged) == (0, 0, 19)
    assert r.files[0].notes == ["line 1: kept your edit of title"]
    assert "  line 1: kept your edit of title" in r.lines()
    p = seeded.get(1)
    assert p.title == "Gemma 2 technical report"
    assert p.alternatives == {"title": [GEMMA2]}
    assert seeded.count(View()) == 21


def test_changed_entry_merges_by_the_replaced_title_and_keeps_the_edit(seeded: Library):
    seeded.edit_paper(1, title="Gemma 2 technical report")
    cat, line, abstract = full_seed_entry(1)
    text = "\n".join([cat, line, abstract + " A sentence added in a later listing."]) + "\n"
    r = seeded.import_text(text, "later.txt")
    assert (r.added, r.merged) == (0, 1)  # matched through the replaced title, not added again
    assert r.files[0].notes == ["line 1: kept your edit of title"]
    p = seeded.get(1)
    assert p.title == "Gemma 2 technical report"
    assert p.abstract.endswith(GEMMA2_ABSTRACT_END + " A sentence added in a later listing.")
    assert seeded.count(View()) == 21


def test_longer_imported_abstract_does_not_replace_an_edited_one(seeded: Library):
    seeded.edit_paper(1, abstract="My own summary of Gemma 2.")
    cat, line, abstract = full_seed_entry(1)
    r = seeded.import_text("\n".join([cat, line, abstract + " More."]) + "\n", "later.txt")
    assert (r.added, r.merged) == (0, 1)
    assert r.files[0].notes == ["line 1: kept your edit of abstract"]
    p = seeded.get(1)
    assert p.abstract == "My own summary of Gemma 2."
    assert p.alternatives["abstract"] == [abstract, abstract + " More."]  # as imported, oldest first
    assert abstract.endswith(GEMMA2_ABSTRACT_END)


def test_profile_line_does_not_count_as_disagreeing_with_edited_authors(tmp_path: Path):
    lib = Library(tmp_path / "l.db")
    lib.import_paths([FULL_SEED])
    lib.edit_paper(1, authors=["Gemma Team", "Morgane Riviere", "Shreya Pathak", "Thomas Mesnard"], et_al=False)
    r = lib.import_paths([PROFILE_SEED])
    assert (r.added, r.merged) == (2, 18)
    assert r.files[0].notes == []
    assert lib.get(1).authors == ["Gemma Team", "Morgane Riviere", "Shreya Pathak", "Thomas Mesnard"]


# ---------------------------------------------------------------- needs review
UNSURE = "LGJan 5, 2023\nWhat Is AIMax\nA short abstract about a paper whose split nobody can be sure of.\n"


def test_review_options_pick_split_and_back(lib: Library):
    (pid,) = lib.import_text(UNSURE, "unsure.txt").added_ids
    assert lib.counts()["review"] == 1
    opts = lib.review_options(pid)
    assert opts == {
        "id": pid, "raw_line": "What Is AIMax", "confidence": 0.32, "needs_review": True,
        "current": {"title": "What Is AI", "authors": ["Max"]},
        "alternatives": [{"title": "What Is A", "authors": ["IMax"], "score": opts["alternatives"][0]["score"]}],
    }
    lib.pick_split(pid, 0)
    p = lib.get(pid)
    assert (p.title, p.authors, p.needs_review) == ("What Is A", ["IMax"], False)
    assert p.edited_fields == ["title", "authors", "et_al"]
    assert p.alternatives == {"title": ["What Is AI"], "authors": [["Max"]]}
    assert lib.review_options(pid)["alternatives"] == [{"title": "What Is AI", "authors": ["Max"], "score": None}]
    assert lib.counts()["review"] == 0
    assert lib.undo_label() == "Use another title/author split for 'What Is AI'"
    lib.pick_split(pid, 0)  # and back: the alternatives swap again
    p = lib.get(pid)
    assert (p.title, p.authors) == ("What Is AI", ["Max"])
    assert lib.review_options(pid)["alternatives"][0] == {"title": "What Is A", "authors": ["IMax"], "score": None}


def test_accept_review_and_undo(lib: Library):
    (pid,) = lib.import_text(UNSURE, "unsure.txt").added_ids
    assert lib.accept_review(pid) is True
    assert lib.get(pid).needs_review is False and lib.counts()["review"] == 0
    assert lib.get(pid).title == "What Is AI"
    assert lib.accept_review(pid) is False  # nothing to accept
    assert lib.undo() == "Accept title/author split of 'What Is AI'"
    assert lib.get(pid).needs_review is True


def test_pick_split_refuses_a_missing_alternative(seeded: Library):
    with pytest.raises(ValidationError, match=r"^split: no split number 3: paper 6 has 3 \(0 to 2\)$"):
        seeded.pick_split(6, 3)
    with pytest.raises(ValidationError, match="^split: paper 20 has no other title/author split$"):
        seeded.pick_split(20, 0)


def test_pick_split_of_a_seed_paper(seeded: Library):
    opts = seeded.review_options(6)
    assert opts["raw_line"] == (
        "PaliGemma 2: A Family of Versatile VLMs for TransferAndreas Steiner, André Susano Pinto, "
        "Michael Tschannen et al."
    )
    assert opts["current"] == {
        "title": "PaliGemma 2: A Family of Versatile VLMs for Transfer",
        "authors": ["Andreas Steiner", "André Susano Pinto", "Michael Tschannen"],
    }
    assert [a["title"] for a in opts["alternatives"]] == [
        "PaliGemma 2: A Family of Versatile VL", "PaliGemma 2: A Family of Versatile V", "Pali",
    ]
    seeded.pick_split(6, 2)
    p = seeded.get(6)
    assert p.title == "Pali" and p.et_al is True
    assert p.authors[0] == "Gemma 2: A Family of Versatile VLMs for TransferAndreas Steiner"


# ---------------------------------------------------------------------- trash
def test_reimport_does_not_bring_papers_back_from_the_trash(seeded: Library):
    seeded.trash([1, 20])
    r = seeded.import_paths([FULL_SEED, PROFILE_SEED])
    assert (r.added, r.merged, r.unchanged) == (0, 0, 39)
    assert seeded.get(1).trashed is True and seeded.get(20).trashed is True
    assert seeded.count(View()) == 19
    assert 1 not in seeded.all_ids() and seeded.all_ids(trash=True) == [1, 20]
    assert seeded.search('"Practical Size"')[0] == []
    assert [p.id for p in seeded.search('"Practical Size"', trash=True)[0]] == [1]
    assert {p["id"] for p in seeded.export_json()} == set(range(2, 20)) | {21}


def test_changed_entry_merges_into_a_trashed_paper_and_leaves_it_there(seeded: Library):
    seeded.trash([4])
    cat, line, abstract = full_seed_entry(4)
    r = seeded.import_text("\n".join([cat, line, abstract + " Updated."]) + "\n", "later.txt")
    assert (r.added, r.merged) == (0, 1)
    p = seeded.get(4)
    assert p.trashed is True and p.abstract.endswith(" Updated.")
    json_export = json.dumps([{"title": "Gemma 3 Technical Report", "trashed": False}])
    r = seeded.import_text(json_export, "export.json")
    assert (r.added, r.merged) == (0, 1)
    assert seeded.get(4).trashed is True
    assert seeded.count(View()) == 20 and seeded.count(View(section="trash")) == 1


# --------------------------------------------------------------- undo imports
def dump_without_history(lib: Library) -> list[str]:
    """The library as SQL, without the undo history, the import log, the FTS index's pages and
    each paper's change counter (``version`` only goes up: an undo is a change too)."""
    skip = ('"undo_log"', '"imports"', '"papers_fts_')
    return [re.sub(r",\d+\);$", ",0);", line) if line.startswith('INSERT INTO "papers"') else line
            for line in lib.db.conn.iterdump() if not any(s in line[:40] for s in skip)]


def fts_ok(lib: Library) -> None:
    lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_undo_of_an_import_takes_back_exactly_that_import(lib: Library):
    lib.import_paths([FULL_SEED])
    before = dump_without_history(lib)
    assert len(before) > 19
    r = lib.import_paths([PROFILE_SEED])
    assert (r.added, r.merged) == (2, 18)
    after = dump_without_history(lib)
    assert lib.undo() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    assert lib.count(View()) == 19
    assert dump_without_history(lib) == before
    assert lib.db.q("SELECT count(*) FROM sources")[0][0] == 19
    fts_ok(lib)
    assert lib.search('"longstanding challenge"')[0] == []
    assert lib.redo() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    assert lib.count(View()) == 21
    assert dump_without_history(lib) == after
    fts_ok(lib)
    assert [p.id for p in lib.search('"longstanding challenge"')[0]] == [20]


def test_undo_of_an_import_restores_merged_papers_edits_and_tags(lib: Library):
    lib.import_paths([FULL_SEED])
    lib.add_tags([1], ["gemma"])
    lib.edit_paper(1, abstract="My summary.")
    before = dump_without_history(lib)
    cat, line, abstract = full_seed_entry(1)
    r = lib.import_text("\n".join([cat, line, abstract + " More."]) + "\n", "later.txt")
    assert r.merged == 1 and lib.get(1).alternatives["abstract"][-1].endswith(" More.")
    lib.undo()
    assert dump_without_history(lib) == before
    p = lib.get(1)
    assert (p.abstract, p.tags, len(lib.paper_sources(1))) == ("My summary.", ["gemma"], 1)


def test_undo_history_survives_closing_the_library(tmp_path: Path):
    path = tmp_path / "l.db"
    lib = Library(path)
    lib.import_paths([FULL_SEED])
    lib.import_paths([PROFILE_SEED])
    lib.edit_paper(2, title="Curiosity in Hindsight")
    lib.close()
    lib = Library(path)
    assert lib.undo() == "Edit title of 'Curiosity in Hindsight: Intrinsic Exploration in…'"
    assert lib.undo_label() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    lib.close()
    lib = Library(path)
    assert lib.undo() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    assert lib.count(View()) == 19
    lib.close()
    lib = Library(path)
    assert lib.redo_label() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    assert lib.redo() == "import of 001_a6301b2403d71b79.txt: 20 papers"
    assert lib.count(View()) == 21
    assert lib.redo() == "Edit title of 'Curiosity in Hindsight: Intrinsic Exploration in…'"
    assert lib.get(2).title == "Curiosity in Hindsight"
    lib.close()


