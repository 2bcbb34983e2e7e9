"""Getting papers in: File → Import, paste, drop; each one import action in the
background (``workers.ImportProcess``), with progress and Cancel, then a
summary and the new papers selected.  An import may go into a collection (File →
Import into "X"…, files dropped on a collection): the child puts every paper of the
input in it, in the import's one undoable action (the spec's ``collection``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication

from ..core.import_stream import ImportReport
from ..core.library import View
from ..pdf.intake import is_pdf_input
from . import dialogs
from .controller import Controller
from .pdf_controller import PdfController
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts
from .workers import ImportProcess

log = logging.getLogger(__name__)

#: Skipped records listed in the summary itself (all of them: details and "Copy problems").
SHOWN_PROBLEMS = 5


class ImportController(Controller):
    #: the import's report (None when it was cancelled or failed)
    finished = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController, tasks: TaskRunner) -> None:
        super().__init__(window, session, view, tasks)
        self.last_report: ImportReport | None = None
        #: the collection the running import goes into (None: none)
        self.into: int | None = None
        #: PDFs dropped or chosen become papers (and Paper → Fetch arXiv PDF): pdf_controller.py
        self.pdfs = PdfController(window, session, view, tasks)

    def import_dialog(self) -> None:
        files = dialogs.get_open_files(self.window)
        if files:
            self.import_inputs([(f, Path(f)) for f in files])

    def import_into_dialog(self, collection: int, name: str) -> None:
        """Files chosen in the dialog, into a collection."""
        files = dialogs.get_open_files(self.window, f"Import into \u201c{name}\u201d")
        if files:
            self.import_inputs([(f, Path(f)) for f in files], collection=collection)

    def paste(self) -> None:
        md = QApplication.clipboard().mimeData()
        if md is not None and md.hasUrls() and all(u.isLocalFile() for u in md.urls()):
            self.import_inputs([(f, Path(f)) for f in (u.toLocalFile() for u in md.urls())])
            return
        text = QApplication.clipboard().text()
        if text.strip():
            self.import_inputs([("pasted text", text)], label="paste")

    def import_mime(self, md: Any, collection: int | None = None) -> None:
        """Files or text dropped on the window, the table, or the sidebar (on a collection: into it)."""
        if md.hasUrls() and any(u.isLocalFile() for u in md.urls()):
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            self.import_inputs([(f, Path(f)) for f in files], collection=collection)
        elif md.hasText():
            self.import_inputs([("dropped text", md.text())], label="drop", collection=collection)

    def import_inputs(self, inputs: list[tuple[str, Any]], label: str | None = None,
                      collection: int | None = None) -> None:
        """Start one import action in the background, with progress and Cancel.  PDFs and
        folders go to ``pdfs`` (they become papers); the other inputs are imported after them."""
        pdfs = [str(src) for _, src in inputs if isinstance(src, Path) and is_pdf_input(src)]
        if pdfs:
            rest = [(n, src) for n, src in inputs if not (isinstance(src, Path) and str(src) in pdfs)]
            self.pdfs.add_pdfs(pdfs, collection, (lambda: self.import_inputs(rest, label, collection)) if rest else None)
            return
        self.window.detail.flush_note()
        worker = ImportProcess(self.session.lib.path, inputs, label, self.window)
        if collection is not None:
            worker.spec["collection"] = collection  # (import_child: every paper goes in it too)
        if self.tasks.start(worker, "Import", "Importing…", "entries"):
            if collection is not None:
                log.info("importing %d input(s) into collection %d", len(inputs), collection)
            self.into = collection
            worker.finished.connect(self._finished)
            worker.failed.connect(self._failed)
            worker.cancelled.connect(self._cancelled)

    def _finished(self, report: ImportReport) -> None:
        self.tasks.end()
        self.last_report = report
        self.session.grew()  # (this import may have made the library big)
        self.view.refresh(keep_selection=False)
        new = report.added_ids or report.merged_ids
        if new:
            if not self._shows_new():
                self.window.sidebar.select_section("all")
            self.view.select_ids(new)
        problems = report.problems()
        title = "Import finished" if not problems else "Import finished with problems"
        text = f"{report.added} added, {report.merged} merged, {report.unchanged} unchanged"
        if report.skipped:
            text += f", {report.skipped} record{'s' if report.skipped != 1 else ''} skipped"
        if report.rejected:
            text += f", {len(report.rejected)} file(s) rejected"
        if report.rejected:
            text += "\n\n" + "\n".join(f"Rejected {r}" for r in report.rejected)
        into = self.session.lib.collections.get(self.into) if self.into is not None else None
        if into is not None and (report.added or report.merged or report.unchanged):
            text += f"\n\nEvery paper of the import is in the collection \u201c{into.path}\u201d."
        skips = [p for p in problems if ": skipped: " in p]
        if skips:
            more = f"\n… and {len(skips) - SHOWN_PROBLEMS} more" if len(skips) > SHOWN_PROBLEMS else ""
            text += "\n\nSkipped:\n" + "\n".join(skips[:SHOWN_PROBLEMS]) + more
        self.finished.emit(report)
        dialogs.import_summary(self.window, title, text, "\n".join(report.lines()), problems)

    def _shows_new(self) -> bool:
        """Whether the view may show the new papers (else All papers is shown to select them)."""
        v = self.view.model.view
        if v == View() or v.section in ("all", "unread", "recent"):
            if v.collection is None:
                return True
            into = self.into
            return into == v.collection or (
                into is not None and v.subcollections and into in self.session.lib.collections.subtree(v.collection))
        return False

    def _failed(self, message: str) -> None:
        self.tasks.end()
        self.finished.emit(None)
        dialogs.warn(self.window, "Import failed", f"Nothing was imported.\n\n{message}")

    def _cancelled(self) -> None:
        self.tasks.end()
        self.finished.emit(None)
        self.status("Import cancelled: the library is unchanged", 5000)
