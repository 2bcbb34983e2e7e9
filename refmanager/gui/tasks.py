"""One long task at a time (an import, an arXiv lookup), behind a progress dialog with Cancel."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QProgressDialog, QWidget

from . import dialogs
from .workers import ImportProcess, LibraryWorker, start_in_thread


class TaskRunner(QObject):
    """A QObject of the UI thread: a worker's progress signal reaches it queued."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        #: the running import (child process) or lookup (thread)
        self.worker: ImportProcess | LibraryWorker | None = None
        self._progress: QProgressDialog | None = None
        self._text = ("", "")

    def start(self, worker: ImportProcess | LibraryWorker, title: str, text: str, unit: str) -> bool:
        """Run a worker behind a progress dialog with Cancel; False when another still runs."""
        if self.worker is not None:
            dialogs.warn(self.window, "Busy", "Another import or lookup is still running.")
            return False
        self.worker = worker
        self._progress = QProgressDialog(text, "Cancel", 0, 0, self.window)
        self._progress.setWindowTitle(title)
        self._progress.setMinimumDuration(300)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(worker.cancel)
        self._text = (text, unit)
        # a slot of this object (of the UI thread): Qt queues the call into that thread
        # (a lambda here would run in the worker thread and touch widgets from it)
        worker.progress.connect(self._on_progress)
        if isinstance(worker, ImportProcess):
            worker.start()
        else:
            start_in_thread(worker, self.window)
        return True

    def _on_progress(self, done: int, total: int) -> None:
        text, unit = self._text
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)
            self._progress.setLabelText(f"{text} {done:,} of {total:,} {unit}")

    def end(self) -> None:
        """The task reported (done, failed or cancelled): the dialog goes, the next may start."""
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self.worker = None

    def stop(self) -> None:
        """The window closes: an import is cancelled and waited for."""
        if isinstance(self.worker, ImportProcess):
            self.worker.cancel()
            self.worker.wait()
