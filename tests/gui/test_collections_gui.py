"""Collections and saved searches in the window (issue 18), driven through the real main window.

Drops are made by calling the sidebar's drop handler (``sidebar.drops.drop``) with the data
a drag carries: built as the table builds it (``dragging.papers_mime``), or taken from the
view's own ``selection_mime`` of selected rows.  Dialogs are answered at the ``dialogs`` seam
(``dialog_log``); another program is a second ``Library`` on the file, seen when the
watcher's poll is called by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from refmanager.core.library import Library
from refmanager.gui.dragging import papers_mime
from refmanager.gui.table_model import COL

from ..conftest import DATA
from .test_main_window import titles_in_table

BIB = DATA / "formats" / "google_scholar.bib"  # Attention (new), Gemma 2 (the seed's paper 1), Deep residual (new)
GEMMA2 = "Gemma 2: Improving Open Language Models at a Practical Size"
GEMMA = "Gemma: Open Models Based on Gemini Research and Technology"
GEMMA3 = "Gemma 3 Technical Report"
COUNTERFACTUAL = "Counterfactual Credit Assignment in Model-Free Reinforcement Learning"
HINDSIGHT = "Hindsight Credit Assignment"


def seed_collections(lib: Library) -> tuple[int, int, int, int]:
    """Thesis (Gemma 2) > Related work (Gemma, Gemma 3), Methods (Gemma 3, Counterfactual);
    Reading (Hindsight).  The seeds' ids: 1 Gemma 2, 3 Gemma, 4 Gemma 3, 13 Counterfactual, 14 Hindsight."""
    thesis = lib.create_collection("Thesis")
    related = lib.create_collection("Related work", thesis)
    methods = lib.create_collection("Methods", thesis)
    reading = lib.create_collection("Reading")
    lib.add_to_collection(thesis, [1])
    lib.add_to_collection(related, [3, 4])
    lib.add_to_collection(methods, [4, 13])
    lib.add_to_collection(reading, [14])
    return thesis, related, methods, reading


@pytest.fixture
def tree(window) -> tuple[int, int, int, int]:
    ids = seed_collections(window.lib)
    window.view.refresh()
    return ids


def action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def status(win) -> str:
    return win.statusBar().currentMessage()


def members(lib: Library, cid: int) -> list[int]:
    return lib.collections.paper_ids(cid)


def shown_ids(win) -> list[int]:
    """The ids of every paper the table shows, in id order."""
    return sorted(win.lib.ids(win.view.model.compiled))


# ------------------------------------------------------------------ the tree
def test_collections_are_a_tree_under_the_sections_with_counts(window, tree):
    thesis, related, methods, reading = tree
    sb = window.sidebar
    assert sb.collection_ids() == [reading, thesis, methods, related]  # depth first, by name
    assert sb.collection_item(related).parent() is sb.collection_item(thesis)
    assert sb.collection_item(thesis).parent() is sb.collections_header()
    top = [sb.topLevelItem(i).text(0) for i in range(sb.topLevelItemCount())]
    assert top[:8] == ["All papers", "Unread", "Starred", "Incomplete", "Needs review", "Recently added",
                       "Unfiled", "Trash"]
    assert top[8:] == ["Collections", "Saved searches", "Tags"]
    # with its subcollections' papers (each once: Gemma 3 is in both)
    assert [sb.collection_count(c) for c in (reading, thesis, methods, related)] == [1, 4, 2, 2]
    assert sb.section_count("unfiled") == 16  # 21 papers, 5 of them filed


def test_selecting_a_collection_shows_its_papers_and_the_box_refines(window, tree, qtbot):
    thesis, related, _methods, _reading = tree
    window.sidebar.select_collection(thesis)
    assert sorted(titles_in_table(window)) == sorted([GEMMA2, GEMMA, GEMMA3, COUNTERFACTUAL])
    qtbot.keyClicks(window.search, "gemma")
    qtbot.waitUntil(lambda: window.view.model.rowCount() == 3, timeout=2000)
    assert sorted(titles_in_table(window)) == sorted([GEMMA2, GEMMA, GEMMA3])
    window.sidebar.select_collection(related)  # (the box stays and refines the next one)
    assert sorted(titles_in_table(window)) == sorted([GEMMA, GEMMA3])
    window.sidebar.select_section("all")
    assert window.view.model.rowCount() == 8  # every paper with "gemma" (title, authors, abstract...)
    assert window.view.model.view.collection is None


