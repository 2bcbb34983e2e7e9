"""The full text of attached PDFs in the window: the index run in the background, the
"Search full text too" toggle, and where the search's words are in the shown paper's PDFs.

The run is a child process (``pdf/index_child.py``, as imports are: the window never waits
for it), started a moment after the library opens when some PDF needs reading (checked on
the query thread: one ``stat`` per file), and after any change that brings a PDF never read
(an attach, an undone detach).  Its progress sits in the status bar with a Cancel button; a
cancelled run stops for this session (PDFs attached later still start one) and goes on at
the next start.  The toggle (View menu, remembered in the settings) sets ``View.fulltext``;
the detail pane's line under the files names the pages (``Library.fulltext_hits``).

``REFMANAGER_NO_BACKGROUND_INDEX`` set (the test suite sets it) starts no run by itself.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ..core.errors import RefManagerError
from ..pdf.index_child import IndexReport
from .controller import Controller
from .session import LibrarySession
from .table_model import plain_tooltip
from .view_controller import ViewController, setting_bool
from .window_parts import WindowParts
from .workers import ChildProcess

log = logging.getLogger(__name__)

#: The app's setting: plain words search the PDFs' text too (View → Search full text too).
FULLTEXT_KEY = "view/fulltext"
#: Set (to anything): no index run starts by itself (tests of other parts of the window).
NO_AUTO_ENV = "REFMANAGER_NO_BACKGROUND_INDEX"
#: After the library opens, the first look for PDFs to read waits this long (ms): the
#: window's first page and counts come first.
START_DELAY_MS = 1500
#: After a change, the look for PDFs never read waits this long (ms): a few changes, one look.
CHECK_DELAY_MS = 300
#: How often the app looks for attached PDFs changed on disk since they were read (ms).
RESCAN_MS = 5 * 60 * 1000
#: During a run, another program's change is shown at least this often (seconds).
ABSORB_MAX_S = 15.0


class IndexProcess(ChildProcess):
    """One index run in a child process (``pdf/index_child.py``) over JSON lines.  Cancel
    sends SIGTERM (the file being read is dropped, what was written stays); a child that
    does not stop is killed, which loses no more."""

    progress = Signal(int, int, str)
    #: the run's report (``IndexReport``; ``cancelled`` set when it was cancelled)
    finished = Signal(object)
    failed = Signal(str)

    MODULE = "refmanager.pdf.index_child"
    NAME = "index child"
    KILL_MS = 5000

    def __init__(self, library_path: Path, papers: list[int] | None = None, force: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__({"library": str(library_path), "papers": papers, "force": force}, parent)

    def wait(self, ms: int = 10000) -> None:
        super().wait(ms)

    def _message(self, msg: dict[str, Any]) -> None:
        if "progress" in msg:
            self.progress.emit(*msg["progress"], msg.get("file") or "")
        elif "report" in msg:
            report = IndexReport.from_wire(msg["report"])
            report.cancelled = report.cancelled or bool(msg.get("cancelled"))
            self._outcome = ("reported", report)
        elif "error" in msg:
            self._outcome = ("failed", str(msg["error"]))

    def _ended(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        self._read()
        kind, value = self._outcome or ("failed", None)
        if kind == "reported":
            self.finished.emit(value)
        elif value is None and self.proc.exitStatus() == QProcess.ExitStatus.CrashExit:
            self.finished.emit(IndexReport(cancelled=True))  # (killed: what it wrote stays)
        else:
            self.failed.emit(value or f"the index run stopped unexpectedly (exit {code})")
        self.deleteLater()


class FullTextController(Controller):
    #: a run ended: its report (None: it failed)
    indexed = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController) -> None:
        super().__init__(window, session, view)
        self.auto = not os.environ.get(NO_AUTO_ENV)
        self.proc: IndexProcess | None = None
        self.last_report: IndexReport | None = None
        #: after a cancel (or a failed run): PDFs attached up to this id wait for the next start
        self.held_below = 0
        #: since when the run's own commits are kept from the watcher (None: not now)
        self._absorbing_since: float | None = None
        self.box = QWidget()
        lay = QHBoxLayout(self.box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop indexing the PDFs' text (it goes on at the next start)")
        self.cancel_button.clicked.connect(self.cancel)
        lay.addWidget(self.label)
        lay.addWidget(self.cancel_button)
        self.box.setVisible(False)
        window.statusBar().addPermanentWidget(self.box)
        window.detail.fulltext_hits.setAccessibleName("Found in the full text")
        window.detail.fulltext_hits.setVisible(False)
        self.start_timer = QTimer(self)
        self.start_timer.setSingleShot(True)
        self.start_timer.timeout.connect(self._startup_check)
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self._check_new)
        #: every few minutes, a look for PDFs changed on disk since they were read (a linked file
        #: edited while the app runs is read again without waiting for the next start)
        self.rescan_timer = QTimer(self)
        self.rescan_timer.setInterval(RESCAN_MS)
        self.rescan_timer.timeout.connect(self._rescan)
        view.refreshed.connect(self._changed)
        view.paperShown.connect(self.show_hits)
        session.libraryChanged.connect(self._library_changed)

    # ------------------------------------------------------------ the toggle
    def setup(self) -> None:
        """Once the menus exist: the toggle as remembered, and the first look for PDFs to read."""
        on = setting_bool(self.window.settings.value(FULLTEXT_KEY, False), False)
        self.window.actions["search_fulltext"].setChecked(on)
        self._apply(on)
        if self.auto:
            self.start_timer.start(START_DELAY_MS)
            self.rescan_timer.start()

    def _rescan(self) -> None:
        if self.proc is None and not self.session.lib.readonly:
            self._startup_check()

    def toggle(self) -> None:
        """View → Search full text too (the action's check mark is the setting)."""
        on = self.window.actions["search_fulltext"].isChecked()
        self.window.settings.setValue(FULLTEXT_KEY, on)
        self._apply(on)

    def _apply(self, on: bool) -> None:
        model = self.view.model
        if model.view.fulltext != on:
            model.set_view(replace(model.view, fulltext=on))
            self.view.after_view_change()

    # -------------------------------------------------------- the index run
    def running(self) -> bool:
        return self.proc is not None

    def start(self, papers: list[int] | None = None, force: bool = False) -> bool:
        """Start an index run in the background (False: one runs already, or the library is read-only)."""
        if self.proc is not None or self.session.lib.readonly:
            return False
        self.proc = IndexProcess(self.session.lib.path, papers, force, self)
        self.proc.progress.connect(self._progress)
        self.proc.finished.connect(self._finished)
        self.proc.failed.connect(self._failed)
        self.proc.start()
        log.info("full-text index run started on %s", self.session.lib.path)
        return True

    def cancel(self) -> None:
        """The status bar's Cancel: the run stops; the rest is read at the next start."""
        if self.proc is not None:
            self.label.setText("Stopping the PDF index…")
            self.cancel_button.setEnabled(False)
            self.proc.cancel()

    def stop(self) -> None:
        """The window closes: a run is cancelled and waited for."""
        self.start_timer.stop()
        self.check_timer.stop()
        self.rescan_timer.stop()
        proc, self.proc = self.proc, None
        if proc is not None:
            for sig in (proc.finished, proc.failed):
                sig.disconnect()
            proc.cancel()
            proc.wait()

    def _startup_check(self) -> None:
        """After the library opens: is any PDF to read (never read, asked for, changed on disk)?
        Asked on the query thread: it looks at each file."""
        path = self.session.lib.path

        def counted(n: int) -> None:
            if n and path == self.session.lib.path:
                self.start()

        self.session.run(lambda lib: len(lib.fulltext_pending()), counted)

    def _changed(self) -> None:
        if self.auto and self.proc is None:
            self.check_timer.start()

    def _check_new(self) -> None:
        """After a change: a PDF never read (attached, its detach undone) starts a run."""
        if self.proc is None and not self.session.lib.readonly:
            try:
                if self.session.lib.fulltext.has_unread(self.held_below):
                    self.start()
            except RefManagerError as e:
                log.info("full-text check: %s", e)

    def _hold(self) -> None:
        """PDFs attached so far wait for the next start (after a cancel or a failure: no loop)."""
        self.held_below = int(self.session.lib.db.value("SELECT coalesce(max(id), 0) FROM attachments") or 0)

    def _progress(self, done: int, total: int, name: str) -> None:
        self._absorb_own_write()
        if total <= 0:
            return
        self.label.setText(f"Indexing PDFs: {done:,} of {total:,}")
        self.label.setToolTip(plain_tooltip(name) if name else "")
        self.cancel_button.setEnabled(True)
        self.box.setVisible(True)

    def _absorb_own_write(self) -> None:
        """The run's commit of a file is not another program's change to show: the watcher is
        told so (the window reloaded everything once a second while indexing, the longest stalls
        of a run), unless the view shows full-text hits.  What another program wrote meanwhile is
        shown at least every ``ABSORB_MAX_S`` and when the run ends."""
        if self.view.model.compiled.fulltext:
            return
        now = time.monotonic()
        if self._absorbing_since is None:
            self._absorbing_since = now
        if now - self._absorbing_since < ABSORB_MAX_S:
            self.window.watcher.reset()
        else:
            self._absorbing_since = None  # (this time the watcher sees it: a refresh)

    def _ended(self) -> None:
        self.proc = None
        self.box.setVisible(False)
        if self._absorbing_since is not None:
            self._absorbing_since = None
            self.view.refresh()  # (anything another program wrote during the run)

    def _finished(self, report: IndexReport) -> None:
        self._ended()
        self.last_report = report
        if report.cancelled:
            self._hold()
            self.status("PDF index stopped: the rest is indexed at the next start", 5000)
        elif report.failures:
            # (which file, and why, not only how many: "locked.pdf: encrypted (password required)")
            first = report.failures[0]
            more = f" (and {len(report.failures) - 1} more: refmanager fulltext status)" if len(report.failures) > 1 else ""
            self.status(f"PDF index: {report.summary()} — {first.get('name') or first.get('file') or 'a PDF'}: "
                        f"{first.get('error')}{more}", 15000)
        elif report.total:
            self.status(f"PDF index: {report.summary()}", 5000)
        if report.indexed and self.view.model.compiled.fulltext:
            self.view.refresh()  # (what the view finds changed)
        self.show_hits(self._shown_id())
        self.indexed.emit(report)

    def _failed(self, message: str) -> None:
        self._ended()
        self._hold()
        log.warning("full-text index run failed: %s", message)
        self.status(f"PDF index stopped: {message}", 8000)
        self.indexed.emit(None)

    def _library_changed(self) -> None:
        self.stop()
        self.held_below = 0
        self._apply(bool(self.window.actions["search_fulltext"].isChecked()))
        if self.auto:
            self.start_timer.start(START_DELAY_MS)

    # ---------------------------------------------------- where words are
    def _shown_id(self) -> int | None:
        p = self.window.detail.paper
        return p.id if p is not None else None

    def show_hits(self, pid: int | None) -> None:
        """The detail pane's line: on which pages of which PDF the view's full-text words are."""
        label = self.window.detail.fulltext_hits
        cv = self.view.model.compiled
        hit = None
        if pid is not None and cv.fulltext_terms:
            try:
                hit = self.session.lib.fulltext_hits(cv, [pid]).get(pid)
            except RefManagerError as e:
                log.info("full-text hits of %s: %s", pid, e)
        if hit is None:
            label.setVisible(False)
            label.clear()
            return
        pages = ", ".join(str(p) for p in hit.pages)
        more = f" and {hit.count - len(hit.pages)} more" if hit.count > len(hit.pages) else ""
        where = f"page{'s' if hit.count > 1 else ''} {pages}{more}"
        snippet = f": \u201c{hit.snippet}\u201d" if hit.snippet else ""
        label.setText(f"Found in {hit.name} on {where}{snippet}")
        label.setVisible(True)
