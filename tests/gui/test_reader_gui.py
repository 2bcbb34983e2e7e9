"""The PDF reader beside the library (issue 19, part 2), driven in the real window offscreen:
a 5-page PDF made here opens from Paper → Open PDF, the detail pane's PDF button and its list
of files; the keyboard turns pages; zoom and the fit modes change the zoom; find goes to the
page of a hit; a drag selects text that Ctrl+C copies; highlights and notes go to the
library, are drawn again when the file is opened again (also after it moved and was linked
again), and the reader reopens at the last page read; the detail pane lists the annotations,
opens the reader at one, and appends them to the note."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QMenu

from refmanager.core.library import Library
from refmanager.gui.reader.window import ReaderWindow

from .. import pdfs
from ..conftest import FULL_SEED

#: The known text of the test PDF: page (from 1) -> line written at y = 200 points.
TEXTS = {1: "Attention is a graph walk over tokens.", 4: "The zebrafish swims past the lighthouse."}


@pytest.fixture
def pdf(tmp_path: Path, qapp) -> Path:
    return pdfs.make_pdf(tmp_path / "five.pdf", 5, TEXTS)


@pytest.fixture
def library(tmp_path: Path, pdf: Path) -> Path:
    """The full seed; paper 1 (Gemma 2) with the 5-page PDF attached (a copy)."""
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        lib.attach_file(1, pdf)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def open_reader(win, qtbot, pid: int = 1) -> ReaderWindow:
    """Paper → Open PDF on the paper: its reader, laid out."""
    win.view.select_ids([pid])
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.id == pid)
    win.actions["pdf"].trigger()
    return shown_reader(win, qtbot)


def shown_reader(win, qtbot) -> ReaderWindow:
    qtbot.waitUntil(lambda: len(win.reader.readers) == 1)
    r = next(iter(win.reader.readers.values()))
    qtbot.waitUntil(lambda: r._started)
    return r


def drag(qtbot, r: ReaderWindow, page: int, a: QPointF, b: QPointF) -> None:
    """A mouse drag from ``a`` to ``b`` (points of the 0-based ``page``)."""
    vp = r.view.viewport()
    pa = r.view.to_view(page, QRectF(a, a)).topLeft().toPoint()
    pb = r.view.to_view(page, QRectF(b, b)).topLeft().toPoint()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=pa)
    qtbot.mouseMove(vp, QPoint((pa.x() + pb.x()) // 2, pa.y()))
    qtbot.mouseMove(vp, pb)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=pb)


def key(qtbot, r: ReaderWindow, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(r.view, k, mods)


def painted_ids(r: ReaderWindow) -> set[int]:
    r.view.viewport().repaint()
    return {aid for aid, _page, _rect in r.view.painted}


# ------------------------------------------------------------------ reading
def test_open_turn_pages_with_the_keyboard_zoom_and_fit(library, make_window, qtbot):
    win = make_window(library)
    assert win.lib.get(1).read is False
    r = open_reader(win, qtbot)
    v = r.view
    assert isinstance(r, ReaderWindow) and r.isVisible() and r.path.name == "five.pdf"
    assert (v.page_count(), v.current_page(), r.panel.thumbs.rowCount()) == (5, 0, 5)
    assert win.lib.get(1).read is True  # (opened: read, as Preferences say by default)
    key(qtbot, r, Qt.Key.Key_PageDown)
    key(qtbot, r, Qt.Key.Key_PageDown)
    assert v.current_page() == 2 and r.page_box.value() == 3  # page 3, as the box says
    key(qtbot, r, Qt.Key.Key_End)
    assert v.current_page() == 4
    key(qtbot, r, Qt.Key.Key_PageUp)
    assert v.current_page() == 3
    key(qtbot, r, Qt.Key.Key_Home)
    assert v.current_page() == 0
    bar = v.verticalScrollBar()
    top = bar.value()
    key(qtbot, r, Qt.Key.Key_Down)
    assert bar.value() == top + 40  # (the arrows scroll)
    key(qtbot, r, Qt.Key.Key_Up)
    assert bar.value() == top
    key(qtbot, r, Qt.Key.Key_Right)  # (the page fits the width: left and right turn pages)
    assert v.current_page() == 1
    key(qtbot, r, Qt.Key.Key_Left)
    assert v.current_page() == 0
    r.activateWindow()
    qtbot.waitUntil(lambda: r.isActiveWindow())
    key(qtbot, r, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # (the shortcut: actual size)
    assert v.zoomMode() == QPdfView.ZoomMode.Custom and v.effective_zoom() == pytest.approx(1.0, abs=0.01)
    key(qtbot, r, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert v.effective_zoom() == pytest.approx(1.1, abs=0.01)
    key(qtbot, r, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # (Ctrl+= too: no Shift needed)
    assert v.effective_zoom() == pytest.approx(1.25, abs=0.01)
    key(qtbot, r, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert v.effective_zoom() == pytest.approx(1.1, abs=0.01)
    r.fit_width()
    r.panel.pageChosen.emit(3)  # (a thumbnail clicked)
    assert v.current_page() == 3 and r.panel.pages.currentIndex().row() == 3
    r.page_box.setValue(2)  # (the page box)
    assert v.current_page() == 1

    assert v.zoomMode() == QPdfView.ZoomMode.FitToWidth  # (the default)
    width = v.effective_zoom()
    r.actions_["fit_page"].trigger()
    assert v.zoomMode() == QPdfView.ZoomMode.FitInView and v.effective_zoom() < width
    assert v.current_page() == 1  # (the page stays)
    r.actions_["actual"].trigger()  # Ctrl+0
    assert v.zoomMode() == QPdfView.ZoomMode.Custom and v.effective_zoom() == pytest.approx(1.0, abs=0.01)
    r.actions_["zoom_in"].trigger()
    assert v.effective_zoom() == pytest.approx(1.1, abs=0.01)
    r.actions_["zoom_in"].trigger()
    assert v.effective_zoom() == pytest.approx(1.25, abs=0.01)
    r.actions_["zoom_out"].trigger()
    r.actions_["zoom_out"].trigger()
    r.actions_["zoom_out"].trigger()
    assert v.effective_zoom() == pytest.approx(0.9, abs=0.01) and v.current_page() == 1
    qtbot.waitUntil(lambda: r.zoom_label.text() == "90%")
    assert [r.actions_[k].shortcut().toString() for k in ("actual", "zoom_in", "zoom_out")] == [
        "Ctrl+0", "Ctrl++", "Ctrl+-"]
    r.actions_["fit_width"].trigger()
    assert v.effective_zoom() == pytest.approx(width) and r.actions_["fit_width"].isChecked()
    assert win.settings.value("reader/zoom") == "width"  # (the next reader opens so)


def test_one_reader_per_file_raised_when_asked_again(library, make_window, qtbot):
    win = make_window(library)
    r = open_reader(win, qtbot)
    win.detail.attachment_buttons[0].click()  # the detail pane's file: the same reader
    win.detail.pdf_button.click()
    assert list(win.reader.readers.values()) == [r]
    r.close()
    assert win.reader.readers == {}
    win.detail.attachment_buttons[0].click()
    assert len(win.reader.readers) == 1 and next(iter(win.reader.readers.values())) is not r


def test_find_goes_to_the_page_of_each_hit(library, make_window, qtbot):
    win = make_window(library)
    r = open_reader(win, qtbot)
    r.actions_["find"].trigger()
    assert r.find.isVisible()
    qtbot.keyClicks(r.find.field, "zebrafish")
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)
    assert r.find.count.text() == "1 of 1" and r.view.current_page() == 3  # page 4
    assert r.view.searchModel() is r.find.model and r.view.currentSearchResultIndex() == 0
    r.find.field.clear()
    qtbot.keyClicks(r.find.field, "filler")  # a line of every page
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)
    assert r.find.count.text() == "4 of 5" and r.view.current_page() == 3  # (from the page shown)
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)
    assert r.find.count.text() == "5 of 5" and r.view.current_page() == 4
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)
    assert r.find.count.text() == "1 of 5" and r.view.current_page() == 0  # (round the end)
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert r.find.count.text() == "5 of 5" and r.view.current_page() == 4
    r.find.field.clear()
    qtbot.keyClicks(r.find.field, "walrus")
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)
    assert r.find.count.text() == "Not found"
    qtbot.keyClick(r.find.field, Qt.Key.Key_Escape)
    assert not r.find.isVisible() and r.view.searchModel() is None


def test_find_in_a_long_pdf_goes_on_from_the_event_loop(tmp_path, make_window, qtbot):
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        lib.attach_file(1, pdfs.make_pdf(tmp_path / "long.pdf", 30, {25: "A walrus on the ice."}))
    win = make_window(path)
    r = open_reader(win, qtbot)
    r.find.open_bar()
    r.find.field.setText("walrus")
    r.find.search()  # (what Enter or a pause in typing does)
    assert r.find.scanning() and r.find.count.text() == "Searching…"  # (12 pages of 30 read)
    qtbot.waitUntil(lambda: r.find.count.text() == "1 of 1")
    assert r.view.current_page() == 24
    r.find.field.clear()
    r.find.field.setText("filler")
    r.find.search()
    assert r.find.count.text() == "Searching…"  # (a hit from the page shown on: not read yet)
    qtbot.keyClick(r.find.field, Qt.Key.Key_Return)  # (a step past what was found: the rest at once)
    assert r.find.count.text() == "26 of 30" and r.view.current_page() == 25 and not r.find.scanning()
    r.view.go_to(2)
    r.find.search()
    assert r.find.count.text() == "3 of 12…" and r.view.current_page() == 2  # (found in the first pages)
    qtbot.waitUntil(lambda: r.find.count.text() == "3 of 30")


# ------------------------------------------------------------------ annotating
def test_select_copy_highlight_and_reopen_where_it_was_left(library, make_window, qtbot, pdf):
    win = make_window(library)
    r = open_reader(win, qtbot)
    drag(qtbot, r, 0, QPointF(70, 196), QPointF(420, 196))  # over the known line of page 1
    assert r.view.selected_text() == "Attention is a graph walk over tokens."
    assert r.actions_["highlight"].isEnabled()
    QGuiApplication.clipboard().clear()
    key(qtbot, r, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Attention is a graph walk over tokens."
    r.colour_actions["green"].trigger()
    (a,) = win.lib.annotations(1)
    assert (a.kind, a.page, a.color, a.quote, a.file) == ("highlight", 1, "green",
                                                          "Attention is a graph walk over tokens.", sha(pdf))
    ((x, y, w, h),) = a.rects  # (one line: the text's box, a point larger each way)
    assert 68 <= x <= 73 and 185 <= y <= 195 and 200 <= w <= 230 and 10 <= h <= 16
    assert a.char_start is not None and a.char_end - a.char_start == len(a.quote)
    assert r.view.selection is None and a.id in painted_ids(r)
    assert win.lib.undo_label().startswith("Highlight on page 1 of 'Gemma 2")
    assert win.actions["undo"].isEnabled()  # (the window's Edit menu knows)
    key(qtbot, r, Qt.Key.Key_PageDown)
    key(qtbot, r, Qt.Key.Key_PageDown)
    assert r.view.current_page() == 2
    r.close()  # (saves the page it was left at)
    assert win.lib.annotator.last_page(1, sha(pdf)) == 3
    r = open_reader(win, qtbot)
    assert r.view.current_page() == 2  # reopened where it was left
    assert a.id not in painted_ids(r)  # (page 1 is not in view)
    key(qtbot, r, Qt.Key.Key_Home)
    painted = [(aid, page) for aid, page, _ in r.view.painted] if painted_ids(r) else []
    assert painted == [(a.id, 0)]
    assert r.panel.notes.count() == 1 and r.panel.notes.item(0).text() == (
        "p. 1  \u201cAttention is a graph walk over tokens.\u201d")


def test_a_note_on_the_page_a_comment_delete_and_undo(library, make_window, qtbot, dialog_log):
    win = make_window(library)
    r = open_reader(win, qtbot)
    r.actions_["note"].trigger()  # the note tool (N)
    assert r.view.tool == "note"
    r.view.go_to(1)
    vp = r.view.viewport()
    where = r.view.to_view(1, QRectF(300, 400, 0, 0)).topLeft().toPoint()
    dialog_log.texts = ["Compare with the herring paper"]
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=where)
    (n,) = win.lib.annotations(1)
    assert (n.kind, n.page, n.comment, len(n.rects)) == ("note", 2, "Compare with the herring paper", 1)
    assert n.rects[0] == pytest.approx((291, 391, 18, 18), abs=1)  # (centred on the click, to a pixel)
    assert r.view.tool == "select" and not r.actions_["note"].isChecked()  # (one note per click of the tool)
    assert n.id in painted_ids(r)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=where)  # choose it
    assert r.view.current_mark == n.id
    dialog_log.texts = ["Compare with the herring and the cod"]
    r.annotate.edit_comment(n.id)  # (a double click does this)
    assert win.lib.annotations(1)[0].comment == "Compare with the herring and the cod"
    menu = QMenu(r)  # (its right-click menu, without showing it)
    r.annotate._mark_menu(menu, r.mark(n.id))
    assert [a.text() for a in menu.actions()] == ["Edit the note…", "Colour", "", "Delete the note"]
    colours = menu.actions()[1].menu().actions()
    assert [a.text() for a in colours] == ["Yellow", "Green", "Blue", "Pink", "Purple"]
    colours[1].trigger()
    assert win.lib.annotations(1)[0].color == "green" and r.colour_actions["green"].isChecked()
    win.actions["undo"].trigger()
    assert win.lib.annotations(1)[0].color == "yellow"
    key(qtbot, r, Qt.Key.Key_Delete)
    assert win.lib.annotations(1) == [] and n.id not in painted_ids(r)
    r.actions_["undo"].trigger()  # Ctrl+Z in the reader: the library's undo
    assert [a.comment for a in win.lib.annotations(1)] == ["Compare with the herring and the cod"]
    assert n.id in painted_ids(r)
    r.actions_["undo"].trigger()
    assert [a.comment for a in win.lib.annotations(1)] == ["Compare with the herring paper"]
    r.actions_["redo"].trigger()
    assert [a.comment for a in win.lib.annotations(1)] == ["Compare with the herring and the cod"]


def test_a_moved_and_relinked_file_shows_its_annotations(tmp_path, make_window, qtbot, pdf):
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        att = lib.attach_file(1, pdf, mode="link")
        aid = lib.add_annotation(1, file=sha(pdf), page=4, rects=[[71, 191, 230, 12]], color="blue",
                                 quote=TEXTS[4])
        moved = tmp_path / "elsewhere" / "renamed.pdf"
        moved.parent.mkdir()
        shutil.move(pdf, moved)
        lib.detach(1, att["id"])
        lib.attach_file(1, moved, mode="link")
    win = make_window(path)
    win.view.select_ids([1])
    qtbot.waitUntil(lambda: win.detail.paper is not None)
    assert [b.text() for b in win.detail.attachment_buttons] == ["renamed.pdf"]
    (row,) = win.reader.panel.row_widgets
    row.setFocus()
    qtbot.keyClick(row, Qt.Key.Key_Return)  # (the pane's row, from the keyboard)
    r = shown_reader(win, qtbot)
    assert r.path == moved.resolve() and r.view.current_page() == 3 and r.view.current_mark == aid
    assert aid in painted_ids(r)


def test_unreadable_and_protected_pdfs(tmp_path, make_window, qtbot, dialog_log, opened_urls):
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        lib.attach_file(1, pdfs.garbage_pdf(tmp_path / "broken.pdf"))
        lib.attach_file(2, pdfs.encrypted_pdf(tmp_path / "locked.pdf"))
    win = make_window(path)
    win.view.select_ids([1])
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.id == 1)
    win.detail.pdf_button.click()  # the reader cannot read it: the system's viewer, as before
    assert win.reader.readers == {} and opened_urls[-1].endswith("/broken.pdf")
    assert win.statusBar().currentMessage() == ("The reader cannot open broken.pdf: not a PDF it can read "
                                                "(damaged?)")
    win.view.select_ids([2])
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.id == 2)
    dialog_log.texts = ["wrong", "secret"]
    win.actions["pdf"].trigger()
    r = shown_reader(win, qtbot)
    assert [c[0] for c in dialog_log.of("text")] == ["Password", "Password"]
    assert r.view.page_count() == 1 and len(opened_urls) == 1


# ------------------------------------------------------------------ the detail pane
def test_the_pane_lists_annotations_opens_them_and_adds_them_to_the_note(library, make_window, qtbot, pdf):
    file = sha(pdf)
    with Library(library) as lib:
        lib.add_annotation(1, file=file, page=4, rects=[[71, 191, 230, 12]], color="blue", quote=TEXTS[4],
                           comment="The key result")
        lib.add_annotation(1, file=file, page=1, rects=[[71, 191, 213, 12]], color="yellow", quote=TEXTS[1])
        lib.add_annotation(1, file=file, page=2, kind="note", rects=[[300, 80, 18, 18]], comment="Read again")
        lib.set_note(1, "Seen at the reading group.")
    win = make_window(library)
    win.view.select_ids([2])
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.id == 2)
    panel = win.reader.panel
    assert not panel.isVisibleTo(win.detail)  # (a paper without annotations: no list)
    win.view.select_ids([1])
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.id == 1)
    assert panel.isVisibleTo(win.detail) and panel.title.text() == "Annotations (3)"
    assert panel.rows() == [
        "p. 1  \u201cAttention is a graph walk over tokens.\u201d",
        "p. 2  \u270e Read again",
        "p. 4  \u201cThe zebrafish swims past the lighthouse.\u201d\n\u21b3 The key result",
    ]
    qtbot.mouseClick(panel.row_widgets[2], Qt.MouseButton.LeftButton)
    r = shown_reader(win, qtbot)
    blue = win.lib.annotations(1)[2]
    assert r.view.current_page() == 3 and r.view.current_mark == blue.id and blue.id in painted_ids(r)
    r.close()

    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    expected = ("Seen at the reading group.\n\n## Annotations\n\n"
                "> \u201cAttention is a graph walk over tokens.\u201d (p. 1)\n\n"
                "Read again (p. 2)\n\n"
                "> \u201cThe zebrafish swims past the lighthouse.\u201d (p. 4)\n\nThe key result\n")
    assert win.lib.get(1).note == expected
    assert win.detail.note.toPlainText() == expected  # (the note editor shows it)
    assert win.actions["undo"].text() == "&Undo Edit note of paper 1"
    win.actions["undo"].trigger()
    assert win.lib.get(1).note == "Seen at the reading group."
    assert win.detail.note.toPlainText() == "Seen at the reading group."


def test_another_library_closes_the_readers_and_the_page_stays_with_its_own(library, make_window, qtbot, pdf,
                                                                           tmp_path, dialog_log):
    win = make_window(library)
    r = open_reader(win, qtbot)
    key(qtbot, r, Qt.Key.Key_End)
    with Library(tmp_path / "second.db") as other:
        other.import_paths([FULL_SEED])  # (a paper 1 there too)
    dialog_log.library_to_open = str(tmp_path / "second.db")
    win.actions["open_library"].trigger()
    assert win.lib.path == tmp_path / "second.db" and win.reader.readers == {}
    assert win.lib.db.value("SELECT count(*) FROM reading_positions") == 0
    with Library(library) as first:
        assert first.annotator.last_page(1, sha(pdf)) == 5
