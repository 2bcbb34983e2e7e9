"""References in the citation style Preferences choose (``core.cite``, citeproc-py):
Edit → Copy citation / Copy bibliography (plain text and HTML on the clipboard), File →
Export bibliography… (HTML, Markdown or plain text), the detail pane's "Reference".

One paper is rendered on the UI thread (the detail pane, a copy of a few papers: a few
milliseconds each); more go to a worker thread behind the progress dialog with Cancel,
so a bibliography of the whole library never freezes the window.  A style the processor
cannot render says so in one warning (the detail pane: in place of the reference).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ..core import cite, export
from ..core.cite import StyleError
from ..core.errors import RefManagerError
from ..core.fields import Paper
from ..core.library import Library
from . import dialogs
from .controller import Controller
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts
from .workers import LibraryWorker

#: More papers than this are rendered in a worker thread.
UI_THREAD_MAX = 50
#: (scope, label) as the export dialog offers them
SCOPES = (("selection", "Selected papers"), ("view", "Current view"), ("library", "Whole library"))
SUFFIXES = {"html": (".html", "HTML (*.html *.htm)"), "markdown": (".md", "Markdown (*.md)"),
            "text": (".txt", "Plain text (*.txt)")}


class CiteWorker(LibraryWorker):
    """Renders papers' references off the UI thread: their bibliography (or in-text
    citation) in each format asked for, written to ``path`` as a document when given."""

    def __init__(self, library_path: Path, ids: list[int], style: cite.Style, formats: list[str], *,
                 kind: str = "bibliography", key_pattern: str = export.DEFAULT_KEY_PATTERN,
                 path: str | None = None, title: str = "") -> None:
        super().__init__(library_path)
        self.ids, self.style, self.formats, self.kind = ids, style, formats, kind
        self.key_pattern, self.path, self.title = key_pattern, path, title

    def work(self, lib: Library) -> Any:
        papers = [p for i in range(0, len(self.ids), 1000) for p in lib.get_many(self.ids[i : i + 1000])]
        items = export.csl_items(papers, self.key_pattern)
        n, out = len(items), {}
        for k, fmt in enumerate(self.formats):
            if self.kind == "citation":
                out[fmt] = cite.citation(items, self.style, fmt)
                continue
            out[fmt] = cite.bibliography(
                items, self.style, fmt, cancelled=self._cancel.is_set,
                progress=lambda done, total, k=k: self.progress.emit(k * total + done, total * len(self.formats)),
            )
        if self.path is not None:
            text = cite.document(out[self.formats[0]], self.formats[0], self.title)
            part = self.path + ".part"
            try:
                with open(part, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(part, self.path)
            except OSError as e:
                raise RefManagerError(f"{self.path}: {e.strerror or e}") from None
            return n
        return out


class CiteController(Controller):
    #: a background copy or export ended (done, failed or cancelled): its job
    finished = Signal(object)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController, tasks: TaskRunner) -> None:
        super().__init__(window, session, view, tasks)
        self._shown: int | None = None
        self._job: dict[str, Any] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)  # (arrowing through the table renders only where it stops)
        self._timer.timeout.connect(self._render_reference)
        view.paperShown.connect(self.paper_shown)

    # ------------------------------------------------------------------ style
    def style_name(self) -> str:
        return str(self.window.settings.value("prefs/citation_style", cite.DEFAULT_STYLE) or cite.DEFAULT_STYLE)

    def _style(self) -> cite.Style | None:
        """The chosen style; a warning (and None) when it cannot be had."""
        try:
            return cite.find_style(self.style_name())
        except StyleError as e:
            dialogs.warn(self.window, "Citation style", f"{e}. Choose another style in Preferences.")
            return None

    def _key_pattern(self) -> str:
        return str(self.window.settings.value("prefs/citation_key", export.DEFAULT_KEY_PATTERN)
                   or export.DEFAULT_KEY_PATTERN)

    # ------------------------------------------------------------ clipboard
    def copy_citation(self) -> None:
        """The in-text citation of the selected papers together, e.g. "(Riviere et al., 2024)"."""
        self._copy("citation")

    def copy_bibliography(self) -> None:
        """The selected papers' references, in the style's order."""
        self._copy("bibliography")

    def _copy(self, kind: str) -> None:
        ids = self.view.selected_ids()
        if not ids:
            self.status("No paper selected")
            return
        style = self._style()
        if style is None:
            return
        if len(ids) > UI_THREAD_MAX:
            worker = CiteWorker(self.session.lib.path, ids, style, ["text", "html"], kind=kind,
                                key_pattern=self._key_pattern())
            self._start(worker, "Copy references", {"copy": kind, "n": len(ids), "style": style})
            return
        items = export.csl_items(self.session.lib.get_many(ids), self._key_pattern())
        try:
            if kind == "citation":
                out: dict[str, Any] = {fmt: cite.citation(items, style, fmt) for fmt in ("text", "html")}
            else:
                out = {fmt: cite.bibliography(items, style, fmt) for fmt in ("text", "html")}
        except StyleError as e:
            dialogs.warn(self.window, "Not copied", str(e))
            return
        self._put_on_clipboard(out, kind, len(ids), style)

    def _put_on_clipboard(self, out: dict[str, Any], kind: str, n: int, style: cite.Style) -> None:
        data = QMimeData()
        if kind == "citation":
            data.setText(out["text"])
            data.setHtml(out["html"])
        else:
            data.setText(cite.join_entries(out["text"], "text"))
            data.setHtml(cite.join_entries(out["html"], "html"))
        QApplication.clipboard().setMimeData(data)
        what = "citation of" if kind == "citation" else "references of"
        self.status(f"Copied the {what} {n} paper{'s' if n != 1 else ''} ({style.title})", 5000)

    # ---------------------------------------------------------------- export
    def _ids(self, scope: str) -> list[int]:
        return self.view.ids_in(scope)

    def export_dialog(self) -> None:
        """File → Export bibliography…: the selection, the view or the library as HTML,
        Markdown or plain text, rendered in the background."""
        style = self._style()
        if style is None:
            return
        scopes = [(s, label) for s, label in SCOPES if s != "selection" or self.view.selected_ids()]
        choice = dialogs.bibliography_options(self.window, scopes, style.title)
        if choice is None:
            return
        scope, fmt = choice
        ids = self._ids(scope)
        if not ids:
            self.status("Nothing to export")
            return
        suffix, files = SUFFIXES[fmt]
        stem = self.session.lib.path.stem
        path = dialogs.get_save_file(self.window, "Export bibliography", files, f"{stem}-{style.name}{suffix}")
        if not path:
            return
        worker = CiteWorker(self.session.lib.path, ids, style, [fmt], key_pattern=self._key_pattern(), path=path,
                            title=f"Bibliography: {stem} ({style.title})")
        self._start(worker, "Export bibliography", {"path": path})

    # (the worker's signals reach slots of this object, in the UI thread: a lambda
    # would run in the worker's thread)
    def _start(self, worker: CiteWorker, title: str, job: dict[str, Any]) -> None:
        assert self.tasks is not None
        if self.tasks.start(worker, title, "Formatting references…", "references"):
            self._job = job
            worker.finished.connect(self._worker_done)
            worker.failed.connect(self._worker_failed)
            worker.cancelled.connect(self._worker_cancelled)

    def _worker_done(self, result: Any) -> None:
        self.tasks.end()  # type: ignore[union-attr]
        job = self._job
        if "path" in job:
            self.status(f"Exported {result:,} references to {job['path']}", 8000)
        else:
            self._put_on_clipboard(result, job["copy"], job["n"], job["style"])
        self.finished.emit(job)

    def _worker_failed(self, message: str) -> None:
        self.tasks.end()  # type: ignore[union-attr]
        dialogs.warn(self.window, "Export failed" if "path" in self._job else "Not copied", message)
        self.finished.emit(self._job)

    def _worker_cancelled(self) -> None:
        self.tasks.end()  # type: ignore[union-attr]
        self.status("Export cancelled: nothing was written" if "path" in self._job else "Copy cancelled", 8000)
        self.finished.emit(self._job)

    # ----------------------------------------------------------- detail pane
    def paper_shown(self, pid: int | None) -> None:
        self._shown = pid
        if pid is not None:
            self._timer.start()

    def refresh(self) -> None:
        """The style changed: the detail pane's reference again."""
        if self._shown is not None:
            self._render_reference()

    def _render_reference(self) -> None:
        view = self.window.detail.reference
        paper: Paper | None = self.window.detail.paper
        if paper is None or paper.id != self._shown:
            return
        try:
            style = cite.find_style(self.style_name())
            (entry,) = cite.bibliography(export.csl_items([paper], self._key_pattern()), style, "html")
        except StyleError as e:
            view.show_problem(str(e))
            return
        view.show_reference(str(entry), style.title)