def test_unfiled_lists_the_papers_in_no_collection(window, tree):
    window.sidebar.select_section("unfiled")
    assert window.view.model.rowCount() == 16
    shown = set(titles_in_table(window))
    assert not shown & {GEMMA2, GEMMA, GEMMA3, COUNTERFACTUAL, HINDSIGHT}
    window.lib.remove_from_collection(tree[3], [14])  # Hindsight leaves Reading: unfiled now
    window.view.refresh()
    assert window.view.model.rowCount() == 17
    assert window.sidebar.section_count("unfiled") == 17
    assert HINDSIGHT in titles_in_table(window)


def test_the_subcollections_toggle_is_remembered(make_window, settings_path):
    win = make_window()
    thesis, _related, _methods, _reading = seed_collections(win.lib)
    win.view.refresh()
    toggle = win.actions["subcollections"]
    assert toggle.isCheckable() and toggle.isChecked()
    assert toggle in win.menuBar().actions()[2].menu().actions()  # (the View menu)
    win.sidebar.select_collection(thesis)
    assert win.view.model.rowCount() == 4
    toggle.trigger()
    assert not toggle.isChecked()
    assert win.view.model.view.subcollections is False
    assert titles_in_table(win) == [GEMMA2]
    assert win.sidebar.collection_count(thesis) == 1  # (the count says what selecting shows)
    win.close()
    win.lib.close()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value("view/subcollections") in (False, "false")
    again = make_window()
    assert again.actions["subcollections"].isChecked() is False
    again.sidebar.select_collection(thesis)
    assert titles_in_table(again) == [GEMMA2]
    assert again.sidebar.collection_count(thesis) == 1
    again.actions["subcollections"].trigger()
    assert again.view.model.rowCount() == 4


# ----------------------------------------------------- menus, and their undo
def test_new_collection_from_the_menu_bar_and_the_header(window, dialog_log):
    dialog_log.texts.append("Thesis")
    window.actions["new_collection"].trigger()
    assert [c.path for c in window.lib.collection_tree()] == ["Thesis"]
    thesis = window.lib.find_collection("Thesis")
    assert window.sidebar.collection_ids() == [thesis]
    assert window.sidebar.collection_item(thesis).text(0) == "Thesis"
    assert window.view.model.view.collection is None  # (the view stays where it was)
    menu = window.collections.menu_for("collections", None)  # the "Collections" header's menu
    dialog_log.texts.append("Reading")
    action(menu, "New collection…").trigger()
    assert window.sidebar.collection_ids() == [window.lib.find_collection("Reading"), thesis]
    assert window.actions["undo"].text() == "&Undo New collection 'Reading'"
    window.actions["undo"].trigger()
    assert window.sidebar.collection_ids() == [thesis]
    window.actions["redo"].trigger()
    assert [window.sidebar.collection_item(c).text(0) for c in window.sidebar.collection_ids()] == ["Reading", "Thesis"]


def test_new_subcollection_rename_and_undo(window, tree, dialog_log):
    thesis, related, methods, reading = tree
    dialog_log.texts.append("Drafts")
    action(window.collections.menu_for("collection", thesis), "New subcollection…").trigger()
    drafts = window.lib.find_collection("Thesis/Drafts")
    assert window.sidebar.collection_item(drafts).parent() is window.sidebar.collection_item(thesis)
    assert window.sidebar.collection_ids() == [reading, thesis, drafts, methods, related]
    dialog_log.texts.append("Background")
    action(window.collections.menu_for("collection", related), "Rename…").trigger()
    assert dialog_log.of("text")[-1][1] == "New name for \u201cThesis/Related work\u201d:"
    assert window.sidebar.collection_item(related).text(0) == "Background"
    assert window.sidebar.collection_ids() == [reading, thesis, related, drafts, methods]  # by name again
    window.actions["undo"].trigger()
    assert window.sidebar.collection_item(related).text(0) == "Related work"
    window.actions["undo"].trigger()
    assert drafts not in window.sidebar.collection_ids()


