"""The PDFs' full text in the window (issue 19): the index run starts by itself in the
background after the library opens and after a PDF is attached, shows its progress with a
Cancel button and goes on at the next start; View → Search full text too finds papers by
words on page 3 of their PDF, is remembered, and the detail pane says on which page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from refmanager.core.library import Library, View
from refmanager.gui import fulltext_controller as fc

from .. import pdfs
from ..conftest import FULL_SEED, PROFILE_SEED

#: long enough for any run here (the runs take well under a second to a few seconds)
WAIT_MS = 60_000


@pytest.fixture
def auto_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs start by themselves here (the suite turns them off), at once."""
    monkeypatch.delenv(fc.NO_AUTO_ENV, raising=False)
    monkeypatch.setattr(fc, "START_DELAY_MS", 0)
    monkeypatch.setattr(fc, "CHECK_DELAY_MS", 0)


@pytest.fixture
def library(tmp_path: Path, qapp) -> Path:
    """Seeds, paper 1 with a PDF (zebrafish on page 3), paper 2 with an encrypted one."""
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED, PROFILE_SEED])
        lib.attach_file(1, pdfs.make_pdf(tmp_path / "good.pdf", 4, {3: "The zebrafish swims past the lighthouse."}))
        lib.attach_file(2, pdfs.encrypted_pdf(tmp_path / "locked.pdf"))
    return path


def search(qtbot, win, text: str) -> None:
    win.search.setText(text)
    win.view.apply_search()


def test_the_run_starts_after_opening_and_reports_each_failure(auto_index, library, make_window, qtbot):
    win = make_window(library)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not None, timeout=WAIT_MS)
    report = win.fulltext.last_report
    assert (report.total, report.indexed, report.pages, report.cancelled) == (2, 1, 4, False)
    assert [(f["paper"], f["error"]) for f in report.failures] == [(2, "encrypted (password required)")]
    assert not win.fulltext.box.isVisible()
    assert win.statusBar().currentMessage() == (
        "PDF index: 1 PDF indexed (4 pages), 1 failed — locked.pdf: encrypted (password required)")
    st = win.lib.fulltext_status()
    assert (st.indexed, st.failed, st.pending) == (1, 1, 0)


def test_search_full_text_too_finds_words_on_page_3_and_is_remembered(auto_index, library, make_window, qtbot):
    win = make_window(library)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not None, timeout=WAIT_MS)
    toggle = win.actions["search_fulltext"]
    assert toggle in win.menuBar().actions()[2].menu().actions() and not toggle.isChecked()  # (View menu)
    search(qtbot, win, "zebrafish")
    assert win.view.model.rowCount() == 0
    toggle.trigger()
    assert toggle.isChecked() and win.view.model.view.fulltext
    assert win.view.model.rowCount() == 1 and win.view.model.paper_id(0) == 1
    win.table.selectRow(0)
    line = win.detail.fulltext_hits
    assert line.isVisibleTo(win.detail) and line.text().startswith("Found in good.pdf on page 3: \u201c")
    assert "zebrafish swims past the lighthouse" in line.text()
    search(qtbot, win, 'fulltext:"the lighthouse"')  # (the qualifier works with the toggle off or on)
    win.table.selectRow(0)
    assert win.view.model.rowCount() == 1 and line.text().startswith("Found in good.pdf on page 3")
    search(qtbot, win, "gemma")  # a word of the record only: no line
    win.table.selectRow(0)
    assert not line.isVisibleTo(win.detail)
    win.close()
    again = make_window(library)
    assert again.actions["search_fulltext"].isChecked() and again.view.model.view.fulltext
    again.actions["search_fulltext"].trigger()
    assert not again.view.model.view.fulltext


def test_a_pdf_attached_later_starts_a_run(auto_index, library, make_window, qtbot, tmp_path: Path):
    win = make_window(library)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not None, timeout=WAIT_MS)
    first = win.fulltext.last_report
    win.lib.attach_file(3, pdfs.make_pdf(tmp_path / "otter.pdf", 2, {2: "An otter on page two"}))
    win.view.refresh()  # (as after File → Attach: the window reads the library again)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not first, timeout=WAIT_MS)
    assert (win.fulltext.last_report.total, win.fulltext.last_report.indexed) == (1, 1)
    assert win.lib.ids(View(search="fulltext:otter")) == [3]


