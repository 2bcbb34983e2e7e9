"""PDFs as papers in the window (issue 19): PDFs and folders dropped on the window (not on a
row: a drop on a row attaches to that paper) or chosen in File → Import…, and Paper → Fetch
arXiv PDF.

Dropped PDFs are read and added in a child process of their own (``pdf/intake.py``, driven
by ``PdfImportProcess`` like an import's), so the window never waits for PDFium: progress
and Cancel in the import's dialog, then a summary like the import's (added, attached to
existing papers, flagged for review, skipped with the reasons) and the papers selected.
The attachment preference (copy or link, Preferences) applies.  ``ImportController`` routes
the dropped files by type and owns this controller (``imports.pdfs``); what it hands over
besides the PDFs is imported when the PDFs are done (``then``).

Fetch arXiv PDF runs in a worker thread as a lookup does (``FetchPdfWorker``: it waits on
the network and the 3-second rate limit), with progress and Cancel; each PDF attached is
its own undoable action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core import arxiv_api, arxiv_pdf
from ..core.library import Library
from ..core.store.pdf_papers import PdfImportReport
from . import dialogs
from .controller import Controller
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts
from .workers import ImportProcess, LibraryWorker

log = logging.getLogger(__name__)

#: Files listed in the summary itself (all of them under "Show Details…").
SHOWN_FILES = 6


class PdfImportProcess(ImportProcess):
    """Reading and adding PDFs in a child process (``pdf/intake.py``): an import's process
    (same signals, Cancel, waiting), with the PDFs' spec and report."""

    MODULE = "refmanager.pdf.intake"
    NAME = "PDF intake"
    REPORT = PdfImportReport

    def __init__(self, library_path: Path, paths: list[str], mode: str, collection: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(library_path, [], None, parent)
        self.spec = {"library": str(library_path), "paths": paths, "mode": mode, "label": None,
                     "collection": collection}


class FetchPdfWorker(LibraryWorker):
    """Fetches papers' arXiv PDFs (rate-limited; Cancel cuts a download off)."""

    def __init__(self, library_path: Path, ids: list[int], fetcher: Any, clock: Any, base_url: str | None) -> None:
        super().__init__(library_path)
        self.ids, self.fetcher, self.clock, self.base_url = ids, fetcher, clock, base_url

    def work(self, lib: Library) -> Any:
        return arxiv_pdf.fetch_pdfs(lib, self.ids, self.fetcher, self.clock, base_url=self.base_url,
                                    progress=lambda d, t: self.progress.emit(d, t), cancelled=self._cancel.is_set)


class PdfController(Controller):
    #: PDFs added: the report (None when cancelled or failed)
    added = Signal(object)
    #: Fetch PDF ended: its report (None when it failed)
    fetched = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController, tasks: TaskRunner) -> None:
        super().__init__(window, session, view, tasks)
        self.last_report: PdfImportReport | None = None
        #: what to do once the PDFs are in (the other files of the same drop: imported)
        self.then: Callable[[], None] | None = None
        # the network's seams, as the lookup's: tests give a local server's address and a fake clock
        self.fetcher_factory = arxiv_api.default_fetcher
        self.clock_factory = arxiv_api.default_clock
        self.base_url: str | None = None

    def attachment_mode(self) -> str:
        return "link" if str(self.window.settings.value("prefs/attachments", "copy")) == "link" else "copy"

    # ------------------------------------------------------------- dropped PDFs
    def add_pdfs(self, paths: list[str], collection: int | None = None, then: Callable[[], None] | None = None) -> None:
        """Read these PDFs (and the folders' PDFs) and add them as one action, in the background."""
        self.window.detail.flush_note()
        worker = PdfImportProcess(self.session.lib.path, paths, self.attachment_mode(), collection, self.window)
        if self.tasks.start(worker, "Add PDFs", "Reading PDFs…", "steps"):
            self.then = then
            worker.finished.connect(self._added)
            worker.failed.connect(self._failed)
            worker.cancelled.connect(self._cancelled)

    def _next(self) -> None:
        then, self.then = self.then, None
        if then is not None:
            then()

    def _added(self, report: PdfImportReport) -> None:
        self.tasks.end()
        self.last_report = report
        self.session.grew()
        self.view.refresh(keep_selection=False)
        if report.paper_ids:
            if self.view.model.view.section not in ("all", "unread", "recent", "review"):
                self.window.sidebar.select_section("all")
            self.view.select_ids(report.paper_ids)
        self.added.emit(report)
        problems = report.problems()
        title = "PDFs added" if not problems else "PDFs added, some skipped"
        text = report.summary() + "."
        if report.flagged:
            text += "\n\nPapers flagged for review are listed under Needs review: check their title and authors."
        if problems:
            more = f"\n… and {len(problems) - SHOWN_FILES} more" if len(problems) > SHOWN_FILES else ""
            text += "\n\nSkipped:\n" + "\n".join(problems[:SHOWN_FILES]) + more
        dialogs.import_summary(self.window, title, text, "\n".join(report.lines()), problems)
        self._next()

    def _failed(self, message: str) -> None:
        self.tasks.end()
        self.added.emit(None)
        dialogs.warn(self.window, "PDFs not added", f"Nothing was added.\n\n{message}")
        self._next()

    def _cancelled(self) -> None:
        self.tasks.end()
        self.then = None
        self.added.emit(None)
        self.status("Adding PDFs cancelled: the library is unchanged", 5000)

    # ------------------------------------------------------------- Fetch PDF
    def fetch_selected(self) -> None:
        """Paper → Fetch arXiv PDF: the selected papers with an arXiv id and no arXiv PDF yet."""
        papers = self.session.lib.get_many(self.view.selected_ids())
        ids = [p.id for p in papers if p.arxiv_id]
        if not papers:
            self.status("Select the papers whose arXiv PDF to fetch")
            return
        if not ids:
            self.status("The selected papers have no arXiv id (Find on arXiv may find it)", 6000)
            return
        worker = FetchPdfWorker(self.session.lib.path, ids, self.fetcher_factory(), self.clock_factory(),
                                self.base_url)
        if self.tasks.start(worker, "Fetch arXiv PDF", "Fetching PDFs from arXiv…", "papers"):
            worker.finished.connect(self._fetched)
            worker.failed.connect(self._fetch_failed)

    def _fetched(self, report: arxiv_pdf.FetchReport) -> None:
        self.tasks.end()
        self.view.refresh()
        self.fetched.emit(report)
        failed = report.with_status(arxiv_pdf.FAILED)
        if report.aborted:
            dialogs.warn(self.window, "Fetch arXiv PDF stopped", f"{report.aborted}\n\n{report.summary()}",
                         "\n".join(o.line() for o in report.outcomes))
        elif failed:
            dialogs.warn(self.window, "Fetch arXiv PDF", report.summary() + "\n\n"
                         + "\n".join(o.message for o in failed[:SHOWN_FILES]),
                         "\n".join(o.line() for o in report.outcomes))
        else:
            self.status("Fetch arXiv PDF: " + report.summary(), 10000)

    def _fetch_failed(self, message: str) -> None:
        self.tasks.end()
        self.fetched.emit(None)
        self.status(f"Fetch arXiv PDF failed: {message}", 10000)
