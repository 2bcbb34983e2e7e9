"""Another program writes the library while this one has it open (issue 16, items 4-7):
undo does what its label said or nothing, edits keep the other program's value, and the
library file deleted, replaced or left without its write-ahead log loses nothing.

"Another program" is a second ``Library`` on the same file: its own SQLite connection,
exactly what the command line is to the app."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from refmanager.core.errors import HistoryMoved, LibraryFileGone
from refmanager.core.library import Library

PAPERS = [
    {"title": "Attention Is All You Need", "authors": ["Ashish Vaswani"], "date": "2017-06-12"},
    {"title": "Deep Residual Learning", "authors": ["Kaiming He"], "date": "2015"},
]


@pytest.fixture
def two(tmp_path: Path):
    """The app's library and another program's, on one file (two papers: ids 1 and 2)."""
    path = tmp_path / "library.db"
    app = Library(path)
    app.import_text(json.dumps(PAPERS), "papers.json")
    other = Library(path)
    yield app, other
    for lib in (other, app):
        try:
            lib.close()
        except Exception:
            pass


def tags_of(lib: Library, pid: int) -> list[str]:
    p = lib.get(pid)
    assert p is not None
    return sorted(p.tags)


# --------------------------------------------------------------- the history
def test_undo_takes_back_what_the_menu_said_or_nothing(two):
    app, other = two
    app.add_tags([1], ["mine"])
    shown = app.undo_label()
    assert shown == "Add tag 'mine'"
    other.add_tags([1], ["theirs"])  # (the command line, after the app drew its Edit menu)
    with pytest.raises(HistoryMoved, match="the newest action is now \"Add tag 'theirs'\""):
        app.undo(expect=shown)
    assert tags_of(app, 1) == ["mine", "theirs"]  # nothing undone
    assert app.undo_label() == "Add tag 'theirs'"
    assert app.undo(expect=app.undo_label()) == "Add tag 'theirs'"
    assert app.undo(expect="Add tag 'mine'") == "Add tag 'mine'"
    assert tags_of(app, 1) == []


def test_data_version_moves_with_other_writers_only(two):
    app, other = two
    seen = app.data_version()
    app.add_tags([1], ["mine"])
    assert app.data_version() == seen  # (its own writes are shown already)
    other.set_starred([2], True)
    assert app.data_version() != seen


# ---------------------------------------------------- an edit over a change
def test_an_edit_over_another_programs_edit_keeps_both(two):
    app, other = two
    seen = app.get(1)
    assert seen is not None and seen.title == "Attention Is All You Need"
    other.edit_paper(1, journal="NeurIPS")
    done = app.edit_paper(1, expected={"journal": seen.journal}, journal="NIPS 2017")
    assert list(done) == ["journal"]
    assert done.kept == {"journal": "NeurIPS"}
    assert app.get(1).journal == "NIPS 2017"
    kept = app.db.q("SELECT value FROM alternatives WHERE paper_id = 1 AND field = 'journal'")
    assert [json.loads(v) for (v,) in kept] == ["NeurIPS"]


def test_an_edit_over_what_it_saw_keeps_nothing_extra(two):
    app, _other = two
    done = app.edit_paper(1, expected={"journal": None}, journal="NIPS 2017")
    assert list(done) == ["journal"] and done.kept == {}
    assert app.db.q("SELECT value FROM alternatives WHERE paper_id = 1 AND field = 'journal'") == []


# ------------------------------------------------------- the file under us
def test_a_deleted_library_file_stops_writes_and_can_be_saved_elsewhere(two, tmp_path):
    app, other = two
    app.add_tags([1], ["before"])
    other.close()
    os.unlink(app.path)
    assert app.file_problem() == (f"{app.path}: the library file was deleted while it was open; "
                                  "nothing more is written to it")
    with pytest.raises(LibraryFileGone, match="was deleted while it was open"):
        app.add_tags([2], ["after"])
    assert tags_of(app, 2) == []
    saved = app.save_copy(tmp_path / "saved.db")
    app.close()
    assert not app.path.exists()  # (nothing made again at the old path)
    with Library(saved, create=False) as copy:
        assert [p.title for p in copy.get_many([1, 2])] == [PAPERS[0]["title"], PAPERS[1]["title"]]
        assert tags_of(copy, 1) == ["before"]
        assert copy.undo_label() == "Add tag 'before'"  # (the history came along)
        copy.add_tags([2], ["after"])  # (a library like any other)
        assert tags_of(copy, 2) == ["after"]


def test_a_replaced_library_file_is_left_to_its_new_owner(two, tmp_path):
    app, other = two
    other.close()
    elsewhere = tmp_path / "elsewhere.db"
    with Library(elsewhere) as lib:
        lib.import_text(json.dumps([{"title": "Quokkas", "authors": ["Alan Turing"]}]), "q.json")
    os.replace(elsewhere, app.path)  # (a sync tool puts its copy in place)
    assert "was replaced by another file while it was open" in (app.file_problem() or "")
    with pytest.raises(LibraryFileGone):
        app.set_note(1, "typed after the file was replaced")
    with Library(app.path, create=False) as now:
        assert [p.title for p in now.get_many(now.all_ids())] == ["Quokkas"]
        assert now.undo_label() == "import of q.json: 1 paper"


def test_an_emptied_library_file_is_no_longer_written(two):
    app, other = two
    other.close()
    os.truncate(app.path, 0)
    assert "was emptied while it was open" in (app.file_problem() or "")
    with pytest.raises(LibraryFileGone):
        app.set_starred([1], True)
    assert os.path.getsize(app.path) == 0


def test_a_deleted_wal_loses_nothing_the_app_committed(tmp_path):
    """The issue's case: the app commits a tag and a note, another program deletes the
    -wal; at the next close (the app's read-only query connection closing last) the tag and
    the note are still in the library."""
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_text(json.dumps(PAPERS), "papers.json")
    app = Library(path)
    app.db.checkpoint_after_write = True  # (what the app's session sets)
    reader = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)  # (its query thread)
    assert reader.execute("SELECT count(*) FROM papers").fetchone() == (2,)
    app.add_tags([1], ["kept"])
    app.set_note(1, "a note")
    os.unlink(path.with_name(path.name + "-wal"))
    app.close()
    reader.close()
    with Library(path, create=False) as again:
        assert tags_of(again, 1) == ["kept"]
        assert again.get(1).note == "a note"


def test_a_deleted_wal_is_mended_and_later_writes_kept(tmp_path):
    """Without the app's checkpoints (another program's writes sit in the log): the
    handle sees the log gone at its next write or check, saves what the log held into the
    library file, and goes on with a new log."""
    path = tmp_path / "library.db"
    app = Library(path)
    app.import_text(json.dumps(PAPERS), "papers.json")
    with app.db.pragma("wal_autocheckpoint", 0):
        app.add_tags([1], ["in the log"])
        wal = path.with_name(path.name + "-wal")
        assert app.file_problem() is None and wal.stat().st_size > 0  # (seen: the log is there)
        os.unlink(wal)
        assert app.file_problem() is None  # (mended, not a problem)
        assert wal.exists()
        app.add_tags([2], ["after"])
    reader = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    names = reader.execute(
        "SELECT p.paper_id, t.name FROM paper_tags p JOIN tags t ON t.id = p.tag_id ORDER BY 1").fetchall()
    reader.close()
    app.close()
    assert names == [(1, "in the log"), (2, "after")]
