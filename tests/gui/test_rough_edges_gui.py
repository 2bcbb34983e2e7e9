"""Rough edges of daily use (issue 18, items 4, 5, 7, 8, 9), in the real window.

The detail pane scrolls the note editor into view and starts each paper at its title;
the title column takes the free width and the user's widths are remembered; a paper is
marked read after it has been shown a while or when opened (a preference); a field error
sits under its field; Help shows the search language and every shortcut; the table
marks papers with a note.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QFormLayout, QHeaderView, QMenu, QTableView

from refmanager.gui import dialogs
from refmanager.gui.help_window import HelpWindow, search_examples, shortcut_rows
from refmanager.gui.preferences import PreferencesDialog
from refmanager.gui.table_model import COL

from .test_main_window import GEMMA, row_of_title, select_title

MEDGEMMA = "MedGemma Technical Report"  # the seed paper with the longest abstract (1,905 characters)
GEMMA3 = "Gemma 3 Technical Report"
VAULT = "VaultGemma: A Differentially Private Gemma Model"


def activate(window, qtbot) -> None:
    """Focus events need an active window (offscreen too)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def in_view(pane, widget, y: int = 0, height: int | None = None) -> bool:
    """Whether rows y..y+height of ``widget`` lie inside the scroll area's viewport."""
    top = widget.mapTo(pane.widget(), QPoint(0, y)).y()
    bottom = top + (widget.height() if height is None else height)
    first = pane.verticalScrollBar().value()
    return first <= top and bottom <= first + pane.viewport().height()


def unread(window) -> int:
    return window.lib.counts()["unread"]


# --------------------------------------------------------------- 4. the detail pane
def test_note_editor_scrolls_into_view_on_focus_and_keeps_the_cursor_in_view(window, qtbot):
    window.resize(1280, 700)
    activate(window, qtbot)
    select_title(window, qtbot, MEDGEMMA)
    pane, note = window.detail, window.detail.note
    qtbot.waitUntil(lambda: pane.verticalScrollBar().maximum() > 0)
    assert pane.verticalScrollBar().value() == 0
    assert not in_view(pane, note)  # below a long abstract

    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    assert in_view(pane, note)

    # the user scrolls the pane back up and types on: the line typed comes back into view
    pane.verticalScrollBar().setValue(0)
    assert not in_view(pane, note)
    qtbot.keyClicks(note, "read section 3")
    cursor = note.cursorRect()
    assert in_view(pane, note.viewport(), cursor.top(), cursor.height())
    assert note.toPlainText() == "read section 3"


def test_another_paper_starts_at_its_title_the_same_paper_keeps_its_place(window, qtbot):
    window.resize(1280, 700)
    select_title(window, qtbot, MEDGEMMA)
    bar = window.detail.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    bar.setValue(200)
    window.view.refresh()  # the same paper shown again (after an edit, another program's change)
    assert bar.value() == 200
    select_title(window, qtbot, GEMMA3)
    assert bar.value() == 0
    assert in_view(window.detail, window.detail.title)


def test_saving_a_field_keeps_the_focus_the_place_and_the_text(window, qtbot):
    """A save refreshes the window (table, sidebar, pane): the pane shows the same paper
    on, it does not flash empty, jump to its top or send the focus to the sidebar."""
    window.resize(1280, 600)
    activate(window, qtbot)
    select_title(window, qtbot, GEMMA3)
    pid = window.detail.paper.id
    window.actions["edit"].trigger()
    ed, bar = window.detail.editor, window.detail.verticalScrollBar()
    ed.pages.setFocus()
    qtbot.waitUntil(ed.pages.hasFocus)
    qtbot.waitUntil(lambda: bar.maximum() > 150)
    bar.setValue(150)
    qtbot.keyClicks(ed.pages, "12-34")
    qtbot.keyClick(ed.pages, Qt.Key.Key_Return)
    assert window.lib.get(pid).pages == "12-34"
    assert QApplication.focusWidget() is ed.pages
    assert bar.value() == 150
    assert window.detail.stack.currentWidget() is window.detail.one
    qtbot.keyClick(ed.pages, Qt.Key.Key_Escape)  # Esc brings back what is saved, not what was before
    assert ed.pages.text() == "12-34"