def test_delete_asks_when_it_holds_papers_keeps_them_and_undo_brings_it_back(window, tree, dialog_log):
    thesis, related, methods, reading = tree
    dialog_log.confirm_answer = False
    action(window.collections.menu_for("collection", thesis), "Delete collection…").trigger()
    assert dialog_log.of("confirm")[-1] == (
        "Delete collection",
        "Delete the collection \u201cThesis\u201d with its 2 subcollections and 4 papers (they stay in the library)? "
        "(Edit → Undo brings it back.)")
    assert window.sidebar.collection_ids() == [reading, thesis, methods, related]  # (answered no)
    dialog_log.confirm_answer = True
    action(window.collections.menu_for("collection", thesis), "Delete collection…").trigger()
    assert window.sidebar.collection_ids() == [reading]
    assert window.sidebar.section_count("all") == 21
    assert window.sidebar.section_count("unfiled") == 20
    window.actions["undo"].trigger()
    assert window.sidebar.collection_ids() == [reading, thesis, methods, related]
    assert members(window.lib, methods) == [4, 13]
    assert window.sidebar.collection_count(thesis) == 4
    # an empty collection goes without a question
    empty = window.lib.create_collection("Empty")
    window.view.refresh()
    asked = len(dialog_log.of("confirm"))
    action(window.collections.menu_for("collection", empty), "Delete collection…").trigger()
    assert len(dialog_log.of("confirm")) == asked
    assert empty not in window.sidebar.collection_ids()


def test_names_the_library_refuses_are_a_message(window, tree, dialog_log):
    thesis = tree[0]
    dialog_log.texts.append("A/B")
    window.actions["new_collection"].trigger()
    assert dialog_log.of("warn")[-1][0] == "Not done"
    assert "cannot contain '/'" in dialog_log.of("warn")[-1][1]
    dialog_log.texts.append("methods")  # (names compare without case among siblings)
    action(window.collections.menu_for("collection", thesis), "New subcollection…").trigger()
    assert dialog_log.of("warn")[-1][1] == "there is already a collection 'methods' there"
    assert len(window.lib.collection_tree()) == 4


# ------------------------------------------------------------ drag and drop
def test_papers_dropped_on_a_collection_are_added_and_undo_takes_them_out(window, tree):
    reading = tree[3]
    md = papers_mime(str(window.lib.path), [1, 2, 14])  # as the table builds it
    assert window.sidebar.drops.drop(window.sidebar.collection_item(reading), md) is True
    assert members(window.lib, reading) == [1, 2, 14]
    assert window.sidebar.collection_count(reading) == 3
    assert window.sidebar.section_count("unfiled") == 15  # (paper 2 was in none)
    assert status(window) == "Added 2 papers to \u201cReading\u201d (1 already in it) — Ctrl+Z to undo"
    window.actions["undo"].trigger()
    assert members(window.lib, reading) == [14]
    assert window.sidebar.collection_count(reading) == 1


def test_a_drag_of_the_selected_rows_carries_their_papers(window, tree):
    methods = tree[2]
    window.view.select_runs([(0, 2)])  # the table's first three rows: the newest
    ids = window.view.selected_ids()
    assert ids == [10, 9, 7]  # VaultGemma, EmbeddingGemma, MedGemma
    md = window.view.selection_mime()
    assert md.hasText() is False and md.hasUrls() is False  # (the table would import its own rows)
    assert window.sidebar.drops.drop(window.sidebar.collection_item(methods), md)
    assert members(window.lib, methods) == [4, 7, 9, 10, 13]
    assert window.view.selected_ids() == ids  # (the rows stay selected)


