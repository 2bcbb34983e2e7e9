"""Paper → Find on arXiv and Fetch missing arXiv ids: lookups in a worker thread
(one request per 3 s, cancellable), each match its own undoable action."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal

from ..core import arxiv_api
from . import dialogs
from .controller import Controller
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts
from .workers import LookupWorker


class LookupController(Controller):
    #: the lookup's report (``arxiv_api.LookupReport``; None when it failed)
    finished = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController, tasks: TaskRunner) -> None:
        super().__init__(window, session, view, tasks)
        # the network's one seam: tests give a fake fetcher serving recorded responses, and a fake clock
        self.fetcher_factory = arxiv_api.default_fetcher
        self.clock_factory = arxiv_api.default_clock

    def find_on_arxiv(self) -> None:
        ids = [p.id for p in self.session.lib.get_many(self.view.selected_ids()) if not p.arxiv_id]
        if not ids:
            self.status("The selected papers already have arXiv ids")
            return
        self.start(ids)

    def fetch_missing_ids(self) -> None:
        ids = arxiv_api.missing_id_papers(self.session.lib)
        if not ids:
            self.status("Every paper has an arXiv id")
            return
        if not dialogs.confirm(
            self.window, "Fetch missing arXiv ids",
            f"Look up {len(ids)} paper(s) on arXiv? arXiv asks for at most one request every 3 seconds, "
            f"so this takes about {max(1, len(ids) * 6 // 60)} minute(s). Your tags and notes are never changed.",
        ):
            return
        self.start(ids)

    def start(self, ids: list[int]) -> None:
        worker = LookupWorker(self.session.lib.path, ids, self.fetcher_factory(), self.clock_factory())
        if self.tasks.start(worker, "arXiv lookup", "Looking up papers on arXiv…", "papers"):
            worker.finished.connect(self._finished)
            worker.failed.connect(self._failed)

    def _finished(self, report: Any) -> None:
        self.tasks.end()
        self.view.refresh()
        msg = "arXiv lookup: " + report.summary()
        if report.aborted:
            msg = f"arXiv lookup stopped: {report.aborted} — nothing else was changed"
        elif report.cancelled:
            msg += " (cancelled)"
        self.status(msg, 10000)
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self.tasks.end()
        self.status(f"arXiv lookup failed: {message}", 10000)
        self.finished.emit(None)