def test_nothing_selected_shows_the_empty_pane(window, qtbot):
    select_title(window, qtbot, GEMMA)
    window.table.clearSelection()
    qtbot.waitUntil(lambda: window.detail.stack.currentWidget() is window.detail.empty)
    assert window.detail.paper is None
    assert not window.marking.read_timer.isActive()


# ------------------------------------------------------------------ 5. the columns
def test_title_takes_the_free_width_not_the_last_column(window, qtbot):
    window.resize(1280, 800)
    hh = window.table.horizontalHeader()
    qtbot.waitUntil(lambda: hh.length() == window.table.viewport().width())
    assert hh.sectionResizeMode(COL["title"]) == QHeaderView.ResizeMode.Stretch
    assert hh.sectionResizeMode(COL["tags"]) == QHeaderView.ResizeMode.Interactive
    assert not hh.stretchLastSection()
    assert hh.sectionSize(COL["tags"]) == 104
    title = hh.sectionSize(COL["title"])
    window.table.setColumnHidden(COL["tags"], True)  # the room it leaves goes to the title
    qtbot.waitUntil(lambda: hh.sectionSize(COL["title"]) == title + 104)
    window.table.setColumnHidden(COL["tags"], False)
    qtbot.waitUntil(lambda: hh.sectionSize(COL["title"]) == title)


def test_user_widths_are_kept_across_a_restart(make_window, qtbot, tmp_path):
    win = make_window()
    win.resize(1280, 800)
    hh = win.table.horizontalHeader()
    hh.resizeSection(COL["authors"], 230)  # as a drag on the header does
    hh.resizeSection(COL["category"], 90)
    win.close()
    win.lib.close()
    win2 = make_window(tmp_path / "library.db")
    hh2 = win2.table.horizontalHeader()
    assert hh2.sectionSize(COL["authors"]) == 230
    assert hh2.sectionSize(COL["category"]) == 90
    assert hh2.sectionResizeMode(COL["title"]) == QHeaderView.ResizeMode.Stretch
    assert hh2.sectionSize(COL["note"]) == 26


def test_a_header_saved_before_the_note_column_keeps_its_widths(make_window, settings_path, qtbot):
    old = QTableView()
    old.setModel(QStandardItemModel(0, 16))  # the sixteen columns before "Has note"
    old.horizontalHeader().resizeSection(COL["authors"], 210)
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue("table/header", old.horizontalHeader().saveState())
    settings.sync()
    win = make_window()
    hh = win.table.horizontalHeader()
    assert hh.sectionSize(COL["authors"]) == 210
    assert hh.sectionSize(COL["note"]) == 26  # (not Qt's default 100 for a section the state lacks)
    assert not win.table.isColumnHidden(COL["note"])


# ------------------------------------------------------------- 9b. the note column
def test_note_column_marks_papers_with_a_note_and_does_not_sort(window, qtbot):
    m = window.view.model
    pid = window.lib.get_many(window.lib.all_ids())[0].id
    window.lib.set_note(pid, "check the ablation")
    window.view.refresh()
    row = m.row_of(pid)
    other = next(r for r in range(m.rowCount()) if r != row)
    col = COL["note"]
    assert not m.data(m.index(row, col), Qt.ItemDataRole.DecorationRole).isNull()
    assert m.data(m.index(row, col), Qt.ItemDataRole.ToolTipRole) == "Has a note"
    assert m.data(m.index(other, col), Qt.ItemDataRole.DecorationRole) is None
    assert m.data(m.index(other, col), Qt.ItemDataRole.ToolTipRole) is None
    assert m.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "Has a note (not sortable)"
    hh = window.table.horizontalHeader()
    assert hh.visualIndex(col) == hh.visualIndex(COL["read"]) + 1  # with the other marks
    first = m.data(m.index(0, COL["title"]))
    qtbot.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(hh.sectionViewportPosition(col) + 8, 8))
    assert m.view.sort == "date" and m.view.descending is True
    assert hh.sortIndicatorSection() == COL["date"]
    assert hh.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert m.data(m.index(0, COL["title"])) == first == VAULT


