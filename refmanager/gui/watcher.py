"""Other writers: the window notices when another program (the command line, a script, a
sync tool) changed the library, and when the library file itself was deleted or replaced.

Every ``WATCH_MS`` the watcher asks SQLite's ``PRAGMA data_version`` (one read of a
counter in shared memory: cheap at any library size), which changes when another
connection commits.  It then says ``changedElsewhere``: the window reads the table,
counts, sidebar, detail pane and Edit menu again, keeping the selection where those
papers still exist.  While a modal dialog is open it waits (a dialog may be about the
papers shown), and reports at the next tick after it closes.

On the same tick it checks the library file (``Library.file_problem``: the path still
names the file the app opened — same device and inode — and the file and its
write-ahead log are still there).  When not, ``fileGone`` says why, once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ..core.errors import RefManagerError
from .session import LibrarySession

log = logging.getLogger(__name__)

#: How often the window looks for other writers (ms): a change shows within about this long.
WATCH_MS = 1000


class LibraryWatcher(QObject):
    #: another program committed a change to the library
    changedElsewhere = Signal()
    #: the library file was deleted or replaced (the reason, one sentence)
    fileGone = Signal(str)

    def __init__(self, session: LibrarySession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.timer = QTimer(self)
        self.timer.setInterval(WATCH_MS)
        self.timer.timeout.connect(self.check)
        self._seen = self._version()
        self._gone = False
        session.libraryChanged.connect(self._library_changed)
        self.timer.start()

    def reset(self) -> None:
        """The window read the library again: what changed so far is shown."""
        self._seen = self._version()

    def _library_changed(self) -> None:
        self._gone = False
        self.reset()

    def _version(self) -> int | None:
        try:
            return self.session.lib.data_version()
        except (RefManagerError, OSError) as e:  # (closing, or the disk is gone: the next tick tells)
            log.debug("data_version: %s", e)
            return None

    def check(self) -> None:
        """One tick: the file first (a replaced file's changes are not the library's), then
        other writers' changes."""
        if not self._gone:
            problem = self.session.lib.file_problem()
            if problem:
                self._gone = True
                log.warning("%s", problem)
                self.fileGone.emit(problem)
                return
        if QApplication.activeModalWidget() is not None:
            return
        now = self._version()
        if now is not None and now != self._seen:
            self._seen = now
            self.changedElsewhere.emit()
