"""Getting papers in: File → Import, paste, drop; each one import action in the
background (``workers.ImportProcess``), with progress and Cancel, then a
summary and the new papers selected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication

from ..core.import_stream import ImportReport
from ..core.library import View
from . import dialogs
from .controller import Controller
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts
from .workers import ImportProcess

#: Skipped records listed in the summary itself (all of them: details and "Copy problems").
SHOWN_PROBLEMS = 5


class ImportController(Controller):
    #: the import's report (None when it was cancelled or failed)
    finished = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController, tasks: TaskRunner) -> None:
        super().__init__(window, session, view, tasks)
        self.last_report: ImportReport | None = None

    def import_dialog(self) -> None:
        files = dialogs.get_open_files(self.window)
        if files:
            self.import_inputs([(f, Path(f)) for f in files])

    def paste(self) -> None:
        md = QApplication.clipboard().mimeData()
        if md is not None and md.hasUrls() and all(u.isLocalFile() for u in md.urls()):
            self.import_inputs([(f, Path(f)) for f in (u.toLocalFile() for u in md.urls())])
            return
        text = QApplication.clipboard().text()
        if text.strip():
            self.import_inputs([("pasted text", text)], label="paste")

    def import_mime(self, md: Any) -> None:
        """Files or text dropped on the window or the table."""
        if md.hasUrls() and any(u.isLocalFile() for u in md.urls()):
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            self.import_inputs([(f, Path(f)) for f in files])
        elif md.hasText():
            self.import_inputs([("dropped text", md.text())], label="drop")

    def import_inputs(self, inputs: list[tuple[str, Any]], label: str | None = None) -> None:
        """Start one import action in the background, with progress and Cancel."""
        self.window.detail.flush_note()
        worker = ImportProcess(self.session.lib.path, inputs, label, self.window)
        if self.tasks.start(worker, "Import", "Importing…", "entries"):
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
            if self.view.model.view != View() and self.view.model.view.section not in ("all", "unread", "recent"):
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
        skips = [p for p in problems if ": skipped: " in p]
        if skips:
            more = f"\n… and {len(skips) - SHOWN_PROBLEMS} more" if len(skips) > SHOWN_PROBLEMS else ""
            text += "\n\nSkipped:\n" + "\n".join(skips[:SHOWN_PROBLEMS]) + more
        self.finished.emit(report)
        dialogs.import_summary(self.window, title, text, "\n".join(report.lines()), problems)

    def _failed(self, message: str) -> None:
        self.tasks.end()
        self.finished.emit(None)
        dialogs.warn(self.window, "Import failed", f"Nothing was imported.\n\n{message}")

    def _cancelled(self) -> None:
        self.tasks.end()
        self.finished.emit(None)
        self.status("Import cancelled: the library is unchanged", 5000)
