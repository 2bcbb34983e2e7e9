"""Dragging papers and collections: what a drag carries, where the sidebar takes a drop, and
how a drag of the table's selected rows starts.

Papers travel as their ids with the library's path (``PAPERS_MIME``): ids mean nothing in
another library, so a drop from another window's library is refused by the one receiving
it.  The data has no text on purpose: the table and the window import dropped text, and
must not import their own rows.  A collection travels as its id with a token of the sidebar
it left (it moves within its own tree only).

The table's model is not drag-enabled (it only reads pages), so ``PaperDrag`` starts the
drag from the table's mouse events, with Qt's own rule: a press on one of several selected
rows keeps them selected until it is released without a drag.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QTableView, QTreeWidget, QTreeWidgetItem

from .icons import icon

log = logging.getLogger(__name__)

#: The item data of the sidebar's items: their kind ("section", "collection", "saved", "tag",
#: "header") and key (a section's key, an id, a tag's name, a header's name).
KindRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

#: Papers of a table: ``{"library": path, "ids": [...]}`` as JSON.
PAPERS_MIME = "application/x-refmanager-papers"
#: A collection of a sidebar: ``{"source": token, "id": id}`` as JSON.
COLLECTION_MIME = "application/x-refmanager-collection"


def _mime(kind: str, data: dict[str, Any]) -> QMimeData:
    md = QMimeData()
    md.setData(kind, QByteArray(json.dumps(data).encode("utf-8")))
    return md


def _payload(md: QMimeData, kind: str) -> dict[str, Any] | None:
    if not md.hasFormat(kind):
        return None
    try:
        data = json.loads(bytes(md.data(kind).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        log.info("unreadable %s drop", kind)
        return None
    return data if isinstance(data, dict) else None


def papers_mime(library: str, ids: Sequence[int]) -> QMimeData:
    """The drag data of papers of a library (``papers_in`` reads it back)."""
    return _mime(PAPERS_MIME, {"library": library, "ids": list(ids)})


def papers_in(md: QMimeData) -> tuple[str, list[int]] | None:
    """(library, paper ids) of a drag of papers; None when it is not one."""
    data = _payload(md, PAPERS_MIME)
    ids = data.get("ids") if data else None
    if data is None or not isinstance(data.get("library"), str) or not isinstance(ids, list) \
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return data["library"], ids


def _kind(it: QTreeWidgetItem | None) -> str | None:
    return it.data(0, KindRole) if it is not None else None


def _key(it: QTreeWidgetItem | None) -> Any:
    return it.data(0, KeyRole) if it is not None else None


class SidebarDrops:
    """What may be dropped where on the sidebar, and what a drop does (the sidebar's signals):
    papers onto a collection, a collection onto another or onto the "Collections" header (the
    top), files or text anywhere (imported; into the collection they fall on)."""

    def __init__(self, sidebar: QTreeWidget) -> None:
        self.sidebar: Any = sidebar  # (a ``sidebar.Sidebar``: its signals say what a drop does)
        self.token = f"{os.getpid()}:{id(sidebar)}"
        self._shaded: QTreeWidgetItem | None = None

    def collection_mime(self, cid: int) -> QMimeData:
        return _mime(COLLECTION_MIME, {"source": self.token, "id": cid})

    def dragged_collection(self, md: QMimeData) -> int | None:
        """The id of a collection dragged from this sidebar (None: not one)."""
        data = _payload(md, COLLECTION_MIME)
        if data is None or data.get("source") != self.token or not isinstance(data.get("id"), int):
            return None
        return data["id"] if self.sidebar.collection_item(data["id"]) is not None else None

    def accepts(self, it: QTreeWidgetItem | None, md: QMimeData) -> bool:
        """Whether ``md`` may be dropped on ``it`` (None: empty space)."""
        kind = _kind(it)
        if md.hasFormat(PAPERS_MIME):
            return kind == "collection"
        if md.hasFormat(COLLECTION_MIME):
            cid = self.dragged_collection(md)
            if cid is None:
                return False
            if kind == "header":
                return _key(it) == "collections"
            target = it if kind == "collection" else None
            while target is not None:  # (not onto itself, nor under itself)
                if _kind(target) == "collection" and _key(target) == cid:
                    return False
                target = target.parent()
            return kind == "collection"
        return md.hasUrls() or md.hasText()

    def drop(self, it: QTreeWidgetItem | None, md: QMimeData) -> bool:
        """The drop handler: ``md`` dropped on ``it`` (None: empty space).  Says what should
        happen (a signal of the sidebar) and whether the drop was taken."""
        if not self.accepts(it, md):
            return False
        sb, kind, key = self.sidebar, _kind(it), _key(it)
        if md.hasFormat(PAPERS_MIME):
            found = papers_in(md)
            if found is None:
                return False
            sb.papersDropped.emit(key, found)
        elif md.hasFormat(COLLECTION_MIME):
            sb.collectionDropped.emit(self.dragged_collection(md), key if kind == "collection" else None)
        else:
            sb.inputsDropped.emit(key if kind == "collection" else None, md)
        return True

    # ---------------------------------------------- the sidebar's drag events
    def entered(self, e: Any) -> None:
        md = e.mimeData()
        if md.hasFormat(PAPERS_MIME) or md.hasFormat(COLLECTION_MIME) or md.hasUrls() or md.hasText():
            e.acceptProposedAction()
        else:
            e.ignore()

    def moved(self, e: Any) -> None:
        it = self.sidebar.itemAt(e.position().toPoint())
        md = e.mimeData()
        if self.accepts(it, md):
            e.setDropAction(self._action(md))
            e.accept()
            # (shaded: the item a drop goes to; files dropped outside a collection go nowhere in particular)
            self.shade(it if _kind(it) in ("collection", "header") else None)
        else:
            e.ignore()
            self.shade(None)

    def dropped(self, e: Any) -> None:
        self.shade(None)
        md = e.mimeData()
        if self.drop(self.sidebar.itemAt(e.position().toPoint()), md):
            e.setDropAction(self._action(md))
            e.accept()
        else:
            e.ignore()

    @staticmethod
    def _action(md: QMimeData) -> Qt.DropAction:
        return Qt.DropAction.MoveAction if md.hasFormat(COLLECTION_MIME) else Qt.DropAction.CopyAction

    def shade(self, it: QTreeWidgetItem | None) -> None:
        """The item a drop would go to, shaded while the drag is over it."""
        if it is self._shaded:
            return
        if self._shaded is not None:
            for col in (0, 1):
                self._shaded.setData(col, Qt.ItemDataRole.BackgroundRole, None)
        self._shaded = it
        if it is not None:
            shade = self.sidebar.palette().highlight().color()
            shade.setAlpha(90)
            for col in (0, 1):
                it.setBackground(col, shade)


class DragIntoSidebar:
    """The sidebar's drag events (a mixin before ``QTreeWidget``): a collection dragged out,
    anything dragged in handed to its ``drops`` (``SidebarDrops``)."""

    drops: SidebarDrops

    def startDrag(self, actions: Qt.DropAction) -> None:  # noqa: N802
        """A collection is dragged (onto another, or onto the header: to the top)."""
        it = self.currentItem()  # type: ignore[attr-defined]
        if _kind(it) == "collection":
            drag = QDrag(self)  # type: ignore[arg-type]
            drag.setMimeData(self.drops.collection_mime(_key(it)))
            drag.setPixmap(icon("folder").pixmap(16, 16))
            drag.exec(Qt.DropAction.MoveAction)

    def dragEnterEvent(self, e: Any) -> None:  # noqa: N802
        self.drops.entered(e)

    def dragMoveEvent(self, e: Any) -> None:  # noqa: N802
        super().dragMoveEvent(e)  # type: ignore[misc]  # (scrolling at the edges, opening a collapsed item held over)
        self.drops.moved(e)

    def dragLeaveEvent(self, e: Any) -> None:  # noqa: N802
        self.drops.shade(None)
        super().dragLeaveEvent(e)  # type: ignore[misc]

    def dropEvent(self, e: Any) -> None:  # noqa: N802
        self.drops.dropped(e)


class PaperDrag(QObject):
    """Starts a drag of the table's selected rows (their papers: ``make_mime()``)."""

    def __init__(self, table: QTableView, make_mime: Callable[[], QMimeData | None]) -> None:
        super().__init__(table)
        self.table = table
        self.make_mime = make_mime
        self._pressed_at: QPoint | None = None
        #: the press on one of several selected rows, held back until the button is released
        self._held: QMouseEvent | None = None
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        t = e.type()
        if t == QEvent.Type.MouseButtonPress:
            return self._press(e)  # type: ignore[arg-type]
        if t == QEvent.Type.MouseMove and self._pressed_at is not None:
            if not e.buttons() & Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
                self._pressed_at = self._held = None
                return False
            if (e.position().toPoint() - self._pressed_at).manhattanLength() >= QApplication.startDragDistance():  # type: ignore[attr-defined]
                self._pressed_at = self._held = None
                self.start()
            return True  # (until then the rows stay as they are: no selecting by dragging)
        if t == QEvent.Type.MouseButtonRelease and self._pressed_at is not None:
            held, self._pressed_at, self._held = self._held, None, None
            if held is not None:  # no drag: the press does what it does, late (that row alone)
                QTableView.mousePressEvent(self.table, held)
        return False

    def _press(self, e: QMouseEvent) -> bool:
        self._pressed_at = self._held = None
        if e.button() != Qt.MouseButton.LeftButton or e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        idx = self.table.indexAt(e.position().toPoint())
        sm = self.table.selectionModel()
        if not idx.isValid() or sm is None or not sm.isRowSelected(idx.row()):
            return False
        self._pressed_at = e.position().toPoint()
        if len(sm.selection()) == 1 and sm.selection()[0].height() == 1:
            return False  # one row: the press selects it again, as ever
        self._held = QMouseEvent(e.type(), e.position(), e.globalPosition(), e.button(), e.buttons(), e.modifiers())
        self.table.setFocus(Qt.FocusReason.MouseFocusReason)
        return True

    def start(self) -> None:
        md = self.make_mime()
        if md is None:
            return
        drag = QDrag(self.table)
        drag.setMimeData(md)
        drag.exec(Qt.DropAction.CopyAction)
