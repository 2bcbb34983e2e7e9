"""Imports off the UI thread, on their own connection to the library file."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ..core.errors import ImportCancelled, RefManagerError
from ..core.library import ImportReport, Library

log = logging.getLogger(__name__)


class ImportWorker(QObject):
    """Runs one import action (one transaction) and reports back with signals."""

    progress = Signal(int, int)
    finished = Signal(object)  # ImportReport
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, library_path: Path, inputs: list[tuple[str, Any]], label: str | None = None) -> None:
        super().__init__()
        self.library_path = library_path
        self.inputs = inputs
        self.label = label
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            lib = Library(self.library_path, create=False)
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        try:
            report: ImportReport = lib.import_inputs(
                self.inputs,
                progress=lambda d, t: self.progress.emit(d, t),
                cancelled=self._cancel.is_set,
                label=self.label,
            )
        except ImportCancelled:
            self.cancelled.emit()
            return
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        except Exception as e:  # a bug: report it in one line, log the details
            log.exception("import failed")
            self.failed.emit(f"internal error: {e!r}")
            return
        finally:
            lib.close()
        self.finished.emit(report)


#: Threads and workers still running.  Python keeps them alive until the thread
#: has really finished, so no C++ object is deleted under a running thread.
_RUNNING: set[tuple[QThread, Any]] = set()


def start_in_thread(worker: Any, parent: QObject) -> QThread:
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    for sig in (worker.finished, worker.failed, worker.cancelled):
        sig.connect(thread.quit)
    pair = (thread, worker)
    _RUNNING.add(pair)
    thread.finished.connect(lambda: _RUNNING.discard(pair))
    thread.start()
    return thread


def wait_all(timeout_ms: int = 30000) -> None:
    """Wait for every running import thread (on quit, and between tests)."""
    for thread, worker in list(_RUNNING):
        worker.cancel()
        thread.quit()
        thread.wait(timeout_ms)
    _RUNNING.clear()


class LookupWorker(QObject):
    """Looks papers up on arXiv in the background (rate-limited; cancel between papers)."""

    progress = Signal(int, int)
    finished = Signal(object)  # arxiv_api.LookupReport
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, library_path: Path, ids: list[int], fetcher: Any, clock: Any) -> None:
        super().__init__()
        self.library_path = library_path
        self.ids = ids
        self.fetcher = fetcher
        self.clock = clock
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from ..core import arxiv_api

        try:
            lib = Library(self.library_path, create=False)
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        try:
            report = arxiv_api.lookup_papers(
                lib, self.ids, self.fetcher, self.clock,
                progress=lambda d, t: self.progress.emit(d, t),
                cancelled=self._cancel.is_set,
            )
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        except Exception as e:  # a bug: one line for the user, details in the log
            log.exception("lookup failed")
            self.failed.emit(f"internal error: {e!r}")
            return
        finally:
            lib.close()
        self.finished.emit(report)
