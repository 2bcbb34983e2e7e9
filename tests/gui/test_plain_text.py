"""User text is shown as typed: never as HTML, never as a mnemonic, never as a placeholder.

A tag, title, author, file name or path such as ``<b>BOLD</b><img src='file:///etc/passwd'>``
must appear literally in every label, message box, input dialog, button, menu entry,
window title and tool tip (issue 16, item 14).  The real dialogs are shown here (not
the test seam's stand-ins): a timer finds the modal dialog, reads it and closes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog, QLabel, QMenu, QMessageBox, QWidget

from refmanager.gui import dialogs
from refmanager.gui.merge_dialog import MergeDialog
from refmanager.gui.plain import no_mnemonic, plain_label, window_title
from refmanager.gui.table_model import COL

EVIL = "<b>BOLD</b><img src='file:///etc/passwd'>"
#: a file name cannot hold '/': markup without one
EVIL_NAME = "<b>BOLD<img src='x.png'>"

#: the real dialogs, taken before the ``dialog_log`` fixture puts its stand-ins in
REAL = {name: getattr(dialogs, name) for name in ("get_text", "confirm", "inform", "warn", "import_summary", "choose")}


def use_real(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    for name in names:
        monkeypatch.setattr(dialogs, name, REAL[name])


def shown(text: str) -> str:
    """What Qt shows for a button's, menu entry's or buddied label's text: '&&' is '&',
    a lone '&' marks the mnemonic and is not shown."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class Seen:
    """What a modal dialog showed: its type, title, labels (text, format) and more."""

    def __init__(self) -> None:
        self.kind: type | None = None
        self.title = ""
        self.labels: list[tuple[str, Qt.TextFormat]] = []
        self.mnemonics: list[str] = []
        self.details = ""
        self.value = ""
        self.items: list[str] = []

    def label_with(self, part: str) -> tuple[str, Qt.TextFormat]:
        found = [lab for lab in self.labels if part in lab[0]]
        assert found, f"no label shows {part!r}: {self.labels!r}"
        return found[0]


def in_modal(trigger: Callable[[], object], timeout: float = 30.0) -> Seen:
    """Run ``trigger``; the modal dialog it shows is read, then closed (rejected)."""
    seen = Seen()
    state = {"done": False, "closed": False}
    deadline = time.monotonic() + timeout

    def poll() -> None:
        if state["done"] or state["closed"]:
            return
        w = QApplication.activeModalWidget()
        if w is None:
            if time.monotonic() < deadline:
                QTimer.singleShot(10, poll)
            return
        QApplication.processEvents()  # (let the dialog lay itself out: QInputDialog sets its label's buddy)
        seen.kind = type(w)
        seen.title = w.windowTitle()
        for lab in w.findChildren(QLabel):
            if lab.text():
                seen.labels.append((lab.text(), lab.textFormat()))
                if lab.buddy() is not None:
                    seen.mnemonics.append(QKeySequence.mnemonic(lab.text()).toString())
        if isinstance(w, QMessageBox):
            seen.details = w.detailedText()
        if isinstance(w, QInputDialog):
            seen.value = w.textValue()
            seen.items = [c.itemText(i) for c in w.findChildren(QComboBox) for i in range(c.count())]
        state["closed"] = True
        w.reject()

    QTimer.singleShot(0, poll)
    try:
        trigger()
    finally:
        state["done"] = True
    assert state["closed"], "no modal dialog was shown"
    return seen


def is_plain(label: tuple[str, Qt.TextFormat]) -> bool:
    return label[1] == Qt.TextFormat.PlainText


def paper_titled(window, title: str) -> int:
    window.lib.import_text(f"CLJan 2, 2026\n{title}Eve Hacker\nAbstract.\n", "evil.txt")
    window.view.refresh()
    m = window.view.model
    for r in range(m.rowCount()):
        if m.data(m.index(r, COL["title"])) == title:
            return m.paper_id(r)
    raise AssertionError(f"no paper titled {title!r}")


# ------------------------------------------------------------------ the helpers
def test_helpers_make_text_literal(qtbot):
    lab = plain_label(EVIL)
    assert lab.textFormat() == Qt.TextFormat.PlainText and lab.text() == EVIL
    assert no_mnemonic("R&D && co") == "R&&D &&&& co"
    assert shown(no_mnemonic("R&D && co")) == "R&D && co"
    assert QKeySequence.mnemonic(no_mnemonic("R&D")).isEmpty()
    assert window_title("a[*]b") == "a[*][*]b"


