"""Queries off the UI thread: at a million papers a count takes a moment, and the
window must not wait for it.

Each query runs on a worker thread with its own connection to the library
file (SQLite connections are not shared across threads).  Its result goes back
to the code that asked, by the callback it gave, called in the UI thread; a
query whose ``wanted()`` says no when its turn comes (a count for a view the
user typed past) is skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.errors import RefManagerError
from ..core.library import Library

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[RefManagerError], None]


class BackgroundQueries(QObject):
    """Runs ``fn(lib)`` off the UI thread; ``on_done(result)`` runs in the UI thread."""

    # (callback, value): a signal of this object, which lives in the UI thread, so
    # Qt queues the call there whichever thread emits it.
    _finished = Signal(object, object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="refmanager-count")
        self._local = threading.local()
        self._libs: list[Library] = []
        self._finished.connect(self._deliver)

    def _lib(self) -> Library:
        lib = getattr(self._local, "lib", None)
        if lib is None:
            lib = Library(self.path, create=False)
            self._local.lib = lib
            self._libs.append(lib)
        return lib

    def submit(self, fn: Callable[[Library], Any], on_done: Done, *, wanted: Callable[[], bool] | None = None,
               on_error: Failed | None = None) -> None:
        """Queue ``fn``.  A user's error (``RefManagerError``: a search SQLite cannot
        run, a busy library) goes to ``on_error``; anything else is logged."""

        def run() -> None:
            if wanted is not None and not wanted():
                return
            try:
                result = fn(self._lib())
            except RefManagerError as e:
                if on_error is not None:
                    self._finished.emit(on_error, e)
                else:
                    log.info("background query failed: %s", e)
                return
            except Exception:  # the UI keeps its old numbers; the log says why
                log.warning("background query failed", exc_info=True)
                return
            self._finished.emit(on_done, result)

        self._pool.submit(run)

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for lib in self._libs:
            try:
                lib.close()
            except Exception:
                pass
        self._libs.clear()
