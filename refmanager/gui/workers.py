"""Long library work off the UI thread, each on its own connection to the library file."""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QThread, QTimer, Signal

from ..core.errors import ImportCancelled, RefManagerError
from ..core.import_stream import ImportReport
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


class ChildProcess(QObject):
    """A child process driven over JSON lines: the spec on its stdin, one JSON object per line
    on its stdout (``_message``).  Cancel sends SIGTERM; a child that does not stop within
    ``KILL_MS`` is killed.  The import, the PDFs' intake and the full-text index run this way."""

    #: the child's module (``python -m``), and how it is named in the log
    MODULE = ""
    NAME = "child"
    KILL_MS = 10000

    def __init__(self, spec: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.proc = QProcess(self)
        self.proc.setProgram(sys.executable)
        self.proc.setArguments(["-m", self.MODULE])
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.finished.connect(self._ended)
        self._buf = b""
        self._outcome: tuple[str, Any] | None = None
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.setInterval(self.KILL_MS)
        self._kill_timer.timeout.connect(self.proc.kill)

    def start(self) -> None:
        self.proc.start()
        self.proc.write(json.dumps(self.spec).encode("utf-8"))
        self.proc.closeWriteChannel()

    def running(self) -> bool:
        return self.proc.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        if self.running():
            self.proc.terminate()
            self._kill_timer.start()

    def wait(self, ms: int = 30000) -> None:
        if not self.proc.waitForFinished(ms):
            self.proc.kill()
            self.proc.waitForFinished(ms)

    def _read(self) -> None:
        self._buf += bytes(self.proc.readAllStandardOutput().data())
        *lines, self._buf = self._buf.split(b"\n")
        for line in lines:
            try:
                msg = json.loads(line)
            except ValueError:
                log.warning("%s said: %r", self.NAME, line[:200])
                continue
            self._message(msg)

    def _message(self, msg: dict[str, Any]) -> None:
        raise NotImplementedError

    def _ended(self, code: int, status: QProcess.ExitStatus) -> None:
        raise NotImplementedError


class ImportProcess(ChildProcess):
    """One import action in a child process (see core/import_child.py).

    Same signals as the thread workers.  Cancel sends SIGTERM (the child rolls
    back its transaction); a child that does not stop is killed, which also
    leaves nothing behind.
    """

    MODULE = "refmanager.core.import_child"
    NAME = "import child"
    #: what the child's report is (``from_wire``)
    REPORT: Any = ImportReport

    progress = Signal(int, int)
    finished = Signal(object)  # ImportReport
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, library_path: Path, inputs: list[tuple[str, Any]], label: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__({
            "library": str(library_path),
            "label": label,
            "inputs": [
                {"name": name, "path": str(src)} if isinstance(src, Path) else
                {"name": name, "text": src.decode("utf-8", "replace") if isinstance(src, bytes) else src}
                for name, src in inputs
            ],
        }, parent)

    def _message(self, msg: dict[str, Any]) -> None:
        if "progress" in msg:
            self.progress.emit(*msg["progress"])
        elif "report" in msg:
            # Reported at once: the child still copies the WAL into the
            # library file (a checkpoint) before it ends; nobody waits for that.
            self._outcome = ("reported", None)
            self.finished.emit(self.REPORT.from_wire(msg["report"]))
        elif "cancelled" in msg:
            self._outcome = ("cancelled", None)
        elif "error" in msg:
            self._outcome = ("failed", msg["error"])

    def _ended(self, code: int, status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        self._read()
        kind, value = self._outcome or ("cancelled" if self._cancel_requested() else "failed", None)
        if kind == "reported":
            self.deleteLater()  # (the window let go of it when the report came)
            return
        if kind == "cancelled":
            self.cancelled.emit()
        else:
            err = bytes(self.proc.readAllStandardError().data()).decode("utf-8", "replace").strip()
            self.failed.emit(value or f"the import stopped unexpectedly (exit {code}) {err[-300:]}".strip())

    def _cancel_requested(self) -> bool:
        return self._kill_timer.isActive() or self.proc.exitStatus() == QProcess.ExitStatus.CrashExit


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
    # Forget threads that have finished (done here, in the UI thread: a slot on
    # QThread.finished would run in the worker thread).
    for pair in [p for p in _RUNNING if p[0].isFinished()]:
        _RUNNING.discard(pair)
    _RUNNING.add((thread, worker))
    thread.start()
    return thread


def wait_all(timeout_ms: int = 30000) -> None:
    """Wait for every running worker thread (on quit, and between tests)."""
    for thread, worker in list(_RUNNING):
        worker.cancel()
        thread.quit()
        thread.wait(timeout_ms)
    _RUNNING.clear()