def test_cancel_stops_the_run_and_the_next_start_goes_on(auto_index, tmp_path: Path, make_window, qtbot, qapp):
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        lib.attach_file(1, pdfs.make_pdf(tmp_path / "long.pdf", 300, {300: "A heron on the last page"}))
        lib.attach_file(2, pdfs.make_pdf(tmp_path / "short.pdf", 1, {1: "A puffin"}))
    win = make_window(path)
    ctl = win.fulltext
    qtbot.waitUntil(lambda: ctl.box.isVisible(), timeout=WAIT_MS)
    assert ctl.label.text() == "Indexing PDFs: 0 of 2"
    qtbot.mouseClick(ctl.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctl.last_report is not None, timeout=WAIT_MS)
    assert ctl.last_report.cancelled and ctl.last_report.indexed == 0
    assert not ctl.box.isVisible() and not ctl.running()
    assert win.statusBar().currentMessage() == "PDF index stopped: the rest is indexed at the next start"
    assert [f.name for f in win.lib.fulltext_pending()] == ["long.pdf", "short.pdf"]
    win.view.refresh()  # (no new PDF: no run starts again in this session)
    qtbot.wait(50)
    assert not ctl.running()
    win.close()
    again = make_window(path)  # the next start goes on
    qtbot.waitUntil(lambda: again.fulltext.last_report is not None, timeout=WAIT_MS)
    assert (again.fulltext.last_report.indexed, again.fulltext.last_report.cancelled) == (2, False)
    assert again.lib.fulltext_pending() == []


def test_closing_the_window_during_a_run_stops_it(auto_index, tmp_path: Path, make_window, qtbot, qapp):
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        lib.attach_file(1, pdfs.make_pdf(tmp_path / "long.pdf", 300, {300: "A heron on the last page"}))
    win = make_window(path)
    ctl = win.fulltext
    qtbot.waitUntil(lambda: ctl.box.isVisible(), timeout=WAIT_MS)
    proc = ctl.proc.proc
    win.close()
    assert ctl.proc is None and proc.state() == proc.ProcessState.NotRunning  # (stopped, and waited for)
    with Library(path) as lib:
        assert [f.name for f in lib.fulltext_pending()] == ["long.pdf"]  # (read at the next start)


def test_the_runs_own_commits_do_not_reload_the_window(library, make_window, qtbot, monkeypatch):
    """Each file the run commits moves the library's data_version: the window takes it as its
    own (it reloaded everything once a second while indexing), and reloads once when the run
    ends (showing what another program wrote meanwhile)."""
    win = make_window(library)
    refreshed: list[int] = []
    monkeypatch.setattr(win.view, "refresh", lambda *a, **k: refreshed.append(1))
    emitted: list[int] = []
    win.watcher.changedElsewhere.connect(lambda: emitted.append(1))
    with Library(library) as other:  # (a commit the window did not make, as the run's are)
        other.set_starred([3])
    win.fulltext._progress(1, 2, "good.pdf")
    win.watcher.check()
    assert emitted == [] and refreshed == []
    win.fulltext._ended()
    assert refreshed == [1]
    # with a full-text view the run's commits do change what is shown: the watcher sees them
    search(qtbot, win, "fulltext:zebrafish")
    assert win.view.model.compiled.fulltext
    with Library(library) as other:
        other.set_starred([4])
    win.fulltext._progress(2, 2, "locked.pdf")
    win.watcher.check()
    assert len(emitted) == 1


def test_a_pdf_changed_on_disk_while_the_app_runs_is_read_again(auto_index, library, make_window, qtbot, tmp_path):
    win = make_window(library)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not None, timeout=WAIT_MS)
    first = win.fulltext.last_report
    assert win.fulltext.rescan_timer.interval() == fc.RESCAN_MS and win.fulltext.rescan_timer.isActive()
    pdfs.make_pdf(tmp_path / "good.pdf", 2, {2: "A narwhal now."})  # (the linked copy's source, rewritten)
    good = Path(win.lib.attachments(1)[0]["path"])
    good.write_bytes((tmp_path / "good.pdf").read_bytes())
    win.fulltext._rescan()  # (what the timer does every few minutes)
    qtbot.waitUntil(lambda: win.fulltext.last_report is not first, timeout=WAIT_MS)
    assert win.fulltext.last_report.indexed == 1
    assert win.lib.search("fulltext:narwhal")[0][0].id == 1
    assert win.lib.search("fulltext:zebrafish")[0] == []