def test_note_column_is_in_the_column_chooser(window):
    menu = QMenu(window)
    window.fill_columns_menu(menu)
    entry = next(a for a in menu.actions() if a.text() == "Has note")
    assert entry.isChecked()
    entry.setChecked(False)
    assert window.table.isColumnHidden(COL["note"])


# ----------------------------------------------------------------- 7. marking read
def test_read_after_two_seconds_shown_timer_restarts_on_each_selection(window, qtbot):
    timer = window.marking.read_timer
    assert timer.interval() == 2000 and timer.isSingleShot()
    select_title(window, qtbot, GEMMA)
    gemma = window.detail.paper.id
    assert timer.isActive()
    window.table.setFocus()
    for _ in range(3):  # moving through the table with the arrow keys
        qtbot.keyClick(window.table, Qt.Key.Key_Down)
        assert timer.isActive()
    assert unread(window) == 21
    last = window.detail.paper.id
    assert last != gemma
    timer.timeout.emit()
    assert window.lib.get(last).read is True
    assert window.lib.get(gemma).read is False
    assert unread(window) == 20
    assert window.sidebar.section_count("unread") == 20


def test_a_paper_marked_unread_is_not_marked_read_again(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.marking.read_timer.timeout.emit()
    assert window.lib.get(pid).read is True
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_M)  # Toggle read: unread again
    assert window.lib.get(pid).read is False
    assert not window.marking.read_timer.isActive()  # (the refresh showed the same paper)


def test_opening_a_paper_marks_it_read_at_once(window, qtbot, opened_urls):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert len(opened_urls) == 1
    assert window.lib.get(pid).read is True
    assert not window.marking.read_timer.isActive()
    assert window.sidebar.section_count("unread") == 20
    m = window.view.model
    cell = window.table.visualRect(m.index(row_of_title(window, GEMMA3), COL["title"])).center()
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert window.detail.paper.title == GEMMA3
    assert len(opened_urls) == 2
    assert window.lib.get(window.detail.paper.id).read is True
    assert window.sidebar.section_count("unread") == 19


def choose_mark_read(monkeypatch, mode: str, seconds: int = 2) -> None:
    def accept(dlg) -> bool:
        if isinstance(dlg, PreferencesDialog):
            dlg.mark_read.setCurrentIndex(dlg.mark_read.findData(mode))
            dlg.mark_read_seconds.setValue(seconds)
            return True
        return False

    monkeypatch.setattr(dialogs, "exec_dialog", accept)


def test_preference_only_when_opened(window, qtbot, monkeypatch, opened_urls, tmp_path):
    choose_mark_read(monkeypatch, "opened")
    window.actions["prefs"].trigger()
    assert window.settings.value("prefs/mark_read") == "opened"
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    assert not window.marking.read_timer.isActive()
    pdf = tmp_path / "gemma.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    window.lib.attach_file(pid, str(pdf), mode="copy")
    window.view.refresh()
    window.detail.attachment_buttons[0].click()  # the detail pane's file
    assert opened_urls[-1].startswith("file:///") and opened_urls[-1].endswith("/gemma.pdf")
    assert window.lib.get(pid).read is True
    window.lib.set_read([pid], False)
    window.papers.open_pdf()  # Paper → Open PDF: the attached one
    assert len(opened_urls) == 2
    assert window.lib.get(pid).read is True