def test_pressing_one_of_several_selected_rows_starts_a_drag_of_all(window, monkeypatch):
    started: list[list[int]] = []
    monkeypatch.setattr(window.view.drag, "start", lambda: started.append(window.view.selected_ids()))
    window.view.select_runs([(0, 2)])
    ids = window.view.selected_ids()
    assert ids == [10, 9, 7]
    vp = window.table.viewport()
    at = QPointF(window.table.visualRect(window.view.model.index(1, COL["title"])).center())

    def send(kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
        button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
        QApplication.sendEvent(vp, QMouseEvent(kind, pos, vp.mapToGlobal(pos), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))

    send(QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton)
    assert window.view.selected_ids() == ids  # held back: it may be a drag
    send(QEvent.Type.MouseMove, at + QPointF(0, QApplication.startDragDistance() + 20), Qt.MouseButton.LeftButton)
    assert started == [ids]
    send(QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.NoButton)
    assert window.view.selected_ids() == ids
    # a press and a release without moving: that row alone, as without dragging
    send(QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.NoButton)
    assert window.view.selected_rows() == [1]
    assert started == [ids]


def test_papers_of_another_library_or_onto_a_section_are_refused(window, tree, tmp_path):
    reading = tree[3]
    elsewhere = papers_mime(str(tmp_path / "other.db"), [1, 2])
    assert window.sidebar.drops.drop(window.sidebar.collection_item(reading), elsewhere) is True
    assert members(window.lib, reading) == [14]
    assert status(window) == "Those papers are in another library: open it to file them"
    mine = papers_mime(str(window.lib.path), [1])
    assert window.sidebar.drops.drop(window.sidebar.section_item("starred"), mine) is False
    assert window.sidebar.drops.drop(window.sidebar.collections_header(), mine) is False
    broken = QMimeData()
    broken.setData("application/x-refmanager-papers", b"{not json")
    assert window.sidebar.drops.drop(window.sidebar.collection_item(reading), broken) is False
    assert members(window.lib, reading) == [14]


def test_a_collection_dropped_moves_and_the_selection_follows(window, tree):
    thesis, related, methods, reading = tree
    sb = window.sidebar
    sb.select_collection(related)
    assert sorted(titles_in_table(window)) == sorted([GEMMA, GEMMA3])
    assert not sb.drops.accepts(sb.collection_item(related), sb.drops.collection_mime(thesis))  # (not under itself)
    assert sb.drops.drop(sb.collection_item(reading), sb.drops.collection_mime(related))
    assert window.lib.collections.get(related).path == "Reading/Related work"
    assert sb.collection_item(related).parent() is sb.collection_item(reading)
    assert sb.collection_item(related).isSelected() and sb.currentItem() is sb.collection_item(related)
    assert sorted(titles_in_table(window)) == sorted([GEMMA, GEMMA3])
    assert sb.collection_count(reading) == 3 and sb.collection_count(thesis) == 3
    assert sb.drops.drop(sb.collections_header(), sb.drops.collection_mime(related))  # onto the header: the top
    assert window.lib.collections.get(related).path == "Related work"
    assert sb.collection_ids() == [reading, related, thesis, methods]
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    assert window.lib.collections.get(related).path == "Thesis/Related work"
    assert sb.collection_item(related).parent() is sb.collection_item(thesis)
    assert sb.collection_item(related).isSelected()
    assert window.view.model.view.collection == related


def test_import_into_the_selected_collection(window, tree, dialog_log, qtbot):
    reading = tree[3]
    a = window.actions["import_into"]
    assert not a.isEnabled() and a.text() == "Import into collection…"
    window.sidebar.select_collection(reading)
    assert a.isEnabled() and a.text() == "Import into \u201cReading\u201d…"
    dialog_log.open_files = [str(BIB)]
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        a.trigger()
    assert dialog_log.of("open")[-1] == ("Import into \u201cReading\u201d",)
    summary = dialog_log.of("import_summary")[-1][1]
    assert summary.startswith("2 added, 1 merged, 0 unchanged")
    assert summary.endswith("Every paper of the import is in the collection \u201cReading\u201d.")
    assert window.view.model.view.collection == reading  # (the view stays: the new papers are in it)
    assert sorted(titles_in_table(window)) == sorted(
        ["Attention is all you need", "Deep residual learning for image recognition", GEMMA2, HINDSIGHT])
    assert sorted(p.title for p in window.lib.get_many(window.view.selected_ids())) == [
        "Attention is all you need", "Deep residual learning for image recognition"]
    assert window.sidebar.collection_count(reading) == 4
    window.actions["undo"].trigger()
    assert titles_in_table(window) == [HINDSIGHT]
    assert window.sidebar.section_count("all") == 21


def test_files_dropped_on_a_collection_are_imported_into_it(window, tree, tmp_path, qtbot):
    thesis = tree[0]
    f = tmp_path / "one.bib"
    f.write_text("@article{lovelace1843, title={Notes on the Analytical Engine}, author={Lovelace, Ada}, year={1843}}\n")
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(f))])
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        assert window.sidebar.drops.drop(window.sidebar.collection_item(thesis), md)
    new = window.lib.search("lovelace")[0][0]
    assert new.title == "Notes on the Analytical Engine"
    assert members(window.lib, thesis) == [1, new.id]
    assert window.sidebar.collection_count(thesis) == 5