def test_text_dialog_label_is_plain_text(qtbot):
    """The dialog ``get_text`` shows (QInputDialog's label is AutoText by default)."""
    dlg = dialogs.text_dialog(None, "Merge tag", f"Merge {EVIL!r} into:", items=[EVIL, "R&D"])
    qtbot.addWidget(dlg)
    (label,) = dlg.findChildren(QLabel)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert shown(label.text()) == f"Merge {EVIL!r} into:"
    assert dlg.comboBoxItems() == [EVIL, "R&D"] and dlg.textValue() == EVIL
    dlg = dialogs.text_dialog(None, "Rename tag", "New name for 'R&D':", text="R&D")
    qtbot.addWidget(dlg)
    (label,) = dlg.findChildren(QLabel)
    assert shown(label.text()) == "New name for 'R&D':"
    assert QKeySequence.mnemonic(label.text()).isEmpty()  # no Alt+D
    assert dlg.textValue() == "R&D"


@pytest.mark.parametrize("name", ["inform", "warn", "confirm", "choose", "import_summary"])
def test_every_message_box_shows_its_text_as_plain_text(qtbot, name):
    args = {
        "inform": (None, "Title", f"About {EVIL}", f"details {EVIL}"),
        "warn": (None, "Title", f"Failed: {EVIL}", f"details {EVIL}"),
        "confirm": (None, "Title", f"Delete {EVIL}?"),
        "choose": (None, "Title", f"Cannot open {EVIL}", ["Open another library…"]),
        "import_summary": (None, "Title", f"Rejected {EVIL}", f"details {EVIL}", [f"problem {EVIL}"]),
    }[name]
    seen = in_modal(lambda: getattr(dialogs, name)(*args))
    assert seen.kind is QMessageBox
    label = seen.label_with("<b>BOLD</b>")
    assert label[0] == args[2]
    assert is_plain(label)
    if len(args) > 3 and isinstance(args[3], str):
        assert EVIL in seen.details  # (the details are a plain text edit)


# -------------------------------------------------------- the sidebar's tag menu
def test_rename_tag_dialog_shows_the_tag_as_typed(window, monkeypatch):
    use_real(monkeypatch, "get_text")
    window.lib.add_tags([1], [EVIL])
    window.view.refresh()
    seen = in_modal(lambda: window.sidebar.tagAction.emit("rename", EVIL))
    assert seen.kind is QInputDialog and seen.title == "Rename tag"
    label = seen.label_with("<b>BOLD</b>")
    assert label[0] == f"New name for {EVIL!r}:"
    assert is_plain(label)
    assert seen.value == EVIL
    assert window.lib.tag_names() == [EVIL]  # (closed: nothing renamed)


def test_merge_tag_dialog_shows_the_tags_as_typed(window, monkeypatch):
    use_real(monkeypatch, "get_text")
    window.lib.add_tags([1], [EVIL])
    window.lib.add_tags([2], ["other"])
    window.view.refresh()
    seen = in_modal(lambda: window.sidebar.tagAction.emit("merge", EVIL))
    assert seen.kind is QInputDialog and seen.title == "Merge tag"
    label = seen.label_with("<b>BOLD</b>")
    assert label[0] == f"Merge {EVIL!r} into:" and is_plain(label)
    assert seen.items == ["other"]
    seen = in_modal(lambda: window.sidebar.tagAction.emit("merge", "other"))
    assert seen.items == [EVIL]


def test_a_tag_with_an_ampersand_is_no_mnemonic_in_the_dialog(window, monkeypatch):
    use_real(monkeypatch, "get_text")
    window.lib.add_tags([1], ["R&D"])
    window.view.refresh()
    seen = in_modal(lambda: window.sidebar.tagAction.emit("rename", "R&D"))
    label = seen.label_with("R&")
    assert shown(label[0]) == "New name for 'R&D':"  # the label is the line edit's buddy
    assert seen.mnemonics == [""]  # no Alt+D


def test_delete_tag_confirmation_shows_the_tag_as_typed(window, monkeypatch):
    use_real(monkeypatch, "confirm")
    window.lib.add_tags([1], [EVIL])
    window.view.refresh()
    seen = in_modal(lambda: window.sidebar.tagAction.emit("delete", EVIL))
    assert seen.kind is QMessageBox and seen.title == "Delete tag"
    label = seen.label_with("<b>BOLD</b>")
    assert label[0].startswith(f"Remove the tag {EVIL!r} from 1 paper(s)?")
    assert is_plain(label)
    assert window.lib.tag_names() == [EVIL]  # (answered No)


