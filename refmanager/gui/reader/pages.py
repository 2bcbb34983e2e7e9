"""The reader's side panel: page thumbnails (click one to go there) and the file's annotations.

Thumbnails are rendered when the list first asks for them (only the rows it shows), on a
white page (QtPdf renders pages transparent), and kept; a document of hundreds of pages
costs nothing until scrolled to.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QTabWidget, QWidget

from ...core.store.annotations import one_line

#: A thumbnail's width in pixels.
THUMB_WIDTH = 110

Index = QModelIndex | QPersistentModelIndex


class ThumbnailModel(QAbstractListModel):
    """One row per page: its number, and its thumbnail (rendered when first shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: QPdfDocument | None = None
        self._icons: dict[int, QIcon] = {}

    def set_document(self, doc: QPdfDocument | None) -> None:
        self.beginResetModel()
        self.doc, self._icons = doc, {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid() or self.doc is None or self.doc.status() != QPdfDocument.Status.Ready:
            return 0
        return self.doc.pageCount()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.doc is None:
            return None
        page = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.doc.pageLabel(page) or str(page + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            if page not in self._icons:
                self._icons[page] = QIcon(QPixmap.fromImage(self.render(page)))
            return self._icons[page]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Page {page + 1}"
        return None

    def thumb_size(self, page: int = 0) -> QSize:
        if self.doc is None:
            return QSize(THUMB_WIDTH, THUMB_WIDTH)
        pt = self.doc.pagePointSize(page)
        return QSize(THUMB_WIDTH, max(1, round(THUMB_WIDTH * pt.height() / max(1.0, pt.width()))))

    def render(self, page: int) -> QImage:
        """A page's thumbnail on white (a page QtPdf cannot render: a blank one)."""
        assert self.doc is not None
        size = self.thumb_size(page)
        out = QImage(size, QImage.Format.Format_RGB32)
        out.fill(QColor("white"))
        img = self.doc.render(page, size)
        p = QPainter(out)
        if not img.isNull():
            p.drawImage(0, 0, img)
        p.setPen(QColor("#9a9a9a"))  # (the page's edge: a white page on a white list)
        p.drawRect(0, 0, size.width() - 1, size.height() - 1)
        p.end()
        return out


class PagePanel(QTabWidget):
    """Pages (thumbnails) and the annotations of this file, beside the pages."""

    #: a page (0-based) was chosen
    pageChosen = Signal(int)
    #: an annotation was chosen (its id)
    markChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbs = ThumbnailModel(self)
        self.pages = QListView()
        self.pages.setModel(self.thumbs)
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setFlow(QListView.Flow.LeftToRight)
        self.pages.setWrapping(True)
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setMovement(QListView.Movement.Static)
        self.pages.setUniformItemSizes(True)
        self.pages.setSpacing(6)
        self.pages.setAccessibleName("Pages")
        self.pages.clicked.connect(lambda ix: self.pageChosen.emit(ix.row()))
        self.pages.activated.connect(lambda ix: self.pageChosen.emit(ix.row()))
        self.addTab(self.pages, "Pages")
        self.notes = QListWidget()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Annotations of this file")
        self.notes.itemClicked.connect(lambda it: self.markChosen.emit(int(it.data(Qt.ItemDataRole.UserRole))))
        self.notes.itemActivated.connect(lambda it: self.markChosen.emit(int(it.data(Qt.ItemDataRole.UserRole))))
        self.addTab(self.notes, "Annotations")
        self.setMinimumWidth(THUMB_WIDTH + 40)

    def set_document(self, doc: QPdfDocument | None) -> None:
        self.thumbs.set_document(doc)
        size = self.thumbs.thumb_size()
        self.pages.setIconSize(size)
        self.pages.setGridSize(QSize(size.width() + 16, size.height() + 28))

    def show_page(self, page: int) -> None:
        """The current page is the list's current row (kept in view)."""
        ix = self.thumbs.index(page, 0)
        if ix.isValid() and self.pages.currentIndex().row() != page:
            self.pages.setCurrentIndex(ix)
            self.pages.scrollTo(ix)

    def show_marks(self, rows: list[tuple[int, int, str, str, str]]) -> None:
        """(id, page from 1, colour, quote, comment) of each annotation of the file."""
        self.notes.clear()
        for aid, page, color, quote, comment in rows:
            text = f"p. {page}  " + (f"\u201c{one_line(quote)}\u201d" if quote else comment)
            if quote and comment:
                text += f"\n\u21b3 {comment}"
            it = QListWidgetItem(_swatch(color), text)
            it.setData(Qt.ItemDataRole.UserRole, aid)
            it.setToolTip(text)
            self.notes.addItem(it)
        self.setTabText(1, f"Annotations ({len(rows)})" if rows else "Annotations")


def _swatch(color: str) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(QColor(color))
    return QIcon(pm)