# ------------------------------------------------------------ saved searches
def test_save_search_from_the_box_is_live_and_editable(window, dialog_log, qtbot):
    assert window.actions["save_search"] in window.search.actions()  # (the button in the box)
    assert not window.actions["save_search"].isEnabled()
    qtbot.keyClicks(window.search, "credit")
    qtbot.waitUntil(lambda: window.view.model.rowCount() == 4, timeout=2000)
    assert window.actions["save_search"].isEnabled()
    dialog_log.texts.append("Credit assignment")
    window.actions["save_search"].trigger()
    assert dialog_log.of("text")[-1][1] == "Name for the search credit:"
    [s] = window.lib.saved_search_list()
    assert (s.name, s.query) == ("Credit assignment", "credit")
    assert window.sidebar.saved_names() == ["Credit assignment"]
    assert not window.sidebar.saved_item(s.id).parent().isHidden()
    assert window.sidebar.saved_count(s.id) == 4
    assert window.view.model.view.saved == ""  # (the view stays)
    window.search.clear()
    window.view.apply_search()
    window.sidebar.select_saved(s.id)
    assert shown_ids(window) == [13, 14, 15, 20]  # two titles, an abstract, an untitled paper's text
    # live: a paper that matches now shows, and the count follows
    window.lib.edit_paper(12, title="Geometric Entropic Exploration for Credit")
    window.view.refresh()
    assert shown_ids(window) == [12, 13, 14, 15, 20]
    assert window.sidebar.saved_count(s.id) == 5
    # Edit search…: the view follows the new query
    dialog_log.texts.append("credit year:2020..")
    action(window.collections.menu_for("saved", s.id), "Edit search…").trigger()
    assert shown_ids(window) == [12, 13]
    assert window.sidebar.saved_item(s.id).isSelected()
    assert window.sidebar.saved_count(s.id) == 2
    dialog_log.texts.append("Recent credit")
    action(window.collections.menu_for("saved", s.id), "Rename…").trigger()
    assert window.sidebar.saved_names() == ["Recent credit"]
    assert window.sidebar.saved_item(s.id).isSelected() and shown_ids(window) == [12, 13]
    window.actions["undo"].trigger()  # the rename
    window.actions["undo"].trigger()  # the edit
    assert window.sidebar.saved_names() == ["Credit assignment"]
    assert shown_ids(window) == [12, 13, 14, 15, 20]
    # Delete: the view falls back to All papers; undo brings the search back
    action(window.collections.menu_for("saved", s.id), "Delete saved search").trigger()
    assert window.sidebar.saved_names() == []
    assert window.sidebar.saved_item(s.id) is None
    assert window.view.model.view.saved == "" and window.view.model.rowCount() == 21
    assert window.sidebar.section_item("all").isSelected()
    window.actions["undo"].trigger()
    assert window.sidebar.saved_names() == ["Credit assignment"]