def test_add_tag_dialog_lists_the_tags_as_typed(window, monkeypatch):
    use_real(monkeypatch, "get_text")
    window.lib.add_tags([1], [EVIL])
    window.view.refresh()
    window.view.select_ids([2])
    seen = in_modal(window.marking.tag_dialog)
    assert seen.items == [EVIL]
    assert all(is_plain(lab) for lab in seen.labels)


# ------------------------------------------------------------ papers and files
def test_delete_papers_confirmation_is_plain_text(window, monkeypatch, qtbot):
    use_real(monkeypatch, "confirm")
    pid = paper_titled(window, EVIL)
    window.lib.trash([pid])
    window.sidebar.select_section("trash")
    window.view.select_ids([pid])
    qtbot.waitUntil(lambda: window.view.selected_ids() == [pid])
    seen = in_modal(window.marking.trash_selected)
    assert seen.title == "Delete for good"
    assert all(is_plain(lab) for lab in seen.labels)
    assert window.lib.get(pid) is not None  # (answered No)


def test_merge_dialog_shows_every_value_as_typed(window, monkeypatch, qtbot):
    pid = paper_titled(window, EVIL)
    window.lib.edit_paper(pid, authors=[EVIL, "R&D Team"])
    window.view.select_ids([1, pid])
    qtbot.waitUntil(lambda: sorted(window.view.selected_ids()) == sorted([1, pid]))
    shown_dialogs: list[MergeDialog] = []

    def capture(dlg) -> bool:
        shown_dialogs.append(dlg)
        return False  # cancelled

    monkeypatch.setattr(dialogs, "exec_dialog", capture)
    window.papers.merge_selected()
    (dlg,) = shown_dialogs
    qtbot.addWidget(dlg)
    labels = [lab for lab in dlg.findChildren(QLabel) if lab.text()]
    assert EVIL in [lab.text() for lab in labels]
    assert f"{EVIL}, R&D Team" in [lab.text() for lab in labels]
    not_plain = [lab.text() for lab in labels if lab.textFormat() != Qt.TextFormat.PlainText]
    assert not_plain == []


def test_import_summary_shows_file_names_as_typed(window, monkeypatch, qtbot, tmp_path, dialog_log):
    use_real(monkeypatch, "import_summary")
    bad = tmp_path / f"{EVIL_NAME}.txt"
    bad.write_text("CLJul 31, 2024\nA TitleJohn Smith\nAbstract.\nCLFeb 30, 2024\nB TitleJane Doe\nAbstract two.\n")
    dialog_log.open_files = [str(bad)]

    def run() -> None:
        with qtbot.waitSignal(window.imports.finished, timeout=20000):
            window.actions["import"].trigger()

    seen = in_modal(run)
    assert seen.kind is QMessageBox and seen.title == "Import finished with problems"
    label = seen.label_with("<b>BOLD")
    assert f"Rejected {bad}:4: impossible date 'CLFeb 30, 2024'" in label[0]
    assert is_plain(label)
    assert EVIL_NAME in seen.details


def test_error_messages_quote_user_data_as_typed(window, monkeypatch, tmp_path):
    use_real(monkeypatch, "warn")
    missing = f"/nonexistent/{EVIL}"
    seen = in_modal(lambda: window.papers._attach(1, [missing]))
    assert seen.title == "Not attached"
    label = seen.label_with("<b>BOLD</b>")
    assert "<img src='file:" in label[0] and label[0].endswith("no such file")
    assert is_plain(label)
    seen = in_modal(lambda: window.files.switch_library(tmp_path / f"{EVIL_NAME}.db"))
    assert seen.title == "Open library"
    label = seen.label_with("<b>BOLD")
    assert label[0] == f"{tmp_path / f'{EVIL_NAME}.db'}: no such library"
    assert is_plain(label)


def test_about_and_window_title_show_the_library_name_as_typed(make_window, monkeypatch, tmp_path):
    use_real(monkeypatch, "inform")
    path = tmp_path / f"{EVIL_NAME}[*].db"
    win = make_window(path)
    # the title as the window system shows it: '[*]' is not taken for the "modified" mark
    assert win.windowHandle().title() == f"{EVIL_NAME}[*].db — refmanager"
    seen = in_modal(win.about)
    label = seen.label_with("<b>BOLD")
    assert f"Library: {path}" in label[0]
    assert is_plain(label)


