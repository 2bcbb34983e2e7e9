"""The PDF reader in the window: which PDF opens where, one reader per file, and the detail
pane's list of the paper's annotations.

Paper → Open PDF, the detail pane's PDF button and its list of files open an attached PDF in
the reader (``ReaderWindow``) beside the library; a file the reader cannot read (broken, or a
password not given) opens in the system's viewer as before, and a paper without a PDF opens
arXiv's.  Asked again for a file already open, its window comes to the front.  A reader
opens at the page it was left at (``Library.annotator.last_page``), or at an annotation
chosen in the detail pane.

Annotations belong to a file by its content (SHA-256, computed here once per file version:
path, size and modification time); the detail pane lists the paper's annotations of every
file, and one chosen opens the attached file with that content at its place.  Every change
a reader makes, every undo and every write by another program refresh the window, the
pane's list and every open reader.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtPdf import QPdfDocument

from ...core.errors import RefManagerError
from .. import dialogs
from .. import links as gui_links
from ..controller import Controller
from ..session import LibrarySession
from ..view_controller import ViewController
from ..window_parts import WindowParts
from .panel import AnnotationPanel
from .window import ReaderWindow

if TYPE_CHECKING:
    from ..paper_controller import PaperController

log = logging.getLogger(__name__)

#: Why QtPdf could not open a file, in words.
_LOAD_ERRORS = {
    QPdfDocument.Error.FileNotFound: "the file is missing",
    QPdfDocument.Error.InvalidFileFormat: "not a PDF it can read (damaged?)",
    QPdfDocument.Error.IncorrectPassword: "a password is needed",
    QPdfDocument.Error.UnsupportedSecurityScheme: "its encryption is not supported",
    QPdfDocument.Error.DataNotYetAvailable: "the file is not all there yet",
}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class ReaderController(Controller):
    #: a paper's PDF was opened in a reader (its id): "mark read when opened"
    paperOpened = Signal(int)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController,
                 papers: PaperController) -> None:
        super().__init__(window, session, view)
        self.papers = papers
        #: open readers by (paper, resolved path)
        self.readers: dict[tuple[int, str], ReaderWindow] = {}
        #: SHA-256 by (path, size, mtime): a file's identity, computed once per version
        self._ids: dict[tuple[str, int, int], str] = {}
        self.panel = AnnotationPanel()
        detail = window.detail
        lay = detail.one.layout()
        lay.insertWidget(lay.indexOf(detail.fulltext_hits) + 1, self.panel)
        self.panel.annotationChosen.connect(self._guard(self.open_annotation))
        self.panel.addNoteRequested.connect(self._guard(self.add_note_from_annotations))
        view.paperShown.connect(self.paper_shown)
        view.refreshed.connect(self.refresh)
        session.libraryChanged.connect(self.close_all)

    def _guard(self, fn: Any) -> Any:
        return self.window.guarded(fn)  # type: ignore[attr-defined]

    # ---------------------------------------------------- what a reader asks
    @property
    def lib(self) -> Any:
        return self.session.lib

    @property
    def settings(self) -> QSettings:
        return self.window.settings

    def guarded(self, fn: Any) -> Any:
        return self._guard(fn)

    def changed(self, pid: int) -> None:
        """A reader changed the library: show it as it is now (the table, the pane, the readers)."""
        del pid
        self.view.refresh()

    def undo(self) -> None:
        self.window.actions["undo"].trigger()  # type: ignore[attr-defined]

    def redo(self) -> None:
        self.window.actions["redo"].trigger()  # type: ignore[attr-defined]

    def open_external(self, path: str) -> None:
        if not gui_links.open_local_file(path, self.lib):
            self.status("The system's viewer could not be started for this file")

    # ---------------------------------------------------------------- opening
    def open_pdf(self) -> None:
        """Paper → Open PDF, the pane's PDF button: the attached PDF in the reader; else arXiv's."""
        self._guard(self._open_pdf)()

    def _open_pdf(self) -> None:
        p = self.view.current_paper()
        if p is None:
            return
        local = [a for a in self.lib.attachments(p.id) if a["exists"] and str(a["name"]).lower().endswith(".pdf")]
        if not local or self.open_file(p.id, str(local[0]["path"])) is None:
            self.papers.open_pdf()

    def open_attachment(self, path: str) -> None:
        """One of the detail pane's files: a PDF in the reader, anything else as before."""
        self._guard(self._open_attachment)(path)

    def _open_attachment(self, path: str) -> None:
        p = self.window.detail.paper
        if p is None or not path.lower().endswith(".pdf") or self.open_file(p.id, path) is None:
            self.papers.open_attachment(path)

    def open_file(self, pid: int, path: str, *, page: int | None = None, y: float = 0.0,
                  mark: int | None = None) -> ReaderWindow | None:
        """A paper's PDF in a reader at ``page`` (0-based; default: where it was left), with
        the annotation ``mark`` chosen.  None when the reader cannot show it."""
        if not self.lib.attachment_path_allowed(path):
            log.warning("refused to open %r: not an attachment of this library", path)
            return None
        full = Path(path).resolve()
        w = self.readers.get((pid, str(full)))
        if w is not None:
            w.showNormal()
            w.raise_()
            w.activateWindow()
            if mark is not None:
                w.reload_marks()
                w.show_mark(mark)
            elif page is not None:
                w.open_at(page, y)
            return w
        doc = self._load(full)
        if doc is None:
            return None
        try:
            file = self.file_id(full)
        except OSError as e:
            doc.close()
            self.status(f"Cannot read {full.name}: {e.strerror or e}")
            return None
        p = self.lib.get(pid)
        w = ReaderWindow(self, doc, full, pid, file, (p.title if p and p.title else f"Paper {pid}"))
        if page is None:
            page = (self.lib.annotator.last_page(pid, file) or 1) - 1
        w.open_at(min(max(page, 0), doc.pageCount() - 1), y)
        w.view.current_mark = mark
        w.closed.connect(self._closed)
        self.readers[(pid, str(full))] = w
        w.show()
        self.paperOpened.emit(pid)
        return w

    def _load(self, path: Path) -> QPdfDocument | None:
        """The PDF loaded (asking for its password when it has one), or None, said why."""
        doc = QPdfDocument()  # (no parent: see ReaderWindow)
        err = doc.load(str(path))
        while err == QPdfDocument.Error.IncorrectPassword:
            password = dialogs.get_text(self.window, "Password", f"{path.name} is protected by a password:")
            if password is None:
                break
            doc.setPassword(password)
            err = doc.load(str(path))
        if err == QPdfDocument.Error.None_ and doc.pageCount() > 0:
            return doc
        doc.close()
        why = _LOAD_ERRORS.get(err, "it has no pages" if err == QPdfDocument.Error.None_ else "QtPdf cannot read it")
        log.info("reader: %s not opened: %s", path, why)
        self.status(f"The reader cannot open {path.name}: {why}", 6000)
        return None

    def file_id(self, path: Path) -> str:
        """The file's SHA-256 (annotations belong to the content, not the path)."""
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._ids:
            self._ids[key] = sha256_of(path)
        return self._ids[key]

    def _closed(self, w: ReaderWindow) -> None:
        for k, v in list(self.readers.items()):
            if v is w:
                del self.readers[k]

    def close_all(self) -> None:
        for w in list(self.readers.values()):
            w.close()

    # --------------------------------------------------------- the detail pane
    def paper_shown(self, pid: int | None) -> None:
        try:
            notes = self.lib.annotations(pid) if pid is not None else []
        except RefManagerError:
            notes = []
        self.panel.show_annotations(notes)

    def refresh(self) -> None:
        """After any change: every reader's annotations as they are now (the pane's list
        follows ``paperShown``, which a refresh emits)."""
        for w in list(self.readers.values()):
            w.reload_marks()

    def open_annotation(self, aid: int) -> None:
        """An annotation of the pane's list: its file in the reader, at its place."""
        a = self.lib.annotator.need(aid)
        for att in self.lib.attachments(a.paper_id):
            path = Path(str(att["path"]))
            if att["exists"] and path.suffix.lower() == ".pdf":
                try:
                    same = self.file_id(path.resolve()) == a.file
                except OSError:
                    continue
                if same:
                    top = min((r[1] for r in a.rects), default=0.0)
                    self.open_file(a.paper_id, str(path), page=a.page - 1, y=max(0.0, top - 60), mark=aid)
                    return
        dialogs.inform(self.window, "PDF not found",
                       f"The PDF this annotation was made on (page {a.page}) is not attached to the paper any "
                       "more, or was changed since. The annotation is kept with the paper.")

    def add_note_from_annotations(self) -> None:
        """The pane's button: the annotations appended to the note (one undoable action)."""
        p = self.window.detail.paper
        if p is None:
            return
        self.window.detail.flush_note()
        self.lib.annotator.add_to_note(p.id)
        self.view.refresh()
        self.status("Annotations added to the note — Ctrl+Z to undo", 5000)
