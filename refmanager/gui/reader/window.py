"""A PDF in a reader window beside the library: pages, zoom, find, selection, annotations.

One window per file (``ReaderController`` raises it when asked again).  The pages on the
right (``PdfView``), thumbnails and this file's annotations on the left (``PagePanel``), a
find bar over the pages (Ctrl+F), a toolbar with the zoom, the page, the highlight colours
and the note tool.  The keyboard: PgUp/PgDn a page, Home/End the first and last, the arrows
scroll (left and right turn the page when it fits), Ctrl+± zoom, Ctrl+0 actual size,
Ctrl+C copies the selection, H highlights it, N places a note, Del deletes the chosen
annotation, Ctrl+Z / Ctrl+Shift+Z undo and redo in the library.

The window remembers the page it was left at, in the library (per paper and file), and
reopens there.  The document is not the view's child (QtPdf crashes when it is destroyed
before the view lets go of it): the window owns it and lets go of it in order when closed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QColor, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QSpinBox, QToolBar, QVBoxLayout, QWidget

from ...core.store.annotations import COLORS
from ..icons import icon
from ..plain import window_title
from .annotating import ReaderAnnotations, swatch, tint
from .find_bar import FindBar
from .pages import THUMB_WIDTH, PagePanel
from .pdf_view import Mark, PdfView

log = logging.getLogger(__name__)

#: The zoom steps of Ctrl+ and Ctrl- (1.0: actual size).
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0)
#: The page read is saved this long after the last move (ms), and when the window closes.
SAVE_PAGE_MS = 1000
#: The app's setting: the zoom a reader opens with ("width", "page" or a factor).
ZOOM_KEY = "reader/zoom"


class ReaderHost(Protocol):
    """What a reader window asks of the app (``ReaderController``)."""

    @property
    def lib(self) -> Any: ...
    @property
    def settings(self) -> QSettings: ...
    def guarded(self, fn: Any) -> Any: ...
    def changed(self, pid: int) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def open_external(self, path: str) -> None: ...


class ReaderWindow(QMainWindow):
    #: the window closed (itself)
    closed = Signal(object)

    def __init__(self, host: ReaderHost, doc: QPdfDocument, path: Path, paper_id: int, file: str,
                 title: str) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.host, self.doc, self.path, self.paper_id, self.file = host, doc, path, paper_id, file
        #: the library the file belongs to (the window may switch to another: this one closes then)
        self.lib = host.lib
        self.setWindowTitle(window_title(f"{title} — {path.name}"))
        self.view = PdfView()
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setDocument(doc)
        self.find = FindBar(self.view)
        self.find.set_document()
        self.annotate = ReaderAnnotations(self)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.find)
        lay.addWidget(self.view, 1)
        self.setCentralWidget(central)
        self.panel = PagePanel()
        self.panel.set_document(doc)
        self.panel.pageChosen.connect(lambda page: (self.view.go_to(page), self.view.setFocus()))
        self.panel.markChosen.connect(self.show_mark)
        self.dock = QDockWidget("Pages", self)
        self.dock.setObjectName("readerPages")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                              | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.resizeDocks([self.dock], [THUMB_WIDTH + 100], Qt.Orientation.Horizontal)
        self.actions_: dict[str, QAction] = {}
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_PAGE_MS)
        self.save_timer.timeout.connect(self.save_page)
        self._saved_page: int | None = None
        #: where to open: (page, y in points) set by the controller before the window shows
        self.start: tuple[int, float] | None = None
        self._started = False
        v = self.view
        v.pageChanged.connect(self._page_changed)
        v.selectionChanged.connect(self._selection_changed)
        v.noteRequested.connect(self.annotate.add_note)
        v.markActivated.connect(self.annotate.edit_comment)
        v.markClicked.connect(self._mark_clicked)
        v.menuRequested.connect(self.annotate.context_menu)
        v.zoomRequested.connect(lambda by: self.zoom_in() if by > 0 else self.zoom_out())
        v.zoomFactorChanged.connect(lambda _z: self._zoom_shown())
        v.zoomModeChanged.connect(lambda _m: self._zoom_shown())
        v.verticalScrollBar().rangeChanged.connect(lambda *_: self._zoom_label())  # (a fit mode, resized)
        self.resize(1000, 900)
        self._apply_saved_zoom()
        self.reload_marks()
        self._selection_changed(False)

    # --------------------------------------------------------------- actions
    def _build_actions(self) -> None:
        SK = QKeySequence.StandardKey
        table: list[tuple[str, str, Any, Any, str | None]] = [
            ("find", "Find\u2026", SK.Find, self.find.open_bar, "search"),
            ("find_next", "Find next", SK.FindNext, lambda: self.find.step(1), None),
            ("find_prev", "Find previous", SK.FindPrevious, lambda: self.find.step(-1), None),
            ("zoom_in", "Zoom in", SK.ZoomIn, self.zoom_in, "zoom-in"),
            ("zoom_in2", "Zoom in", "Ctrl+=", self.zoom_in, None),
            ("zoom_out", "Zoom out", SK.ZoomOut, self.zoom_out, "zoom-out"),
            ("actual", "Actual size", "Ctrl+0", lambda: self.set_zoom(1.0), None),
            ("fit_width", "Fit width", "Ctrl+1", self.fit_width, "fit-width"),
            ("fit_page", "Fit page", "Ctrl+2", self.fit_page, "fit-page"),
            ("pages", "Pages and annotations", "F9", lambda: self.dock.setVisible(not self.dock.isVisible()), "pages"),
            ("highlight", "Highlight the selection", "H", lambda: self.annotate.highlight(), "highlight"),
            ("comment", "Comment\u2026", "Shift+H", lambda: self.annotate.highlight(comment=True), None),
            ("note", "Add a note on the page (click where)", "N", self.set_note_tool, "note"),
            ("delete", "Delete the chosen annotation", SK.Delete, lambda: self.annotate.delete(), None),
            ("undo", "Undo", SK.Undo, self.host.undo, "undo"),
            ("redo", "Redo", "Ctrl+Shift+Z", self.host.redo, "redo"),
            ("external", "Open in the system's PDF viewer", None, lambda: self.host.open_external(str(self.path)),
             "open"),
            ("close", "Close", SK.Close, self.close, None),
        ]
        for key, text, shortcut, slot, ico in table:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if ico:
                a.setIcon(icon(ico))
            if key == "note":
                a.setCheckable(True)
                a.toggled.connect(slot)
            else:
                a.triggered.connect(lambda _=False, s=slot: s())
            if shortcut is not None:
                a.setToolTip(f"{text} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            self.addAction(a)
            self.actions_[key] = a
        self.actions_["comment"].setToolTip("Highlight the selection and comment on it (Shift+H)")
        self.fit_group = QActionGroup(self)
        self.fit_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        for key in ("fit_width", "fit_page"):
            self.actions_[key].setCheckable(True)
            self.fit_group.addAction(self.actions_[key])
        # (the colour of the next highlight and note; picked with a selection: it is highlighted)
        self.colour_actions: dict[str, QAction] = {}
        colours = QActionGroup(self)
        for name in COLORS:
            a = QAction(swatch(name), name.capitalize(), self)
            a.setToolTip(f"{name.capitalize()}: the selection highlighted in {name}, and the next highlights")
            a.setCheckable(True)
            a.setChecked(name == self.annotate.color)
            a.triggered.connect(lambda _=False, n=name: self.pick_colour(n))
            colours.addAction(a)
            self.colour_actions[name] = a

    def _build_menus(self) -> None:
        """The reader's menus: every action, with its shortcut."""
        for title, keys in (
            ("&Document", ("find", "find_next", "find_prev", None, "external", None, "close")),
            ("&Edit", ("undo", "redo")),
            ("&View", ("zoom_in", "zoom_out", "actual", "fit_width", "fit_page", None, "pages")),
            ("&Annotate", ("highlight", "comment", "note", None, *self.colour_actions, None, "delete")),
        ):
            menu = self.menuBar().addMenu(title)
            for k in keys:
                if k is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.colour_actions.get(k) or self.actions_[k])

    def _build_toolbar(self) -> None:
        tb = QToolBar("Reader")
        tb.setObjectName("readerToolbar")
        tb.setMovable(False)
        self.addToolBar(tb)
        a = self.actions_
        tb.addAction(a["pages"])
        tb.addSeparator()
        tb.addAction(a["zoom_out"])
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tb.addWidget(self.zoom_label)
        tb.addAction(a["zoom_in"])
        tb.addAction(a["fit_width"])
        tb.addAction(a["fit_page"])
        tb.addSeparator()
        self.page_box = QSpinBox()
        self.page_box.setRange(1, max(1, self.doc.pageCount()))
        self.page_box.setAccessibleName("Page")
        self.page_box.setKeyboardTracking(False)
        self.page_box.valueChanged.connect(lambda n: n - 1 != self.view.current_page() and self.view.go_to(n - 1))
        tb.addWidget(self.page_box)
        tb.addWidget(QLabel(f" of {self.doc.pageCount()}  "))
        tb.addSeparator()
        for act in self.colour_actions.values():
            tb.addAction(act)
        tb.addAction(a["comment"])
        tb.addAction(a["note"])
        tb.addSeparator()
        tb.addAction(a["find"])
        tb.addAction(a["external"])

    # ------------------------------------------------------------ annotations
    def reload_marks(self) -> None:
        """This file's annotations from the library, painted and listed."""
        try:
            notes = self.lib.annotations(self.paper_id, self.file)
        except Exception:  # (the paper went meanwhile: nothing to show)
            log.info("annotations of paper %s not read", self.paper_id, exc_info=True)
            notes = []
        self.view.marks = [
            Mark(a.id, a.kind, a.page - 1, [QRectF(*r) for r in a.rects],
                 tint(COLORS.get(a.color, a.color)) if a.kind == "highlight" else _note_color(a.color),
                 a.comment, a.quote, {"color": a.color})
            for a in notes if a.page <= self.doc.pageCount()
        ]
        if self.view.current_mark is not None and self.mark(self.view.current_mark) is None:
            self.view.current_mark = None
        self.panel.show_marks([(a.id, a.page, COLORS.get(a.color, a.color), a.quote or "", a.comment or "")
                               for a in notes])
        self.view.viewport().update()

    def mark(self, aid: int) -> Mark | None:
        return next((m for m in self.view.marks if m.id == aid), None)

    def show_mark(self, aid: int) -> None:
        """Scroll to an annotation and choose it."""
        m = self.mark(aid)
        if m is None:
            return
        top = min((r.top() for r in m.rects), default=0.0)
        self.view.current_mark = aid
        self.view.go_to(m.page, max(0.0, top - 60))
        self.view.viewport().update()
        self.view.setFocus()

    def _mark_clicked(self, aid: int) -> None:
        m = self.mark(aid) if aid >= 0 else None
        if m is not None:
            what = "Note" if m.kind == "note" else "Highlight"
            self.statusBar().showMessage(f"{what} on page {m.page + 1}" + (f": {m.comment}" if m.comment else
                                         " — double-click to comment, right-click for more"), 6000)

    def _selection_changed(self, on: bool) -> None:
        for act in (self.actions_["highlight"], self.actions_["comment"]):
            act.setEnabled(on)
        if on:
            self.statusBar().showMessage("Ctrl+C copies; H or a colour highlights; Shift+H adds a comment", 6000)

    def pick_colour(self, name: str) -> None:
        """A colour of the toolbar: the selection highlighted in it, and the next ones too."""
        self.annotate.color = name
        self.colour_actions[name].setChecked(True)
        if self.view.selection is not None:
            self.annotate.highlight(name)

    def set_note_tool(self, on: bool = True) -> None:
        a = self.actions_["note"]
        if a.isChecked() != on:
            a.setChecked(on)
            return
        self.view.tool = "note" if on else "select"
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.IBeamCursor)
        if on:
            self.statusBar().showMessage("Click where the note goes (Esc: cancel)")
        else:
            self.statusBar().clearMessage()

    def copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text.replace("\r\n", "\n"))

    # ------------------------------------------------------------------ zoom
    def set_zoom(self, factor: float) -> None:
        page, y = self.view.place()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(factor, ZOOM_STEPS[0]), ZOOM_STEPS[-1]))
        self.view.go_to(page, y)
        self.host.settings.setValue(ZOOM_KEY, round(self.view.zoomFactor(), 3))

    def zoom_in(self) -> None:
        z = self.view.effective_zoom()
        self.set_zoom(next((s for s in ZOOM_STEPS if s > z + 0.01), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        z = self.view.effective_zoom()
        self.set_zoom(next((s for s in reversed(ZOOM_STEPS) if s < z - 0.01), ZOOM_STEPS[0]))

    def _fit(self, mode: QPdfView.ZoomMode, setting: str) -> None:
        page, y = self.view.place()
        self.view.setZoomMode(mode)
        self.view.go_to(page, y if mode == QPdfView.ZoomMode.FitToWidth else 0.0)
        self.host.settings.setValue(ZOOM_KEY, setting)

    def fit_width(self) -> None:
        self._fit(QPdfView.ZoomMode.FitToWidth, "width")

    def fit_page(self) -> None:
        self._fit(QPdfView.ZoomMode.FitInView, "page")

    def _apply_saved_zoom(self) -> None:
        saved = str(self.host.settings.value(ZOOM_KEY, "width") or "width")
        if saved == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            try:
                factor = float(saved)
            except ValueError:
                factor = 0.0
            if factor > 0:
                self.view.setZoomMode(QPdfView.ZoomMode.Custom)
                self.view.setZoomFactor(min(max(factor, ZOOM_STEPS[0]), ZOOM_STEPS[-1]))
            else:
                self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._zoom_shown()

    def _zoom_shown(self) -> None:
        mode = self.view.zoomMode()
        self.actions_["fit_width"].setChecked(mode == QPdfView.ZoomMode.FitToWidth)
        self.actions_["fit_page"].setChecked(mode == QPdfView.ZoomMode.FitInView)
        QTimer.singleShot(0, self, self._zoom_label)

    def _zoom_label(self) -> None:
        if shiboken6.isValid(self.view):  # (not after the window closed)
            self.zoom_label.setText(f"{round(self.view.effective_zoom() * 100)}%")

    # ------------------------------------------------------------------ pages
    def _page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.panel.show_page(page)
        if self._started:
            self.save_timer.start()

    def save_page(self) -> None:
        """Remember the page shown, in the library (not an action)."""
        self.save_timer.stop()
        page = self.view.current_page() + 1
        if page >= 1 and page != self._saved_page:
            try:
                self.lib.annotator.set_last_page(self.paper_id, self.file, page)
                self._saved_page = page
            except Exception:  # (read-only, gone: the page is not worth a message)
                log.info("last page of paper %s not saved", self.paper_id, exc_info=True)

    def open_at(self, page: int, y: float = 0.0) -> None:
        """Show ``page`` (0-based) at ``y`` points (now if laid out, else when shown)."""
        self.start = (page, y)
        if self._started:
            self._go_start()

    def showEvent(self, e: QShowEvent) -> None:  # noqa: N802
        super().showEvent(e)
        if not self._started:
            QTimer.singleShot(0, self, self._first_shown)

    def _first_shown(self) -> None:
        if not shiboken6.isValid(self.view):
            return
        self._go_start()
        self._started = True
        self._saved_page = self.view.current_page() + 1
        self._zoom_shown()
        self.view.setFocus()

    def _go_start(self) -> None:
        if self.start is not None:
            page, y = self.start
            self.view.go_to(page, y)

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        if self._started:
            self.save_page()
        self.save_timer.stop()
        self.closed.emit(self)
        # The view and the search go before the document, while it is there (told to let go
        # of it, QtPdf's models warn; the document going first crashes the view).
        self.find.shutdown()
        self.panel.set_document(None)
        shiboken6.delete(self.view)
        self.doc.close()
        super().closeEvent(e)


def _note_color(name: str) -> QColor:
    return QColor(COLORS.get(name, name)).lighter(115)
