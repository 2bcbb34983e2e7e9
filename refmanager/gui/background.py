"""Counting in the background: at a million papers a count takes a moment,
and the window must not wait for it.

Each query runs on a worker thread with its own connection to the library
file (SQLite connections are not shared across threads); the result comes
back to the UI thread through a Qt signal, tagged so that a stale answer
(for a view the user has already left) is dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.library import Library

log = logging.getLogger(__name__)


class BackgroundQueries(QObject):
    """Runs ``fn(lib)`` off the UI thread; ``done(tag, result)`` arrives in the UI thread."""

    done = Signal(object, object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="refmanager-count")
        self._local = threading.local()
        self._libs: list[Library] = []

    def _lib(self) -> Library:
        lib = getattr(self._local, "lib", None)
        if lib is None:
            lib = Library(self.path, create=False)
            self._local.lib = lib
            self._libs.append(lib)
        return lib

    def submit(
        self, tag: object, fn: Callable[[Library], Any], wanted: Callable[[], bool] | None = None
    ) -> None:
        """Queue ``fn``; ``wanted`` is asked when its turn comes (a count for a view
        the user typed past is skipped, not run)."""

        def run() -> None:
            if wanted is not None and not wanted():
                return
            try:
                result = fn(self._lib())
            except Exception:  # the UI keeps its old numbers; the log says why
                log.warning("background query failed", exc_info=True)
                return
            self.done.emit(tag, result)

        self._pool.submit(run)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for lib in self._libs:
            try:
                lib.close()
            except Exception:
                pass
        self._libs.clear()
