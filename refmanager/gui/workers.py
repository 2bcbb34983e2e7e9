"""Long library work off the UI thread, each on its own connection to the library file."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ..core.errors import ImportCancelled, RefManagerError
from ..core.library import Library

log = logging.getLogger(__name__)


class LibraryWorker(QObject):
    """Opens the library in the worker thread, runs ``work`` and reports with signals.

    Errors a user can cause arrive as one-line messages; a bug is logged and
    reported in one line too; nothing reaches the user as a traceback.
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, library_path: Path) -> None:
        super().__init__()
        self.library_path = library_path
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def work(self, lib: Library) -> Any:
        raise NotImplementedError

    def run(self) -> None:
        try:
            lib = Library(self.library_path, create=False)
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        try:
            result = self.work(lib)
        except ImportCancelled:
            self.cancelled.emit()
            return
        except RefManagerError as e:
            self.failed.emit(str(e))
            return
        except Exception as e:  # a bug: one line for the user, details in the log
            log.exception("%s failed", type(self).__name__)
            self.failed.emit(f"internal error: {e!r}")
            return
        finally:
            lib.close()
        self.finished.emit(result)


class ImportWorker(LibraryWorker):
    """One import action (one transaction; Cancel rolls it back)."""

    def __init__(self, library_path: Path, inputs: list[tuple[str, Any]], label: str | None = None) -> None:
        super().__init__(library_path)
        self.inputs = inputs
        self.label = label

    def work(self, lib: Library) -> Any:
        return lib.import_inputs(
            self.inputs,
            progress=lambda d, t: self.progress.emit(d, t),
            cancelled=self._cancel.is_set,
            label=self.label,
        )


class LookupWorker(LibraryWorker):
    """Looks papers up on arXiv (rate-limited; Cancel stops between papers)."""

    def __init__(self, library_path: Path, ids: list[int], fetcher: Any, clock: Any) -> None:
        super().__init__(library_path)
        self.ids = ids
        self.fetcher = fetcher
        self.clock = clock

    def work(self, lib: Library) -> Any:
        from ..core import arxiv_api

        return arxiv_api.lookup_papers(
            lib, self.ids, self.fetcher, self.clock,
            progress=lambda d, t: self.progress.emit(d, t),
            cancelled=self._cancel.is_set,
        )


#: Threads and workers still running.  Python keeps them alive until the thread
#: has really finished, so no C++ object is deleted under a running thread.
_RUNNING: set[tuple[QThread, LibraryWorker]] = set()


def start_in_thread(worker: LibraryWorker, parent: QObject) -> QThread:
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
    """Wait for every running worker thread (on quit, and between tests)."""
    for thread, worker in list(_RUNNING):
        worker.cancel()
        thread.quit()
        thread.wait(timeout_ms)
    _RUNNING.clear()
