"""PDFs as papers in the window (issue 19, part 3), driven with pytest-qt: PDFs and folders
dropped on the window or chosen in File → Import… are read in a child process and become
papers (one undoable action, a summary like the import's); a drop on a row still attaches
to that paper; Paper → Fetch arXiv PDF against a local server, with Cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from .. import pdfs
from ..conftest import dump
from ..test_fetch_pdf import Arxiv, FakeClock, serving

STAMP = "arXiv:2408.00118v2 [cs.DL] 1 Aug 2024"


def drop(target, paths: list[Path], pos: QPoint = QPoint(10, 10)) -> None:
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target.dropEvent(QDropEvent(pos, Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))


@pytest.fixture
def files(tmp_path, qapp):
    d = tmp_path / "in"
    (d / "folder").mkdir(parents=True)
    pdfs.paper_pdf(d / "folder" / "stamped.pdf", stamp=STAMP)
    pdfs.paper_pdf(d / "folder" / "graphs.pdf", "Graphs of Citations in Practice", "Carol Author and Dan Writer")
    pdfs.garbage_pdf(d / "folder" / "garbage.pdf")
    pdfs.paper_pdf(d / "single.pdf", "A Single Dropped Paper", "Gil Doe", doi_line="DOI: 10.1234/single.1")
    return d


def test_pdfs_dropped_on_the_window_become_papers(window, qtbot, files, dialog_log):
    pdf_ctl = window.imports.pdfs
    with qtbot.waitSignal(pdf_ctl.added, timeout=60000) as blocker:
        drop(window, [files / "folder", files / "single.pdf"])
        assert window.tasks.worker is not None, "the drop did not start reading the PDFs"
    report = blocker.args[0]
    assert report.summary() == "3 added (1 flagged for review), 0 attached to existing papers, 1 skipped"
    assert window.view.model.rowCount() == 24
    title, text, details, problems = dialog_log.of("import_summary")[-1]
    assert title == "PDFs added, some skipped"
    assert problems == ["garbage.pdf: skipped \u2014 not a PDF"]
    assert text.startswith("3 added (1 flagged for review), 0 attached to existing papers, 1 skipped.\n\n"
                           "Papers flagged for review are listed under Needs review")
    assert "Skipped:\ngarbage.pdf: skipped \u2014 not a PDF" in text
    assert details.splitlines()[0] == "garbage.pdf: skipped \u2014 not a PDF"
    assert sorted(window.view.selected_ids()) == sorted(report.paper_ids)
    single = window.lib.search('"A Single Dropped Paper"')[0][0]
    assert (single.doi, [a["name"] for a in window.lib.attachments(single.id)]) == ("10.1234/single.1", ["single.pdf"])
    assert window.sidebar.section_count("review") == 1
    # one undoable action for the drop
    assert window.actions["undo"].text() == "&Undo add 3 PDFs"
    window.actions["undo"].trigger()
    assert window.view.model.rowCount() == 21 and window.lib.search('"A Single Dropped Paper"')[0] == []


def test_a_pdf_dropped_on_a_row_is_attached_to_that_paper(window, qtbot, files):
    before = window.view.model.rowCount()
    first = window.view.model.paper_id(0)
    drop(window.table, [files / "single.pdf"], window.table.visualRect(window.view.model.index(0, 1)).center())
    assert window.tasks.worker is None  # (no reading: an attach)
    assert [a["name"] for a in window.lib.attachments(first)] == ["single.pdf"]
    assert window.view.model.rowCount() == before


def test_file_import_dialog_routes_pdfs_and_listings(window, qtbot, files, tmp_path, dialog_log):
    listing = tmp_path / "one.bib"
    listing.write_text("@article{x, title={A Listed Paper}, author={Lister, Lou}, year={2020}}\n")
    dialog_log.open_files = [str(files / "single.pdf"), str(listing)]
    with qtbot.waitSignal(window.imports.finished, timeout=60000):  # (the listing, once the PDF is in)
        window.actions["import"].trigger()
    assert [c[0] for c in dialog_log.of("import_summary")] == ["PDFs added", "Import finished"]
    assert window.view.model.rowCount() == 23
    assert window.actions["undo"].text() == "&Undo import of one.bib: 1 paper"


def test_cancel_while_reading_leaves_the_library_unchanged(window, qtbot, files):
    before = dump(window.lib)
    with qtbot.waitSignal(window.imports.pdfs.added, timeout=60000) as blocker:
        window.imports.import_inputs([(str(files / "folder"), files / "folder")])
        window.tasks.worker.cancel()
    assert blocker.args == [None]
    assert dump(window.lib) == before and window.tasks.worker is None
    assert window.statusBar().currentMessage() == "Adding PDFs cancelled: the library is unchanged"


# ------------------------------------------------------------ Fetch arXiv PDF
@pytest.fixture
def arxiv(qapp, tmp_path):
    with serving(Arxiv(pdfs.make_pdf(tmp_path / "served.pdf", 1).read_bytes())) as server:
        yield server


def _with_arxiv_paper(window, arxiv_id: str) -> int:
    r = window.lib.import_text(f"@article{{f, title={{Fetch Me}}, author={{Doe, Jo}}, year={{2024}}, "
                               f"eprint={{{arxiv_id}}}, archivePrefix={{arXiv}}}}", "f.bib")
    window.view.refresh()
    window.view.select_ids(r.added_ids)
    return r.added_ids[0]


def test_fetch_arxiv_pdf_attaches_it(window, qtbot, arxiv):
    ctl = window.imports.pdfs
    ctl.base_url, ctl.clock_factory = arxiv.base, FakeClock
    pid = _with_arxiv_paper(window, "2408.00118")
    assert window.view.selected_ids() == [pid]
    with qtbot.waitSignal(ctl.fetched, timeout=30000) as blocker:
        window.actions["fetch_pdf"].trigger()
    assert blocker.args[0].summary() == "1 fetched"
    assert [a["name"] for a in window.lib.attachments(pid)] == ["2408.00118.pdf"]
    assert window.statusBar().currentMessage() == "Fetch arXiv PDF: 1 fetched"
    qtbot.waitUntil(lambda: [a["name"] for a in window.detail.paper.attachments] == ["2408.00118.pdf"])  # (shown)


def test_fetch_arxiv_pdf_can_be_cancelled(window, qtbot, arxiv):
    ctl = window.imports.pdfs
    ctl.base_url, ctl.clock_factory = arxiv.base, FakeClock
    pid = _with_arxiv_paper(window, "2101.00004")  # (the slow one)
    with qtbot.waitSignal(ctl.fetched, timeout=30000) as blocker:
        window.actions["fetch_pdf"].trigger()
        qtbot.waitUntil(arxiv.slow_started.is_set, timeout=15000)
        window.tasks.worker.cancel()
    assert blocker.args[0].cancelled and blocker.args[0].outcomes == []
    assert window.lib.attachments(pid) == []
    assert window.statusBar().currentMessage() == "Fetch arXiv PDF: 0 fetched, 1 not fetched (cancelled)"


def test_fetch_without_an_arxiv_id_says_so(window, qtbot):
    window.view.select_ids([window.lib.search('"Gemma: Open Models"')[0][0].id])
    window.actions["fetch_pdf"].trigger()
    assert window.tasks.worker is None
    assert window.statusBar().currentMessage() == "The selected papers have no arXiv id (Find on arXiv may find it)"
