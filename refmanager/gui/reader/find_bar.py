"""The reader's find bar (Ctrl+F): every hit of the words highlighted, Enter / Shift+Enter to
the next / previous one, the count, and the view scrolled to the hit.

``QPdfSearchModel`` searches a page per timer tick through the event loop; asking it for the
hits of each page (``resultsOnPage``) searches at once: the bar does so, a dozen pages at a
time, in page order (the model numbers its hits so), and shows the first hit when it is found.  The view draws the hits (``setSearchModel``,
``setCurrentSearchResultIndex``) but does not scroll to them: the bar does.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtPdf import QPdfSearchModel
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from .pdf_view import PdfView

#: The search starts this long after the last key typed (ms).
TYPE_PAUSE_MS = 250
#: Pages searched at a time (QtPdf takes ~8 ms a page): the rest from the event loop.
SCAN_PAGES = 12


class FindField(QLineEdit):
    """Enter: next hit; Shift+Enter: previous; Esc: close the bar."""

    step = Signal(int)
    closed = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.step.emit(-1 if e.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
        elif e.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        else:
            super().keyPressEvent(e)


class FindBar(QWidget):
    def __init__(self, view: PdfView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        # (no parent: the view holds it and must let go of it first when the window closes)
        self.model = QPdfSearchModel()
        #: the hits: (page, rectangles in points), in order
        self.hits: list[tuple[int, list[QRectF]]] = []
        self.current = -1
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        self.field = FindField()
        self.field.setPlaceholderText("Find in the document")
        self.field.setAccessibleName("Find in the document")
        self.field.setClearButtonEnabled(True)
        self.field.step.connect(self.step)
        self.field.closed.connect(self.close_bar)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPE_PAUSE_MS)
        self.timer.timeout.connect(self.search)
        self.field.textChanged.connect(lambda _t: self.timer.start())
        self.scan_timer = QTimer(self)
        self.scan_timer.setSingleShot(True)
        self.scan_timer.setInterval(0)
        self.scan_timer.timeout.connect(self._scan)
        self._next = self._pages = self._here = 0
        self.prev_button = QToolButton()
        self.prev_button.setText("\u25b2")
        self.prev_button.setToolTip("Previous hit (Shift+Enter)")
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QToolButton()
        self.next_button.setText("\u25bc")
        self.next_button.setToolTip("Next hit (Enter)")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton()
        close.setText("\u2715")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        for w in (self.field, self.prev_button, self.next_button, self.count):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(close)
        self.setVisible(False)

    def set_document(self) -> None:
        self.model.setDocument(self.view.document())

    def open_bar(self) -> None:
        self.setVisible(True)
        if self.view.selected_text() and "\n" not in self.view.selected_text():
            self.field.setText(self.view.selected_text())
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self.timer.stop()
        self.scan_timer.stop()
        self._pages = 0
        self.setVisible(False)
        self.view.setSearchModel(None)
        self.view.setFocus()

    def search(self) -> None:
        """Find the words: the first pages now, the rest a batch at a time from the event loop
        (a long PDF does not freeze the window); the first hit on or after the page shown is
        shown as soon as it is found."""
        self.timer.stop()
        self.scan_timer.stop()
        words = self.field.text().strip()
        self.model.setSearchString(words)
        self.hits, self.current, self._next = [], -1, 0
        self._here = max(0, self.view.current_page())
        self._pages = self.view.page_count() if words else 0
        self.view.setSearchModel(self.model if words else None)
        if words:
            self._scan()
        else:
            self.count.setText("")

    def scanning(self) -> bool:
        return self._next < self._pages

    def _scan(self) -> None:
        """The next pages' hits (in page order: the model numbers its hits so)."""
        end = min(self._next + SCAN_PAGES, self._pages)
        for page in range(self._next, end):
            for link in self.model.resultsOnPage(page):
                self.hits.append((page, [QRectF(r) for r in link.rectangles()]))
        self._next = end
        if self.current < 0:
            self.current = next((i for i, (page, _) in enumerate(self.hits) if page >= self._here), -1)
            if self.current < 0 and not self.scanning() and self.hits:
                self.current = 0  # (none after the page shown: round to the first)
            if self.current >= 0:
                self._show()
        if self.scanning():
            self.scan_timer.start()
        if self.current >= 0:
            self.count.setText(f"{self.current + 1} of {len(self.hits)}" + ("…" if self.scanning() else ""))
        else:
            self.count.setText("Searching…" if self.scanning() else "Not found")

    def step(self, by: int) -> None:
        """The next (1) or previous (-1) hit, round the end."""
        if self.timer.isActive() or self.model.searchString() != self.field.text().strip():
            self.search()
            if by > 0 or not self.hits:
                return
        while self.scanning():  # (a step past what was found so far: the rest now)
            self.scan_timer.stop()
            self._scan()
        if not self.hits:
            return
        self.current = (self.current + by) % len(self.hits)
        self._show()

    def _show(self) -> None:
        page, rects = self.hits[self.current]
        self.count.setText(f"{self.current + 1} of {len(self.hits)}")
        self.view.setCurrentSearchResultIndex(self.current)
        top = min((r.top() for r in rects), default=0.0)
        left = min((r.left() for r in rects), default=0.0)
        vr = self.view.to_view(page, rects[0]) if rects else None
        if vr is None or not QRectF(self.view.viewport().rect()).adjusted(0, 20, 0, -20).contains(vr):
            # (scrolled so the hit is in view, a few lines below the top; sideways when zoomed in)
            wide = self.view.horizontalScrollBar().maximum() > 0
            self.view.go_to(page, max(0.0, top - 60), left - 20 if wide else None)
        self.view.viewport().update()

    def shutdown(self) -> None:
        """Before the document goes: the view lets go of the model, which goes first (a model
        told to let go of its document warns)."""
        self.scan_timer.stop()
        self.view.setSearchModel(None)
        shiboken6.delete(self.model)