def test_preference_never_and_the_seconds(window, qtbot, monkeypatch, opened_urls):
    choose_mark_read(monkeypatch, "never")
    window.actions["prefs"].trigger()
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    assert not window.marking.read_timer.isActive()
    window.papers.open_on_arxiv()
    assert len(opened_urls) == 1
    assert window.lib.get(pid).read is False
    choose_mark_read(monkeypatch, "after", 5)
    window.actions["prefs"].trigger()
    assert window.settings.value("prefs/mark_read_seconds") in (5, "5")
    assert window.marking.read_timer.interval() == 5000
    select_title(window, qtbot, GEMMA3)
    assert window.marking.read_timer.isActive()


def test_unreadable_mark_read_settings_fall_back_to_two_seconds(window):
    from refmanager.gui.preferences import mark_read_policy

    s = window.settings
    for value, seconds in (("0", 1), ("-3", 1), ("abc", 2), ("9999", 600), ("7", 7)):
        s.setValue("prefs/mark_read_seconds", value)
        assert mark_read_policy(s) == ("after", seconds)


def test_preferences_dialog_reads_back_what_it_saved(window):
    window.settings.setValue("prefs/mark_read", "opened")
    window.settings.setValue("prefs/mark_read_seconds", 7)
    dlg = PreferencesDialog(window.settings, window)
    assert dlg.mark_read.currentData() == "opened"
    assert dlg.mark_read_seconds.value() == 7
    assert not dlg.mark_read_seconds.isEnabled()
    dlg.mark_read.setCurrentIndex(dlg.mark_read.findData("after"))
    assert dlg.mark_read_seconds.isEnabled()
    window.settings.setValue("prefs/mark_read", "sometimes")  # (unknown: the default)
    assert PreferencesDialog(window.settings, window).mark_read.currentData() == "after"


# --------------------------------------------------------------- 8. the edit form
def test_field_error_sits_under_its_field_highlighted_and_focused(window, qtbot):
    activate(window, qtbot)
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.actions["edit"].trigger()
    ed = window.detail.editor
    doi = ed.doi
    doi.setFocus()
    qtbot.waitUntil(doi.hasFocus)
    qtbot.keyClicks(doi, "not-a-doi")
    qtbot.keyClick(doi, Qt.Key.Key_Return)
    assert ed.error.isVisible()
    assert ed.error.text() == "not a DOI: 'not-a-doi' (expected 10.NNNN/...)"
    doi_row = ed.form.getWidgetPosition(doi)[0]
    assert ed.form.getWidgetPosition(ed.error) == (doi_row + 1, QFormLayout.ItemRole.FieldRole)
    assert "#c62828" in doi.styleSheet()
    assert QApplication.focusWidget() is doi
    assert ed.error.height() >= ed.error.heightForWidth(ed.error.width())  # every line of it
    assert in_view(window.detail, ed.error)
    assert window.lib.get(pid).doi is None

    doi.setText("10.1234/abcd")
    qtbot.keyClick(doi, Qt.Key.Key_Return)
    assert window.lib.get(pid).doi == "10.1234/abcd"
    assert not ed.error.isVisible()
    assert doi.styleSheet() == ""


def test_date_error_is_under_the_date_and_tab_comes_back(window, qtbot):
    activate(window, qtbot)
    select_title(window, qtbot, GEMMA)
    window.actions["edit"].trigger()
    ed = window.detail.editor
    ed.date.setFocus()
    qtbot.waitUntil(ed.date.hasFocus)
    ed.date.selectAll()
    qtbot.keyClicks(ed.date, "2024-02-30")
    qtbot.keyClick(ed.date, Qt.Key.Key_Tab)  # leaving the field saves: refused, the focus comes back
    assert ed.form.getWidgetPosition(ed.error)[0] == ed.form.getWidgetPosition(ed.date)[0] + 1
    assert "2024-02-30" in ed.error.text()
    assert QApplication.focusWidget() is ed.date


def test_error_after_leaving_the_form_does_not_take_the_focus_back(window, qtbot):
    activate(window, qtbot)
    select_title(window, qtbot, GEMMA)
    window.actions["edit"].trigger()
    ed = window.detail.editor
    ed.pages.setFocus()
    qtbot.waitUntil(ed.pages.hasFocus)
    ed.doi.setText("nonsense")
    window.table.setFocus()  # (the user clicked the table while an error came)
    qtbot.waitUntil(window.table.hasFocus)
    ed.doi.editingFinished.emit()
    assert ed.form.getWidgetPosition(ed.error)[0] == ed.form.getWidgetPosition(ed.doi)[0] + 1
    assert QApplication.focusWidget() is window.table


