"""The open window and another program writing the same library (issue 16, items 4-7).

The other program is a second ``Library`` on the file (its own SQLite connection, as the
command line is).  The window's watcher is ticked by hand (``watcher.check()``, what its
timer calls every ``WATCH_MS``), so no test waits on the clock."""

from __future__ import annotations

import json
import os

import pytest

from refmanager.core.library import Library
from refmanager.gui.watcher import WATCH_MS

from .test_main_window import GEMMA, select_title, titles_in_table

NEW = [
    {"title": "Quokkas in the wild", "authors": ["Alan Turing"], "date": "2020"},
    {"title": "A second new paper", "authors": ["Ada Lovelace"], "date": "2021"},
]


@pytest.fixture
def other(window):
    lib = Library(window.lib.path, create=False)
    yield lib
    lib.close()


def id_of(win, title: str) -> int:
    return next(p.id for p in win.lib.get_many(win.lib.all_ids()) if p.title == title)


def test_the_watcher_polls_often_and_cheaply(window):
    assert window.watcher.timer.isActive()
    assert window.watcher.timer.interval() == WATCH_MS <= 1000


def test_an_import_by_another_program_shows_with_its_undo(window, other):
    assert window.view.model.rowCount() == 21
    other.import_text(json.dumps(NEW), "new.json")
    assert window.view.model.rowCount() == 21  # (not seen before the tick)
    window.watcher.check()
    assert window.view.model.rowCount() == 23
    assert "Quokkas in the wild" in titles_in_table(window)
    assert window.sidebar.section_count("all") == 23
    assert window.actions["undo"].text() == "&Undo import of new.json: 2 papers"
    assert window.status_label.text().startswith("23 papers")


def test_a_tag_added_elsewhere_reaches_the_sidebar_and_the_pane(window, other, qtbot):
    select_title(window, qtbot, GEMMA)
    other.add_tags([id_of(window, GEMMA)], ["from the cli"])
    window.watcher.check()
    assert "from the cli" in window.sidebar.tag_names()
    assert "from the cli" in window.detail.paper.tags
    assert window.detail.paper.title == GEMMA  # (still the one selected)


def test_the_selection_stays_where_its_paper_still_exists(window, other, qtbot):
    select_title(window, qtbot, GEMMA)
    gone = next(t for t in titles_in_table(window) if t != GEMMA and not t.startswith("[no title]"))
    other.delete_papers([id_of(window, gone)])
    window.watcher.check()
    assert gone not in titles_in_table(window)
    assert window.view.selected_ids() == [id_of(window, GEMMA)]
    assert window.detail.paper.title == GEMMA
    other.delete_papers([id_of(window, GEMMA)])
    window.watcher.check()
    assert window.view.selected_ids() == []
    assert window.detail.paper is None
    assert window.view.model.rowCount() == 19