def test_save_search_keeps_the_collection_and_tags_it_was_narrowed_to(window, tree, dialog_log, qtbot):
    thesis = tree[0]
    window.lib.add_tags([1, 3], ["open models"])
    window.view.refresh()
    window.sidebar.select_collection(thesis)
    qtbot.keyClicks(window.search, "gemma")
    window.view.apply_search()
    dialog_log.texts.append("Thesis gemma")
    window.actions["save_search"].trigger()
    s = window.lib.saved_searches.find("Thesis gemma")
    assert s.query == 'collection:"/Thesis" gemma'
    assert window.sidebar.saved_count(s.id) == 3
    window.sidebar.select_tags(["open models"])
    window.search.clear()
    window.view.apply_search()
    dialog_log.texts.append("Open")
    window.actions["save_search"].trigger()
    assert window.lib.saved_searches.find("Open").query == 'tag:"open models"'
    dialog_log.texts.append("open")  # a name taken (case aside): a message, nothing saved
    window.actions["save_search"].trigger()
    assert dialog_log.of("warn")[-1][1] == "there is already a saved search 'open'"
    assert window.sidebar.saved_names() == ["Open", "Thesis gemma"]


# --------------------------------------------------- the view follows (edge 1)
def test_renaming_the_tag_being_shown_keeps_it_shown(window, dialog_log):
    window.lib.add_tags([13, 14], ["credit"])
    window.view.refresh()
    window.sidebar.select_tags(["credit"])
    assert window.view.model.rowCount() == 2
    dialog_log.texts.append("credit assignment")
    window.marking.tag_action("rename", "credit")
    assert window.view.model.view.tags == ("credit assignment",)
    assert window.sidebar.selected_tags() == ["credit assignment"]
    assert sorted(titles_in_table(window)) == sorted([COUNTERFACTUAL, HINDSIGHT])
    window.actions["undo"].trigger()
    assert window.view.model.view.tags == ("credit",)
    assert window.sidebar.selected_tags() == ["credit"]
    assert window.view.model.rowCount() == 2
    dialog_log.texts.append("CREDIT")  # (only the case)
    window.marking.tag_action("rename", "credit")
    assert window.sidebar.selected_tags() == ["CREDIT"] and window.view.model.rowCount() == 2
    window.marking.tag_action("delete", "CREDIT")  # deleted: it no longer narrows the view
    assert window.view.model.view.tags == ()
    assert window.view.model.rowCount() == 21
    assert window.sidebar.selected_tags() == [] and window.sidebar.section_item("all").isSelected()


def test_a_tag_renamed_by_another_program_keeps_its_view(window, tmp_path):
    window.lib.add_tags([13, 14], ["credit"])
    window.view.refresh()
    window.sidebar.select_tags(["credit"])
    with Library(window.lib.path, create=False) as other:
        other.rename_tag("credit", "rl")
    window.watcher.check()
    assert window.view.model.view.tags == ("rl",)
    assert window.sidebar.selected_tags() == ["rl"]
    assert window.view.model.rowCount() == 2


def test_renamed_collection_stays_shown_and_a_deleted_one_gives_all_papers(window, tree, dialog_log):
    thesis, related, _methods, _reading = tree
    window.sidebar.select_collection(related)
    dialog_log.texts.append("Background")
    action(window.collections.menu_for("collection", related), "Rename…").trigger()
    assert window.sidebar.collection_item(related).isSelected()
    assert window.sidebar.collection_item(related).text(0) == "Background"
    assert sorted(titles_in_table(window)) == sorted([GEMMA, GEMMA3])
    with Library(window.lib.path, create=False) as other:  # deleted by another program
        other.delete_collection(thesis)
    window.watcher.check()
    assert window.view.model.view.collection is None
    assert window.view.model.rowCount() == 21
    assert window.sidebar.section_item("all").isSelected()
    assert window.sidebar.collection_ids() == [tree[3]]
    assert window.actions["import_into"].isEnabled() is False


