"""The open library of a window, and what comes with it.

A ``LibrarySession`` owns the ``Library``, the worker thread for queries
(``BackgroundQueries``), and the big-library mode: above ``BIG_LIBRARY``
papers, counts and lookups of many rows run on the worker thread.  Switching
to another library replaces all three at once and says so
(``libraryChanged``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.library import Library
from .background import BackgroundQueries, Done, Failed
from .workers import wait_all

log = logging.getLogger(__name__)

#: Above this many papers, counts (table, sidebar) run off the UI thread.
BIG_LIBRARY = 50_000


def _app_writes(lib: Library) -> None:
    """The app's writes go into the library file at once (a checkpoint after each): if
    another program deletes the write-ahead log, nothing the user did is in it alone."""
    lib.db.checkpoint_after_write = True


class LibrarySession(QObject):
    libraryChanged = Signal()

    def __init__(self, lib: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        _app_writes(lib)
        self.background = BackgroundQueries(lib.path, self)
        self.big = self._measure()

    def _measure(self) -> bool:
        return self.lib.papers.max_id() > BIG_LIBRARY

    def grew(self) -> None:
        """After an import: it may have made the library big."""
        if not self.big:
            self.big = self._measure()

    def run(self, fn: Callable[[Library], Any], on_done: Done, *, wanted: Callable[[], bool] | None = None,
            on_error: Failed | None = None) -> None:
        """``fn(lib)`` on the worker thread; ``on_done(result)`` in the UI thread."""
        self.background.submit(fn, on_done, wanted=wanted, on_error=on_error)

    def switch(self, lib: Library) -> Library:
        """Show another library; returns the one it replaces (the caller closes it)."""
        wait_all()
        old = self.lib
        self.background.shutdown()
        self.lib = lib
        _app_writes(lib)
        self.background = BackgroundQueries(lib.path, self)
        self.big = self._measure()
        self.libraryChanged.emit()
        return old

    def shutdown(self) -> None:
        """The window closes: the worker thread ends (the library stays open for its owner)."""
        self.background.shutdown()