def test_undo_after_another_programs_action_does_what_the_menu_said(window, other, dialog_log, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = id_of(window, GEMMA)
    window.detail.addTag.emit("mine")
    assert window.actions["undo"].text() == "&Undo Add tag 'mine'"
    other.add_tags([pid], ["theirs"])  # (before the window's next tick)
    window.actions["undo"].trigger()
    (title, text, _details), = dialog_log.of("warn")
    assert title == "Not done"
    assert text.startswith("nothing undone: another program acted meanwhile, and the newest action is now "
                           "\"Add tag 'theirs'\"")
    assert sorted(window.lib.get(pid).tags) == ["mine", "theirs"]
    assert window.actions["undo"].text() == "&Undo Add tag 'theirs'"  # (the menu shows the history now)
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    assert window.lib.get(pid).tags == []


def test_a_note_shown_follows_another_programs_edit(window, other, qtbot):
    select_title(window, qtbot, GEMMA)
    other.set_note(id_of(window, GEMMA), "written by a script")
    window.watcher.check()
    assert window.detail.note.toPlainText() == "written by a script"


def test_a_note_typed_over_another_programs_note_keeps_both(window, other, dialog_log, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = id_of(window, GEMMA)
    window.detail.note.setFocus()
    qtbot.keyClicks(window.detail.note, "mine")
    other.set_note(pid, "theirs")
    window.watcher.check()  # (the refresh saves what was typed first: over the note it was typed on)
    saved = window.lib.get(pid).note
    assert saved.startswith("mine\n\n") and saved.endswith("\ntheirs")
    assert saved.splitlines()[2].startswith("──── Kept from another program's change to this note (")
    assert [c[0] for c in dialog_log.of("warn")] == ["Note changed elsewhere"]
    assert window.detail.note.toPlainText() == saved


def test_a_field_edited_over_another_programs_edit_keeps_both(window, other, dialog_log, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = id_of(window, GEMMA)
    window.detail.edit_button.click()
    other.edit_paper(pid, journal="Theirs")
    window.detail.fieldEdited.emit("journal", "Mine")  # (the form still showed the old journal)
    assert window.lib.get(pid).journal == "Mine"
    (title, text, details), = dialog_log.of("inform")
    assert title == "Changed elsewhere"
    assert details == "journal: Theirs"


def test_acting_on_a_paper_merged_away_elsewhere_says_so(window, other, dialog_log, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = id_of(window, GEMMA)
    survivor = next(i for i in window.lib.all_ids() if i != pid)
    other.merge_papers([survivor, pid])
    window.detail.addTag.emit("late")  # (before the window's tick)
    (title, text, _details), = dialog_log.of("warn")
    assert title == "Paper gone"
    assert "merged or deleted elsewhere" in text
    assert window.detail.paper is None or window.detail.paper.id != pid
    assert "late" not in window.lib.tag_names()


def test_a_deleted_library_file_is_said_and_saved_to_a_new_file(window, dialog_log, tmp_path, qtbot):
    select_title(window, qtbot, GEMMA)
    window.detail.addTag.emit("before")
    path = window.lib.path
    os.unlink(path)
    dialog_log.choices = ["Save as…"]
    dialog_log.save_path = str(tmp_path / "rescued.db")
    window.watcher.check()
    (title, text, choices), = dialog_log.of("choose")
    assert title == "Library file gone"
    assert text.startswith(f"{path}: the library file was deleted while it was open")
    assert window.lib.path == tmp_path / "rescued.db"
    assert window.windowTitle() == "rescued.db — refmanager"
    assert window.view.model.rowCount() == 21
    assert "before" in window.lib.tag_names()
    assert not window.banner.isVisible()
    window.watcher.check()  # (the new file is fine: asked once)
    assert len(dialog_log.of("choose")) == 1


def test_writing_to_a_replaced_library_file_is_refused_and_said(window, dialog_log, tmp_path, qtbot):
    select_title(window, qtbot, GEMMA)
    path = window.lib.path
    with Library(tmp_path / "elsewhere.db") as lib:
        lib.import_text(json.dumps(NEW[:1]), "q.json")
    os.replace(tmp_path / "elsewhere.db", path)
    window.detail.addTag.emit("lost?")  # (before the tick: the write itself notices)
    (title, text, _choices), = dialog_log.of("choose")
    assert title == "Library file gone"
    assert "was replaced by another file" in text
    assert window.banner.isVisible() and "Save library as" in window.banner.text()
    with Library(path, create=False) as now:
        assert [p.title for p in now.get_many(now.all_ids())] == ["Quokkas in the wild"]
        assert now.tag_names() == []


def test_typing_a_note_is_one_undo_step_and_undo_of_a_tag_keeps_it(window, qtbot):
    """Issue 16 item 1 in the window: add a tag, type a note (saved several times by the
    timer), then undo: the first undo takes back the typing as one step, the second the tag;
    redo gives both back."""
    select_title(window, qtbot, GEMMA)
    pid = id_of(window, GEMMA)
    window.detail.addTag.emit("x")
    note = window.detail.note
    note.setFocus()
    for part in ("first", " second", " third"):
        qtbot.keyClicks(note, part)
        note.timer.timeout.emit()  # (the autosave timer fires between bursts of typing)
        note.timer.stop()
    assert window.lib.get(pid).note == "first second third"
    assert window.actions["undo"].text() == f"&Undo Edit note of paper {pid}"
    window.table.setFocus()  # (focus leaves the note: the editing session ends)
    window.actions["undo"].trigger()
    assert window.lib.get(pid).note in (None, "")
    assert window.lib.get(pid).tags == ["x"]
    assert window.actions["undo"].text() == "&Undo Add tag 'x'"
    window.actions["undo"].trigger()
    assert window.lib.get(pid).tags == []
    window.actions["redo"].trigger()
    window.actions["redo"].trigger()
    assert window.lib.get(pid).tags == ["x"]
    assert window.lib.get(pid).note == "first second third"
    assert window.detail.note.toPlainText() == "first second third"
