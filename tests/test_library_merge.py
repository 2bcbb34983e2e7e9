"""Import semantics: merge never double, order independence, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.core.library import Library, View

from .conftest import FULL_SEED, PROFILE_SEED, dump

# The two profile lines that match nothing in the full listing.
CAP_LINE = "The Credit Assignment Problem (CAP) refers to the longstanding challenge"
RLHF_LINE = "Reinforcement learning from human feedback (RLHF) has emerged as the main paradigm"


def comparable(lib: Library) -> list[tuple]:
    """Papers without ids or timestamps, for comparing two libraries."""
    out = []
    for p in lib.export_json():
        out.append(
            (p["title"], tuple(p["authors"]), p["et_al"], tuple(p["orgs"]), p["date"], p["category"],
             p["abstract"], p["incomplete"], tuple(p["tags"]), p["note"])
        )
    return sorted(out, key=repr)


def test_full_then_profile_gives_21(lib: Library):
    r1 = lib.import_paths([FULL_SEED])
    assert (r1.added, r1.merged, r1.unchanged) == (19, 0, 0)
    r2 = lib.import_paths([PROFILE_SEED])
    assert (r2.added, r2.merged, r2.unchanged) == (2, 18, 0)
    assert lib.count(View()) == 21
    incomplete = [p for p in lib.export_json() if p["incomplete"]]
    assert sorted(p["abstract"][:70] for p in incomplete) == sorted(
        [CAP_LINE[:70], RLHF_LINE[:70]]
    )
    for p in incomplete:
        assert p["title"] is None
        assert p["authors"] == ["Thomas Mesnard"]
        assert p["et_al"] is True


def test_profile_then_full_gives_same_library(tmp_path: Path):
    a = Library(tmp_path / "a.db")
    a.import_paths([FULL_SEED])
    a.import_paths([PROFILE_SEED])
    b = Library(tmp_path / "b.db")
    rb1 = b.import_paths([PROFILE_SEED])
    assert (rb1.added, rb1.merged) == (20, 0)
    rb2 = b.import_paths([FULL_SEED])
    assert (rb2.added, rb2.merged) == (1, 18)
    assert b.count(View()) == 21
    assert comparable(a) == comparable(b)


def test_rlhf_trap_line_is_a_different_paper(seeded: Library):
    rlaif = seeded.search('"RLAIF vs. RLHF"')[0]
    assert len(rlaif) == 1
    assert rlaif[0].abstract.startswith("Reinforcement learning from human feedback (RLHF) has proven effective")
    trap = [p for p in seeded.export_json() if (p["abstract"] or "").startswith(RLHF_LINE)]
    assert len(trap) == 1 and trap[0]["incomplete"] and trap[0]["id"] != rlaif[0].id


def test_full_entry_completes_incomplete_paper_and_longer_abstract_wins(tmp_path: Path):
    lib = Library(tmp_path / "l.db")
    lib.import_paths([PROFILE_SEED])
    hits = [p for p in lib.export_json() if p["abstract"].startswith("We introduce RecurrentGemma")]
    assert len(hits) == 1 and hits[0]["incomplete"]
    pid = hits[0]["id"]
    lib.import_paths([FULL_SEED])
    p = lib.get(pid)
    assert p.title == "RecurrentGemma: Moving Past Transformers for Efficient Open Language Models"
    assert p.authors == ["Aleksandar Botev", "Soham De", "Samuel L Smith"]
    assert p.orgs == ["deepmind"]
    assert p.date == "2024-04-11" and p.category == "cs.LG"
    assert p.incomplete is False
    assert p.abstract.endswith(
        "comparable performance to similarly-sized Gemma baselines despite being trained on fewer tokens."
    )


def test_reimport_changes_nothing_and_says_so(seeded: Library):
    before = dump(seeded)
    r = seeded.import_paths([FULL_SEED, PROFILE_SEED])
    assert (r.added, r.merged, r.unchanged) == (0, 0, 39)
    assert "Nothing changed" in r.lines()[-1]
    assert dump(seeded) == before


def test_tags_and_notes_survive_reimport_and_merge(tmp_path: Path):
    lib = Library(tmp_path / "l.db")
    lib.import_paths([PROFILE_SEED])
    p = [p for p in lib.export_json() if p["abstract"].startswith("We introduce VaultGemma")][0]
    lib.add_tags([p["id"]], ["privacy", "To Read"])
    lib.set_note(p["id"], "check the DP accounting")
    lib.import_paths([FULL_SEED])  # merges the full entry into this paper
    lib.import_paths([PROFILE_SEED, FULL_SEED])  # and again
    after = lib.get(p["id"])
    assert after.title == "VaultGemma: A Differentially Private Gemma Model"
    assert after.tags == ["privacy", "To Read"]
    assert after.note == "check the DP accounting"
    assert lib.count(View()) == 21


def test_tags_case_insensitively_unique(seeded: Library):
    seeded.add_tags([1], ["RL"])
    seeded.add_tags([2], ["rl"])
    assert seeded.tag_counts() == [("RL", 2, None)]


def test_rejected_file_leaves_library_exactly_as_it_was(seeded: Library, tmp_path: Path):
    bad = tmp_path / "bad.txt"
    text = FULL_SEED.read_text(encoding="utf-8").split("\n")
    text[30] = "CLFeb 30, 2024"  # line 31: an impossible date
    bad.write_text("\n".join(text), encoding="utf-8")
    before = dump(seeded)
    r = seeded.import_paths([bad])
    assert r.added == 0 and len(r.rejected) == 1
    assert r.rejected[0].line == 31
    assert "impossible date" in r.rejected[0].reason
    assert str(r.rejected[0]).startswith(f"{bad}:31: ")
    assert dump(seeded) == before


def test_good_file_imports_beside_a_rejected_one(lib: Library, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = lib.import_paths([empty, FULL_SEED])
    assert r.added == 19
    assert [(x.file, x.line, x.reason) for x in r.rejected] == [(str(empty), 1, "the file is empty")]


def test_cancel_rolls_back_everything(lib: Library):
    before = dump(lib)
    from refmanager.core.errors import ImportCancelled

    with pytest.raises(ImportCancelled):
        lib.import_paths([FULL_SEED, PROFILE_SEED], cancelled=lambda: True)
    assert dump(lib) == before


def test_arxiv_id_merges_and_is_stored_without_version(lib: Library):
    text = (
        "CLJul 31, 2024\n"
        "Gemma 2: Improving Open Language Models at a Practical SizeGemma Team, Morgane Riviere et al. "
        "https://arxiv.org/abs/2408.00118v2\n"
        "Short abstract about Gemma 2 for the test.\n"
    )
    r = lib.import_text(text, "a.txt")
    assert r.added == 1
    p = lib.get(r.added_ids[0])
    assert p.arxiv_id == "2408.00118"
    assert p.title == "Gemma 2: Improving Open Language Models at a Practical Size"
    r2 = lib.import_paths([FULL_SEED])
    assert r2.added == 18 and r2.merged == 1
    assert lib.get(p.id).abstract.startswith("In this work, we introduce Gemma 2")


def test_undo_restores_deleted_paper_with_tags_and_note(seeded: Library):
    seeded.add_tags([5], ["alignment"])
    seeded.set_note(5, "good baseline")
    seeded.trash([5])
    seeded.empty_trash()
    assert seeded.get(5) is None
    assert seeded.undo() == "Empty trash (1 papers)"
    seeded.undo()  # the move to the trash
    p = seeded.get(5)
    assert p.trashed is False and p.tags == ["alignment"] and p.note == "good baseline"
    assert seeded.search("tag:alignment")[0][0].id == 5


def test_undo_redo_tag_rename(seeded: Library):
    seeded.add_tags([1, 2], ["ml"])
    seeded.rename_tag("ml", "machine learning")
    assert seeded.tag_counts() == [("machine learning", 2, None)]
    assert seeded.undo() == "Rename tag 'ml' to 'machine learning'"
    assert seeded.tag_counts() == [("ml", 2, None)]
    assert seeded.redo() == "Rename tag 'ml' to 'machine learning'"
    assert seeded.tag_counts() == [("machine learning", 2, None)]
    assert seeded.search("machine")[0] and {p.id for p in seeded.search("tag:machine learning")[0]} == set()
    assert {p.id for p in seeded.search('tag:"machine learning"')[0]} == {1, 2}


def test_merge_tag(seeded: Library):
    seeded.add_tags([1], ["rl"])
    seeded.add_tags([2], ["reinforcement"])
    seeded.merge_tag("reinforcement", "rl")
    assert seeded.tag_counts() == [("rl", 2, None)]
    seeded.undo()
    assert seeded.tag_counts() == [("reinforcement", 1, None), ("rl", 1, None)]


def test_library_file_is_private(tmp_path: Path):
    lib = Library(tmp_path / "p.db")
    lib.import_paths([FULL_SEED])
    assert (tmp_path / "p.db").stat().st_mode & 0o777 == 0o600


def test_newer_library_is_refused(tmp_path: Path):
    import sqlite3

    from refmanager.core.errors import LibraryError

    lib = Library(tmp_path / "n.db")
    lib.close()
    c = sqlite3.connect(tmp_path / "n.db")
    c.execute("PRAGMA user_version=99")
    c.close()
    with pytest.raises(LibraryError, match="newer refmanager"):
        Library(tmp_path / "n.db")


def test_not_a_library_is_refused(tmp_path: Path):
    from refmanager.core.errors import LibraryError

    f = tmp_path / "x.db"
    f.write_text("hello, not sqlite at all " * 100)
    with pytest.raises(LibraryError, match="not a refmanager library"):
        Library(f)


def test_tag_counts_leave_out_the_trash(seeded):
    ids = seeded.all_ids()[:3]
    seeded.add_tags(ids, ["to-read"])
    seeded.add_tags(ids[:1], ["keep"])
    seeded.trash(ids[:1])
    assert seeded.tag_counts() == [("keep", 0, None), ("to-read", 2, None)]
    seeded.restore(ids[:1])
    assert seeded.tag_counts() == [("keep", 1, None), ("to-read", 3, None)]