# ---------------------------------------------- counts of other writers (edge 3)
def test_counts_follow_another_programs_change(window, tree):
    thesis, related, _methods, reading = tree
    window.lib.add_tags([1], ["alpha"])
    window.view.refresh()
    assert window.sidebar.tag_count("alpha") == 1
    with Library(window.lib.path, create=False) as other:
        other.add_tags([2, 3], ["alpha"])
        other.add_to_collection(reading, [2, 5])
        other.add_to_collection(related, [13])
        other.create_collection("From the command line")
        other.save_search("Alpha", "tag:alpha")
    window.watcher.check()
    assert window.sidebar.tag_count("alpha") == 3
    assert window.sidebar.collection_count(reading) == 3
    assert window.sidebar.collection_count(related) == 3
    assert window.sidebar.collection_count(thesis) == 4  # (13 was in Methods already)
    assert window.sidebar.section_count("unfiled") == 14
    new = window.lib.find_collection("From the command line")
    assert window.sidebar.collection_count(new) == 0
    [s] = window.lib.saved_search_list()
    assert window.sidebar.saved_names() == ["Alpha"]
    assert window.sidebar.saved_count(s.id) == 3


def test_counts_of_a_big_library_follow_another_programs_change(window, tree, qtbot):
    """A big library counts on the worker thread: the counts arrive after the poll."""
    thesis, _related, _methods, reading = tree
    window.session.big = True
    with Library(window.lib.path, create=False) as other:
        other.add_tags([2, 3], ["beta"])
        other.add_to_collection(reading, [2, 5])
    window.watcher.check()
    qtbot.waitUntil(lambda: window.sidebar.collection_count(reading) == 3, timeout=10000)
    assert window.sidebar.tag_count("beta") == 2
    assert window.sidebar.collection_count(thesis) == 4
    assert window.sidebar.section_count("unfiled") == 14


# ------------------------------------------------------- export, copy, remove
def test_export_and_copy_bibtex_of_a_collection(window, tree, dialog_log, tmp_path):
    related, reading = tree[1], tree[3]
    menu = window.collections.menu_for("collection", related)
    action(menu, "Copy BibTeX of the collection").trigger()
    assert window.view.model.view.collection == related  # (the collection is shown: it is the scope)
    copied = QApplication.clipboard().text()
    assert [line for line in copied.splitlines() if line.startswith("@")] == [
        "@misc{gemmateam2024gemmaa,", "@misc{gemmateam2025gemma,"]  # Gemma, Gemma 3
    assert status(window) == "Copied 2 BibTeX entries"
    dialog_log.save_path = str(tmp_path / "reading.ris")
    sub = next(a.menu() for a in window.collections.menu_for("collection", reading).actions() if a.menu())
    action(sub, "RIS…").trigger()
    assert window.view.model.view.collection == reading
    text = Path(dialog_log.save_path).read_text(encoding="utf-8")
    assert text.count("TY  - ") == 1 and HINDSIGHT in text
    assert status(window) == f"Exported 1 papers to {dialog_log.save_path}"


def test_remove_from_the_collection_shown_and_undo(window, tree, qtbot):
    reading = tree[3]
    remove = window.actions["remove_from_collection"]
    assert not remove.isVisible() and not remove.isEnabled()
    window.sidebar.select_collection(reading)
    assert remove.isVisible() and remove.text() == "Remove from \u201cReading\u201d"
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.view.selected_ids() == [14])
    remove.trigger()
    assert members(window.lib, reading) == []
    assert window.view.model.rowCount() == 0
    assert window.lib.exists(14) and window.sidebar.section_count("all") == 21
    window.actions["undo"].trigger()
    assert members(window.lib, reading) == [14]
    assert titles_in_table(window) == [HINDSIGHT]