# ------------------------------------------------------------------ the window
def test_detail_pane_shows_title_authors_tags_and_files_as_typed(window, qtbot, tmp_path):
    pid = paper_titled(window, EVIL)
    window.lib.edit_paper(pid, authors=[EVIL])
    window.lib.add_tags([pid], [EVIL, "R&D"])
    pdf = tmp_path / f"R&D {EVIL_NAME}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    window.lib.attach_file(pid, pdf)
    window.lib.set_note(pid, EVIL)
    window.view.refresh()
    window.view.select_ids([pid])
    qtbot.waitUntil(lambda: window.detail.paper is not None and window.detail.paper.id == pid)
    d = window.detail
    assert d.title.text() == EVIL and d.authors.text() == EVIL
    for lab in (d.title, d.authors, d.abstract, d.history, d.raw_line, d.review_title, d.meta, d.ids):
        assert lab.textFormat() == Qt.TextFormat.PlainText
    assert d.note.toPlainText() == EVIL
    chips = {c.property("tag"): c for c in d.findChildren(QWidget) if c.objectName() == "tagChip"}
    assert set(chips) == {EVIL, "R&D"}
    assert shown(chips["R&D"].text()) == "R&D  ✕"
    assert chips["R&D"].shortcut().isEmpty()  # no Alt+D removing the tag
    assert "&lt;b&gt;BOLD&lt;/b&gt;" in chips[EVIL].toolTip()
    (button,) = d.attachment_buttons
    assert shown(button.text()) == pdf.name
    assert button.shortcut().isEmpty()
    assert "&lt;b&gt;BOLD&lt;img" in button.toolTip()


def test_split_buttons_show_the_alternatives_as_typed(window, qtbot):
    window.lib.import_text("LGJan 5, 2023\n<b>R&D</b> Is AIMax\nA short abstract nobody can split.\n", "u.txt")
    window.view.refresh()
    window.sidebar.select_section("review")
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.review_box.isVisible())
    assert window.detail.raw_line.text() == "As imported: <b>R&D</b> Is AIMax"
    buttons = window.detail.split_buttons
    assert shown(buttons[0].text()) == "Use: <b>R&D</b> Is A  |  IMax"
    assert all(b.shortcut().isEmpty() for b in buttons)


def test_table_tooltips_escape_title_authors_and_tags(window):
    pid = paper_titled(window, EVIL)
    window.lib.edit_paper(pid, authors=[EVIL])
    window.lib.add_tags([pid], [EVIL])
    window.view.refresh()
    m = window.view.model
    row = next(r for r in range(m.rowCount()) if m.paper_id(r) == pid)
    for col in ("title", "authors", "tags"):
        tip = m.data(m.index(row, COL[col]), Qt.ItemDataRole.ToolTipRole)
        assert "&lt;b&gt;BOLD&lt;/b&gt;&lt;img src=" in tip, col
        assert "<b>" not in tip and "<img" not in tip, col


def test_undo_and_redo_entries_show_a_tag_with_an_ampersand(window):
    window.lib.add_tags([1], ["ml"])
    window.view.refresh()
    window.lib.rename_tag("ml", "R&D")
    window.view.refresh()
    undo = window.actions["undo"].text()
    assert shown(undo) == "Undo Rename tag 'ml' to 'R&D'"
    assert QKeySequence.mnemonic(undo).toString() == QKeySequence("Alt+U").toString()
    window.marking.undo()
    assert shown(window.actions["redo"].text()) == "Redo Rename tag 'ml' to 'R&D'"


def test_recent_libraries_menu_shows_paths_as_typed(window, tmp_path, qtbot):
    odd = tmp_path / "R&D <b>libs</b>.db"
    window.files.add_recent(odd)
    menu = QMenu(window)
    window.files.fill_recent_menu(menu)
    texts = [shown(a.text()) for a in menu.actions()]
    assert str(odd.resolve()) in texts
    assert all(QKeySequence.mnemonic(a.text()).isEmpty() for a in menu.actions())


def test_search_hint_and_banner_are_plain_text(window, qtbot):
    window.search.setText(f"year:{EVIL}")
    qtbot.waitUntil(lambda: window.hint.isVisible(), timeout=3000)
    assert "<b>BOLD</b>" in window.hint.text()
    assert window.hint.textFormat() == Qt.TextFormat.PlainText
    window.show_banner(EVIL)
    assert window.banner.text() == EVIL and window.banner.textFormat() == Qt.TextFormat.PlainText