def test_category_box_shows_the_start_of_its_text(window, qtbot):
    window.resize(1280, 800)
    select_title(window, qtbot, GEMMA)  # cs.CL
    window.actions["edit"].trigger()
    box = window.detail.editor.category
    assert box.currentText() == "cs.CL — Computation and Language"
    assert box.lineEdit().cursorPosition() == 0
    assert box.toolTip() == "cs.CL — Computation and Language"
    # the form fits the pane: nothing cut at its right edge
    qtbot.waitUntil(lambda: window.detail.editor.width() <= window.detail.viewport().width())
    assert box.geometry().right() < window.detail.editor.width()
    select_title(window, qtbot, MEDGEMMA)  # cs.AI, another paper loaded into the form
    assert box.currentText() == "cs.AI — Artificial Intelligence"
    assert box.lineEdit().cursorPosition() == 0


# ------------------------------------------------------------------------ 9. Help
def test_help_shows_the_search_language_and_every_shortcut(window, qtbot):
    window.actions["help"].trigger()
    help_win = window.findChild(HelpWindow)
    assert help_win is not None and help_win.isVisible()
    assert not help_win.isModal()
    assert help_win.windowTitle() == "Search syntax and shortcuts"
    text = help_win.browser.toPlainText()
    for example in ("author:mesnard", "tag:rl", "year:2020..2024", "cat:cs.CL", "key:vaswani2017attention",
                    "type:book", "collection:Thesis", "-word", '"credit assignment"'):
        assert example in text
    for line in ("Ctrl+T\tAdd tag…", "M\tToggle read (in the paper table)", "Ctrl+Shift+P\tOpen PDF",
                 "Ctrl+O\tImport…", "Ctrl+Shift+Z\tRedo", "F1\tSearch syntax and shortcuts", "F2\tEdit the title"):
        assert line in text.replace("\n", "\t")
    window.actions["help"].trigger()  # again: the same window
    assert len(window.findChildren(HelpWindow)) == 1


def test_help_is_generated_from_the_action_table_and_the_qualifiers(qapp, monkeypatch):
    # (qapp: a standard key is looked up through QKeySequence, which needs the application;
    # run alone, or first on a worker, the test crashed without it)
    from refmanager.core import search
    from refmanager.gui import actions

    rows = shortcut_rows()
    assert ("Paper", "Toggle star (in the paper table)", "S") in rows
    assert ("Edit", "Copy citation as BibTeX", "Ctrl+Shift+C") in rows
    assert ("File", "Preferences…", "Ctrl+,") in rows
    assert all(key for _, _, key in rows)
    assert not any(text == "About refmanager" for _, text, _ in rows)  # (no shortcut)
    # a new entry in the table is in the help without a word written for it
    monkeypatch.setattr(actions, "MENUS", (("&Extra", (actions.Act("x", "&Frobnicate", "about", "Ctrl+Alt+F"),)),))
    from refmanager.gui import help_window

    monkeypatch.setattr(help_window, "MENUS", actions.MENUS)
    assert shortcut_rows() == [("Extra", "Frobnicate", "Ctrl+Alt+F")]
    # a qualifier the docstring does not show still gets a line
    monkeypatch.setattr(search, "QUALIFIERS", (*search.QUALIFIERS, "venue"))
    assert any(line.startswith("venue:value") for line in search_examples())


def test_help_has_a_row_of_the_menu(window):
    texts = [a.text() for a in window.menuBar().actions()]
    help_menu = window.menuBar().actions()[texts.index("&Help")].menu()
    assert [a.text() for a in help_menu.actions() if not a.isSeparator()] == [
        "&Search syntax and shortcuts", "&About refmanager"]
