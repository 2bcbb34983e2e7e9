"""Issue 8 through the real window: edit, review, merge/split, undo imports, files, libraries."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QAbstractItemView, QApplication

from refmanager.core.library import Library
from refmanager.gui import dialogs
from refmanager.gui.merge_dialog import MergeDialog
from refmanager.gui.table_model import COL

from ..conftest import FULL_SEED, dump
from .test_main_window import GEMMA, select_title, titles_in_table

UNSURE = "LGJan 5, 2023\nWhat Is AIMax\nA short abstract about a paper whose split nobody can be sure of.\n"


def test_edit_title_in_place_survives_restart_and_reimport(make_window, qtbot, tmp_path):
    win = make_window()
    select_title(win, qtbot, GEMMA)
    pid = win.detail.paper.id
    qtbot.mouseClick(win.detail.edit_button, Qt.MouseButton.LeftButton)
    assert win.detail.editor.isVisible()
    title = win.detail.editor.title
    title.selectAll()
    qtbot.keyClicks(title, "Gemma: Open Models (v1)")
    qtbot.keyClick(title, Qt.Key.Key_Return)
    assert win.lib.get(pid).title == "Gemma: Open Models (v1)"
    assert win.actions["undo"].text() == "&Undo Edit title of 'Gemma: Open Models Based on Gemini Research and T…'"
    win.close()
    win.lib.close()
    win2 = make_window(tmp_path / "library.db")
    assert "Gemma: Open Models (v1)" in titles_in_table(win2)
    report = win2.lib.import_paths([FULL_SEED])
    assert win2.lib.get(pid).title == "Gemma: Open Models (v1)"
    assert "line 7: kept your edit of title" in report.files[0].notes


def test_invalid_date_shows_inline_message_and_esc_reverts(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.actions["edit"].trigger()
    date = window.detail.editor.date
    date.selectAll()
    qtbot.keyClicks(date, "2024-02-30")
    qtbot.keyClick(date, Qt.Key.Key_Return)
    assert window.detail.editor.error.isVisible()
    assert "2024-02-30" in window.detail.editor.error.text()
    form = window.detail.editor.form  # (under the date's row, not at the end of the form)
    assert form.getWidgetPosition(window.detail.editor.error)[0] == form.getWidgetPosition(date)[0] + 1
    assert window.lib.get(pid).date == "2024-03-13"
    qtbot.keyClick(date, Qt.Key.Key_Escape)
    assert date.text() == "2024-03-13"


def test_authors_list_add_remove_reorder(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.actions["edit"].trigger()
    authors = window.detail.editor.authors
    authors.list.setCurrentRow(1)  # Thomas Mesnard
    authors.buttons["up"].click()
    assert window.lib.get(pid).authors == ["Thomas Mesnard", "Gemma Team", "Cassidy Hardin"]
    authors = window.detail.editor.authors
    authors.list.setCurrentRow(2)
    authors.buttons["remove"].click()
    assert window.lib.get(pid).authors == ["Thomas Mesnard", "Gemma Team"]


def test_f2_edits_the_title_in_the_table(window, qtbot):
    row = titles_in_table(window).index(GEMMA)
    window.table.setFocus()
    window.table.selectRow(row)
    idx = window.view.model.index(row, COL["title"])
    window.table.setCurrentIndex(idx)
    assert window.table.editTriggers() & QAbstractItemView.EditTrigger.EditKeyPressed
    assert window.view.model.setData(idx, "Gemma (renamed in the table)") is True
    assert "Gemma (renamed in the table)" in titles_in_table(window)


def test_pick_an_alternative_split_for_a_needs_review_paper(window, qtbot):
    window.lib.import_text(UNSURE, "unsure.txt")
    window.view.refresh()
    assert window.sidebar.section_count("review") == 1
    window.sidebar.select_section("review")
    assert titles_in_table(window) == ["What Is AI"]
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.review_box.isVisible())
    assert window.detail.raw_line.text() == "As imported: What Is AIMax"
    assert [b.text() for b in window.detail.split_buttons] == ["Use: What Is A  |  IMax"]
    qtbot.mouseClick(window.detail.split_buttons[0], Qt.MouseButton.LeftButton)
    p = window.lib.search("author:imax")[0][0]
    assert (p.title, p.authors, p.needs_review) == ("What Is A", ["IMax"], False)
    assert window.sidebar.section_count("review") == 0


def test_accept_the_current_split(window, qtbot):
    window.lib.import_text(UNSURE, "unsure.txt")
    window.view.refresh()
    window.sidebar.select_section("review")
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.accept_button.isVisible())
    qtbot.mouseClick(window.detail.accept_button, Qt.MouseButton.LeftButton)
    assert window.sidebar.section_count("review") == 0
    assert window.lib.search("author:max")[0][0].title == "What Is AI"


def test_merge_choosing_fields_then_undo_and_redo(window, qtbot, monkeypatch):
    ids = [3, 4]  # Gemma and Gemma 3
    window.lib.add_tags([3], ["a"])
    window.lib.add_tags([4], ["b"])
    window.view.refresh()
    window.view.select_ids(ids)
    seen = {}

    def choose(parent, fields, defaults):
        seen["fields"], seen["defaults"] = fields, defaults
        return {**defaults, "title": 4, "date": 3}

    monkeypatch.setattr(dialogs, "merge_choices", choose)
    before = dump(window.lib)
    window.actions["merge"].trigger()
    assert sorted(pid for pid, _ in seen["fields"]["title"]) == [3, 4]
    assert window.view.model.rowCount() == 20
    kept = window.lib.get(3)
    assert kept.title == "Gemma 3 Technical Report" and kept.date == "2024-03-13"
    assert kept.tags == ["a", "b"]
    assert window.lib.get(4) is None
    window.actions["undo"].trigger()
    assert window.view.model.rowCount() == 21
    assert dump(window.lib).count("INSERT INTO \"papers\"") == before.count("INSERT INTO \"papers\"")
    assert window.lib.get(4).tags == ["b"] and window.lib.get(3).title == GEMMA
    window.actions["redo"].trigger()
    assert window.view.model.rowCount() == 20 and window.lib.get(3).title == "Gemma 3 Technical Report"


def test_merge_dialog_defaults_and_choice(qtbot):
    fields = {"title": [(1, "A title"), (2, "A longer title")], "date": [(1, "2020-01-01"), (2, None)]}
    dlg = MergeDialog(fields, {"title": 2, "date": 1})
    qtbot.addWidget(dlg)
    assert dlg.choices() == {"title": 2, "date": 1}
    dlg.buttons[("title", 1)].click()
    assert dlg.choices() == {"title": 1, "date": 1}


def test_split_a_wrong_merge(window, qtbot):
    window.lib.add_tags([3], ["mine"])
    window.lib.add_tags([5], ["theirs"])
    window.lib.merge_papers([3, 5])
    window.view.refresh()
    window.view.select_ids([3])
    assert window.lib.get(3).tags == ["mine", "theirs"]
    assert any(line.startswith("Merged with paper 5") for line in window.view.history_lines(3))
    window.actions["split"].trigger()
    assert window.view.model.rowCount() == 21
    assert window.lib.get(3).tags == ["mine"]
    assert window.lib.get(5).tags == ["theirs"]
    assert sorted(window.view.selected_ids()) == [3, 5]


def test_undo_an_import_from_the_edit_menu(make_window, qtbot, tmp_path, dialog_log):
    path = tmp_path / "fresh.db"
    Library(path).close()
    win = make_window(path)
    listing = tmp_path / "listing.txt"
    listing.write_text(FULL_SEED.read_text(encoding="utf-8"), encoding="utf-8")
    dialog_log.open_files = [str(listing)]
    with qtbot.waitSignal(win.imports.finished, timeout=20000):
        win.actions["import"].trigger()
    assert win.view.model.rowCount() == 19
    assert win.actions["undo"].text() == "&Undo import of listing.txt: 19 papers"
    win.actions["undo"].trigger()
    assert win.view.model.rowCount() == 0
    win.actions["redo"].trigger()
    assert win.view.model.rowCount() == 19


def test_attach_a_pdf_and_open_it(window, qtbot, tmp_path, dialog_log, opened_urls):
    pdf = tmp_path / "gemma.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% test\n")
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    dialog_log.open_files = [str(pdf)]
    window.actions["attach"].trigger()
    atts = window.lib.attachments(pid)
    assert [a["name"] for a in atts] == ["gemma.pdf"]
    stored = Path(atts[0]["path"])
    assert stored != pdf and stored.read_bytes() == pdf.read_bytes()
    assert window.detail.pdf_button.isEnabled()
    qtbot.mouseClick(window.detail.pdf_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [QUrl.fromLocalFile(str(stored)).toString(QUrl.ComponentFormattingOption.FullyEncoded)]
    # a file that is not an attachment is never opened
    from refmanager.gui.links import open_local_file

    assert open_local_file("/etc/passwd", window.lib) is False
    assert len(opened_urls) == 1


def test_missing_attachment_is_shown_as_missing(window, qtbot, tmp_path, dialog_log):
    pdf = tmp_path / "linked.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.settings.setValue("prefs/attachments", "link")
    dialog_log.open_files = [str(pdf)]
    window.actions["attach"].trigger()
    pdf.unlink()
    window.view.refresh()
    buttons = window.detail.attachment_buttons
    assert [b.text() for b in buttons] == ["linked.pdf  (missing)"]
    assert not buttons[0].isEnabled()
    assert window.lib.attachments(pid)[0]["exists"] is False


def test_new_and_open_library(window, qtbot, tmp_path, dialog_log):
    new = tmp_path / "second.db"
    dialog_log.save_path = str(new)
    window.actions["new_library"].trigger()
    assert window.windowTitle() == "second.db — refmanager"
    assert window.view.model.rowCount() == 0 and window.lib.path == new
    dialog_log.library_to_open = str(tmp_path / "library.db")
    window.actions["open_library"].trigger()
    assert window.windowTitle() == "library.db — refmanager"
    assert window.view.model.rowCount() == 21
    assert window.files.recent_libraries()[:2] == [str((tmp_path / "library.db").resolve()), str(new.resolve())]


def test_find_duplicates_dialog_merge_and_not_a_duplicate(window, qtbot, monkeypatch):
    from refmanager.gui.duplicates import DuplicatesDialog

    # the same paper under a slightly different title, and another unrelated near-copy
    window.lib.import_text(
        '[{"title": "Gemma: Open Models Based on Gemini Reserch and Technology", "authors": ["Gemma Team"], '
        '"arxiv_id": "2403.08295"}]', "dup.json")
    window.view.refresh()
    dlg = DuplicatesDialog(window)
    qtbot.addWidget(dlg)
    pairs = dlg.pairs
    assert len(pairs) >= 1
    a, b, why = pairs[0]
    assert {window.lib.get(a).title, window.lib.get(b).title} == {
        GEMMA, "Gemma: Open Models Based on Gemini Reserch and Technology"}
    dlg.not_duplicate()
    assert (a, b) not in [(x, y) for x, y, _ in dlg.pairs]
    assert DuplicatesDialog(window).pairs == dlg.pairs  # remembered


def test_preferences_dialog_saves_settings(window, monkeypatch):
    from refmanager.gui.preferences import PreferencesDialog

    def accept(dlg):
        if isinstance(dlg, PreferencesDialog):
            dlg.attachments.setCurrentIndex(dlg.attachments.findData("link"))
            dlg.theme.setCurrentIndex(dlg.theme.findData("light"))
            dlg.key_pattern.setText("{author}{year}")
        return True

    monkeypatch.setattr(dialogs, "exec_dialog", accept)
    window.actions["prefs"].trigger()
    assert window.settings.value("prefs/attachments") == "link"
    assert window.settings.value("prefs/theme") == "light"
    assert window.settings.value("prefs/citation_key") == "{author}{year}"
    assert window.actions["prefs"].shortcut().toString() == "Ctrl+,"
    from refmanager.gui import theme

    theme.follow_system("system")
    assert QApplication.instance() is not None
