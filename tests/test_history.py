"""Undo by change (issue 16, items 1-3 and 5-6): each reproduction, as the issue tells it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from refmanager.core.errors import PaperGone
from refmanager.core.library import Library
from refmanager.core.store import history as history_mod
from refmanager.core.store.marking import CONFLICT_HEADER, NOTE_KEPT_BOTH, NOTE_SAVED

from .conftest import FULL_SEED


def test_undoing_a_tag_keeps_the_note_typed_since(seeded: Library):
    seeded.add_tags([1], ["x"])
    seeded.set_note(1, "typed after the tag", session="s1")
    seeded.set_note(1, "typed after the tag, and more", session="s1")  # (the same session: one step)
    assert seeded.undo() == "Edit note of paper 1"
    assert seeded.get(1).note is None and seeded.get(1).tags == ["x"]
    assert seeded.redo() == "Edit note of paper 1"
    assert seeded.get(1).note == "typed after the tag, and more"
    # the tag is undone alone: the note stays
    seeded.db.execute("DELETE FROM undo_log WHERE label LIKE 'Edit note%'")
    assert seeded.undo() == "Add tag 'x'"
    assert seeded.get(1).tags == [] and seeded.get(1).note == "typed after the tag, and more"
    assert seeded.redo() == "Add tag 'x'"
    assert seeded.get(1).tags == ["x"] and seeded.get(1).note == "typed after the tag, and more"


def cli(lib: Path, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "refmanager", "--library", str(lib), *args],
                       capture_output=True, text=True, check=True)
    return r.stdout


def test_the_command_line_undoes_star_and_tag_but_not_read(tmp_path: Path):
    path = tmp_path / "l.db"
    cli(path, "import", str(FULL_SEED))
    cli(path, "tag", "1", "x")
    cli(path, "read", "1")
    cli(path, "star", "1")
    assert cli(path, "undo") == "undo: Star\n"
    assert cli(path, "undo") == "undo: Add tag 'x'\n"
    with Library(path) as lib:
        p = lib.get(1)
        assert (p.read, p.starred, p.tags) == (True, False, [])


def test_the_history_cannot_jam_on_a_reused_tag_name(seeded: Library):
    seeded.add_tags([1], ["x"])
    seeded.add_tags([1], ["y"])
    seeded.delete_tag("x")
    seeded.add_tags([2], ["x"])
    labels = [seeded.undo() for _ in range(4)]
    assert labels == ["Add tag 'x'", "Delete tag 'x'", "Add tag 'y'", "Add tag 'x'"]
    assert all(label.conflicts == () for label in labels)
    assert seeded.get(1).tags == [] and seeded.get(2).tags == [] and seeded.tag_names() == []
    for _ in range(4):
        assert seeded.redo() is not None
    assert seeded.get(1).tags == ["y"] and seeded.get(2).tags == ["x"]


def test_rename_and_merge_then_reuse_the_name(seeded: Library):
    seeded.add_tags([1], ["a"])
    seeded.add_tags([2], ["b"])
    seeded.rename_tag("a", "c")
    seeded.add_tags([3], ["a"])  # the old name again, a new tag row
    seeded.merge_tag("b", "c")
    seeded.add_tags([4], ["b"])
    while (done := seeded.undo()) is not None:
        assert done.conflicts == ()
    assert seeded.tag_names() == [] and all(not p.tags for p in seeded.get_many(seeded.all_ids()))


def test_more_than_200_actions_can_be_undone(seeded: Library):
    for i in range(250):
        pid = 1 + i % 21
        seeded.set_starred([pid], not seeded.get(pid).starred)
    n = 0
    while not seeded.undo_label().startswith("import"):
        seeded.undo()
        n += 1
    assert n == 250
    assert not any(p.starred for p in seeded.get_many(seeded.all_ids()))


def test_the_history_is_bounded_by_size_the_newest_kept(seeded: Library, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(history_mod, "HISTORY_MAX_CHARS", 20_000)
    for i in range(200):
        seeded.edit_paper(1 + i % 5, abstract=f"version {i} " + "x" * 200)
    seeded.history._trim()
    size, oldest = seeded.db.one("SELECT sum(size), min(id) FROM undo_log")
    assert 0 < size <= 20_000
    assert seeded.undo_label().startswith("Edit abstract of")  # the newest are there
    assert oldest > 1  # the oldest went


def test_undo_says_what_another_program_changed_since_and_leaves_it(seeded: Library):
    seeded.edit_paper(3, title="Mine")
    other = sqlite3.connect(seeded.path)
    other.execute("UPDATE papers SET title = 'Theirs' WHERE id = 3")
    other.commit()
    other.close()
    done = seeded.undo()
    assert done.startswith("Edit title of")
    assert done.conflicts == ("paper 3 'Theirs': its title was changed since: left as it is",)
    assert seeded.get(3).title == "Theirs"


def test_undo_of_an_import_keeps_a_paper_worked_on_since(lib: Library):
    lib.import_paths([FULL_SEED])
    lib.history.db.execute("DELETE FROM undo_log WHERE label NOT LIKE 'import%'")
    lib.db.execute("UPDATE papers SET note = 'written by another program' WHERE id = 5")
    done = lib.undo()
    assert done.startswith("import of")
    assert done.conflicts[0].startswith("paper 5 ") and done.conflicts[0].endswith("was changed since: kept")
    assert lib.all_ids() == [5] and lib.get(5).note == "written by another program"


def test_a_note_written_meanwhile_by_another_program_is_kept(seeded: Library):
    seeded.set_note(2, "first text")
    # another program writes the note while the app's editor holds "first text"
    other = sqlite3.connect(seeded.path)
    other.execute("UPDATE papers SET note = 'their text' WHERE id = 2")
    other.commit()
    other.close()
    outcome = seeded.set_note(2, "first text, and mine", session="s", expected="first text")
    assert outcome == NOTE_KEPT_BOTH
    note = seeded.get(2).note
    assert note.startswith("first text, and mine\n\n")
    assert CONFLICT_HEADER.split("(")[0] in note and note.endswith("\ntheir text")
    # nothing changed meanwhile: a plain save
    assert seeded.set_note(2, "clean", expected=note) == NOTE_SAVED


def test_acting_on_a_paper_merged_away_says_so(seeded: Library):
    other = Library(seeded.path)
    other.merge_papers([4, 5])
    other.close()
    gone = 5 if seeded.exists(4) else 4
    for action in (lambda: seeded.add_tags([gone], ["x"]), lambda: seeded.set_starred([gone]),
                   lambda: seeded.set_note(gone, "x"), lambda: seeded.edit_paper(gone, title="x")):
        with pytest.raises(PaperGone, match=f"^no paper with id {gone}$"):
            action()
    assert seeded.tag_names() == []
