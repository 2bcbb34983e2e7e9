"""The reader's page view: QtPdf's ``QPdfView`` with what it lacks — text selection and copy,
annotations painted over the pages, a place on a page from a click, and scrolling to a place.

``QPdfView`` (Qt 6.11) renders pages, zooms and draws search hits, but has no text selection,
no public page geometry and ignores the place in ``pageNavigator().jump()``.  So the view
recomputes the page layout exactly as ``QPdfViewPrivate::calculateDocumentLayout`` does
(margins, page spacing, centring, ``QSize`` rounding, the screen's logical DPI / 72) and maps
viewport pixels to page points (from the page's top left) and back.  Selection is QtPdf's
``getSelection`` between two points snapped to the nearest glyphs (it finds none farther
than ~16 points).  Annotations (``Mark``) are painted after the pages, multiplied so the
text stays black; what was painted is kept in ``painted`` (tests read it).

Pages are 0-based here, as QtPdf counts them; the library counts from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtPdf import QPdfDocument, QPdfSelection
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QToolTip, QWidget

#: The side of a page note's icon, in points.
NOTE_SIZE = 18.0
#: The selection's colour (translucent, over the page).
SELECTION = QColor(0, 120, 215, 90)
#: Pixels the mouse moves before a press becomes a drag (a selection).
DRAG_PX = 3


@dataclass
class Mark:
    """An annotation as the view paints it."""

    id: int
    kind: str  # "highlight" or "note"
    page: int  # 0-based
    rects: list[QRectF]  # points, from the page's top left
    color: QColor
    comment: str | None = None
    quote: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def line_rects(rects: list[QRectF]) -> list[QRectF]:
    """Glyph rectangles -> one per line of text (their union, a point larger each way): how a
    highlight is stored and drawn (a marker's stroke, not a box per letter)."""
    lines: list[QRectF] = []
    for r in sorted((r.normalized() for r in rects), key=lambda r: (r.center().y(), r.x())):
        for i, line in enumerate(lines):
            overlap = min(line.bottom(), r.bottom()) - max(line.top(), r.top())
            if overlap > 0.3 * min(line.height(), r.height()):
                lines[i] = line.united(r)
                break
        else:
            lines.append(QRectF(r))
    return [QRectF(r.x() - 1, r.y() - 1, r.width() + 2, r.height() + 2) for r in lines]


class PdfView(QPdfView):
    """A ``QPdfView`` with text selection, painted annotations and places on pages."""

    #: a selection was made or cleared (True: there is one)
    selectionChanged = Signal(bool)
    #: the page (0-based) most of the viewport shows changed
    pageChanged = Signal(int)
    #: a click with the note tool: page (0-based), place in points
    noteRequested = Signal(int, QPointF)
    #: an annotation was clicked (its id), or the empty page (-1)
    markClicked = Signal(int)
    #: an annotation was double-clicked (its id)
    markActivated = Signal(int)
    #: right click: global position, the annotation under it (-1: none)
    menuRequested = Signal(QPoint, int)
    #: the view's zoom changed (by the wheel with Ctrl)
    zoomRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        screen = QGuiApplication.primaryScreen()
        # (QPdfViewPrivate takes the primary screen's logical DPI / 72 when it is made)
        self._screen_res = (screen.logicalDotsPerInch() if screen else 72.0) / 72.0
        self.marks: list[Mark] = []
        #: what the last paint drew: (annotation id, page, rectangle in viewport pixels)
        self.painted: list[tuple[int, int, QRectF]] = []
        #: the annotation shown as chosen (outlined), or None
        self.current_mark: int | None = None
        #: "select" (drag selects text) or "note" (a click adds a note there)
        self.tool = "select"
        self.selection: QPdfSelection | None = None
        self.selection_page: int | None = None
        self._press: QPointF | None = None
        self._press_mark: int | None = None
        self._dragging = False
        self._glyphs: dict[int, list[QRectF]] = {}
        self._page = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setSingleStep(40)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._scrolled)

    # ------------------------------------------------------------ geometry
    def ready(self) -> bool:
        doc = self.document()
        return doc is not None and doc.status() == QPdfDocument.Status.Ready and doc.pageCount() > 0

    def page_count(self) -> int:
        return self.document().pageCount() if self.ready() else 0

    def _page_size(self, page: int, vw: int, vh: int) -> QSize:
        pt = self.document().pagePointSize(page)
        m = self.documentMargins()
        mode = self.zoomMode()
        if mode == QPdfView.ZoomMode.Custom:
            return (pt * self._screen_res * self.zoomFactor()).toSize()
        size = (pt * self._screen_res).toSize()
        if mode == QPdfView.ZoomMode.FitToWidth:
            return size * ((vw - m.left() - m.right()) / max(1, size.width()))
        return size.scaled(QSize(vw - m.left() - m.right(), vh - self.pageSpacing()),
                           Qt.AspectRatioMode.KeepAspectRatio)

    def page_geometries(self) -> dict[int, QRect]:
        """Each laid-out page's rectangle in the scrolled content, as ``QPdfView`` lays them out."""
        if not self.ready():
            return {}
        vw, vh = self.viewport().width(), self.viewport().height()
        m = self.documentMargins()
        if self.pageMode() == QPdfView.PageMode.SinglePage:
            pages: list[int] = [self.pageNavigator().currentPage()]
        else:
            pages = list(range(self.page_count()))
        sizes = {p: self._page_size(p, vw, vh) for p in pages}
        total_w = max(s.width() for s in sizes.values()) + m.left() + m.right()
        y, out = m.top(), {}
        for p in pages:
            s = sizes[p]
            out[p] = QRect((max(total_w, vw) - s.width()) // 2, y, s.width(), s.height())
            y += s.height() + self.pageSpacing()
        return out

    def _offset(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def page_rect(self, page: int) -> QRectF | None:
        """The page's rectangle in viewport pixels (None: not laid out)."""
        g = self.page_geometries().get(page)
        return None if g is None else QRectF(g).translated(-self._offset())

    def _scale(self, page: int, g: QRectF) -> tuple[float, float]:
        pt = self.document().pagePointSize(page)
        return g.width() / pt.width(), g.height() / pt.height()

    def to_view(self, page: int, r: QRectF) -> QRectF | None:
        """A rectangle in page points -> viewport pixels."""
        g = self.page_rect(page)
        if g is None:
            return None
        sx, sy = self._scale(page, g)
        return QRectF(g.x() + r.x() * sx, g.y() + r.y() * sy, r.width() * sx, r.height() * sy)

    def to_page(self, pos: QPointF) -> tuple[int | None, QPointF | None]:
        """A viewport point -> (page, point in points), or (None, None) between pages."""
        for page, g in self.page_geometries().items():
            r = QRectF(g).translated(-self._offset())
            if r.contains(pos):
                sx, sy = self._scale(page, r)
                return page, QPointF((pos.x() - r.x()) / sx, (pos.y() - r.y()) / sy)
        return None, None

    def on_page(self, page: int, pos: QPointF) -> QPointF | None:
        """A viewport point in ``page``'s points, kept inside the page (a drag past its edge)."""
        g = self.page_rect(page)
        if g is None:
            return None
        sx, sy = self._scale(page, g)
        pt = self.document().pagePointSize(page)
        return QPointF(min(max((pos.x() - g.x()) / sx, 0.0), pt.width()),
                       min(max((pos.y() - g.y()) / sy, 0.0), pt.height()))

    def effective_zoom(self) -> float:
        """The zoom shown (1.0: actual size), whatever the zoom mode."""
        page = max(0, self.current_page())
        g = self.page_geometries().get(page)
        if g is None:
            return self.zoomFactor()
        return g.width() / (self.document().pagePointSize(page).width() * self._screen_res)

    # ---------------------------------------------------------- navigation
    def current_page(self) -> int:
        """The page (0-based) that fills most of the viewport (-1: no document)."""
        best, best_h = -1, 0.0
        vh = self.viewport().height()
        for page, g in self.page_geometries().items():
            r = QRectF(g).translated(-self._offset())
            h = min(r.bottom(), vh) - max(r.top(), 0.0)
            if h > best_h + 0.5:
                best, best_h = page, h
        return best

    def go_to(self, page: int, y: float = 0.0, x: float | None = None) -> None:
        """Scroll so that the point ``y`` (points) of ``page`` is at the viewport's top (a
        little below it), and ``x`` at its left when given."""
        if not self.ready():
            return
        page = min(max(page, 0), self.page_count() - 1)
        if self.pageMode() == QPdfView.PageMode.SinglePage:
            self.pageNavigator().jump(page, QPointF(x or 0.0, y), self.zoomFactor())
        g = self.page_geometries().get(page)
        if g is None:
            return
        sx, sy = self._scale(page, QRectF(g))
        self.verticalScrollBar().setValue(int(g.y() + y * sy) - (10 if y <= 0 else 40))
        if x is not None:
            self.horizontalScrollBar().setValue(int(g.x() + x * sx) - 40)
        self._scrolled()

    def place(self) -> tuple[int, float]:
        """Where the viewport's top is: (page, y in points), to keep it through a zoom."""
        page = self.current_page()
        g = self.page_rect(page) if page >= 0 else None
        if g is None:
            return max(page, 0), 0.0
        _, sy = self._scale(page, g)
        return page, max(0.0, (10 - g.y()) / sy)

    def _scrolled(self, *_: object) -> None:
        page = self.current_page()
        if page != self._page and page >= 0:
            self._page = page
            self.pageChanged.emit(page)

    # ------------------------------------------------------------ painting
    def paintEvent(self, e: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(e)  # (the pages, and Qt's search hits)
        self.painted = []
        if self.ready():
            p = QPainter(self.viewport())
            self.painted = paint_marks(self, p)
            p.end()

    # ----------------------------------------------------------- selection
    def mark_at(self, pos: QPointF) -> Mark | None:
        """The annotation under a viewport point (a note over a highlight), or None."""
        page, pt = self.to_page(pos)
        if page is None or pt is None:
            return None
        hits = [m for m in self.marks if m.page == page
                and any(r.adjusted(-1, -1, 1, 1).contains(pt) for r in m.rects)]
        hits.sort(key=lambda m: m.kind != "note")
        return hits[0] if hits else None

    def _snap(self, page: int, pt: QPointF) -> QPointF | None:
        """The point moved onto the nearest glyph of the page (``getSelection`` needs one near)."""
        rects = self._glyphs.get(page)
        if rects is None:
            rects = self._glyphs[page] = [q.boundingRect() for q in self.document().getAllText(page).bounds()]
        if not rects:
            return None

        def far(r: QRectF) -> float:
            dx = max(r.left() - pt.x(), 0.0, pt.x() - r.right())
            dy = max(r.top() - pt.y(), 0.0, pt.y() - r.bottom())
            return dx * dx + dy * dy

        r = min(rects, key=far)
        # (past a glyph's right edge takes it in: a drag beyond a line's end selects its last letter)
        x = r.right() + 0.5 if pt.x() > r.right() else max(pt.x(), r.left() + 0.5)
        return QPointF(x, r.center().y())

    def select_between(self, page: int, a: QPointF, b: QPointF) -> bool:
        """Select the text between two points (in points) of a page; False: no text there."""
        sa, sb = self._snap(page, a), self._snap(page, b)
        sel = self.document().getSelection(page, sa, sb) if sa is not None and sb is not None else None
        if sel is None or not sel.isValid() or not sel.text():
            return False
        self.selection, self.selection_page = sel, page
        self.viewport().update()
        return True

    def selected_text(self) -> str:
        # (PDFium gives U+FFFE for a hyphen it takes for a soft one)
        return "" if self.selection is None else self.selection.text().replace("\r\n", "\n").replace("\ufffe", "-")

    def clear_selection(self) -> None:
        if self.selection is not None:
            self.selection = self.selection_page = None
            self.viewport().update()
            self.selectionChanged.emit(False)

    def copy(self) -> bool:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return bool(text)

    # --------------------------------------------------------------- mouse
    def mousePressEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        if e.button() != Qt.MouseButton.LeftButton or not self.ready():
            super().mousePressEvent(e)
            return
        if self.tool == "note":
            page, pt = self.to_page(e.position())
            if page is not None and pt is not None:
                self.noteRequested.emit(page, pt)
            return
        mark = self.mark_at(e.position())
        self._press, self._press_mark, self._dragging = e.position(), mark.id if mark else None, False
        page, _ = self.to_page(e.position())
        if self.selection is not None:
            self.clear_selection()
        self.selection_page = page
        super().mousePressEvent(e)  # (QPdfView notes a link under the press)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and e.buttons() & Qt.MouseButton.LeftButton:
            if not self._dragging and (e.position() - self._press).manhattanLength() < DRAG_PX:
                return
            self._dragging = True
            page = self.selection_page
            if page is not None:
                a, b = self.on_page(page, self._press), self.on_page(page, e.position())
                if a is not None and b is not None:
                    self.select_between(page, a, b)
            return
        self._hover(e.position())
        super().mouseMoveEvent(e)

    def _hover(self, pos: QPointF) -> None:
        mark = self.mark_at(pos) if self.tool == "select" else None
        vp = self.viewport()
        if self.tool == "note":
            vp.setCursor(Qt.CursorShape.CrossCursor)
        elif mark is not None:
            vp.setCursor(Qt.CursorShape.PointingHandCursor)
            text = mark.comment or ""
            if text:
                QToolTip.showText(vp.mapToGlobal(pos.toPoint()), text, vp)
        else:
            vp.setCursor(Qt.CursorShape.IBeamCursor if self.to_page(pos)[0] is not None else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        if e.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(e)
            return
        dragged, mark = self._dragging, self._press_mark
        self._press, self._dragging = None, False
        if dragged:
            if self.selection is not None:
                self.selectionChanged.emit(True)
            return
        self.current_mark = mark
        self.viewport().update()
        self.markClicked.emit(mark if mark is not None else -1)
        if mark is None:
            super().mouseReleaseEvent(e)  # (a link under the click: QPdfView follows it)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        mark = self.mark_at(e.position()) if self.tool == "select" else None
        if mark is not None:
            self.markActivated.emit(mark.id)
            return
        super().mouseDoubleClickEvent(e)

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:  # noqa: N802
        mark = self.mark_at(QPointF(self.viewport().mapFrom(self, e.pos())))
        if mark is not None:
            self.current_mark = mark.id
            self.viewport().update()
        self.menuRequested.emit(e.globalPos(), mark.id if mark else -1)

    def wheelEvent(self, e: QWheelEvent) -> None:  # noqa: N802
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoomRequested.emit(1 if e.angleDelta().y() > 0 else -1)
            return
        super().wheelEvent(e)

    # ------------------------------------------------------------ keyboard
    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        key, mods = e.key(), e.modifiers()
        page = self.current_page()
        plain = not (mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        if e.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif key == Qt.Key.Key_PageDown:
            self.go_to(page + 1)
        elif key == Qt.Key.Key_PageUp:
            self.go_to(page - 1 if self.place()[1] < 1 else page)  # (first the page's own top)
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(self.page_count() - 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain and self.horizontalScrollBar().maximum() == 0:
            self.go_to(page + (1 if key == Qt.Key.Key_Right else -1))
        elif key == Qt.Key.Key_Space and plain:
            bar = self.verticalScrollBar()
            step = int(self.viewport().height() * 0.9)
            bar.setValue(bar.value() + (-step if mods & Qt.KeyboardModifier.ShiftModifier else step))
        elif key == Qt.Key.Key_Escape and (self.selection is not None or self.current_mark is not None):
            self.current_mark = None
            self.clear_selection()
            self.viewport().update()
        else:
            super().keyPressEvent(e)
            return
        e.accept()


def paint_marks(view: PdfView, p: QPainter) -> list[tuple[int, int, QRectF]]:
    """The view's annotations and selection over its pages; what was painted, where."""
    painted: list[tuple[int, int, QRectF]] = []
    visible = QRectF(view.viewport().rect())
    shown = set(view.page_geometries())
    for m in view.marks:
        if m.kind == "note" or m.page not in shown:
            continue
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)  # (the text stays black)
        for r in m.rects:
            vr = view.to_view(m.page, r)
            if vr is not None and vr.intersects(visible):
                p.fillRect(vr, m.color)
                painted.append((m.id, m.page, vr))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        first = view.to_view(m.page, m.rects[0]) if m.rects else None
        if first is not None and m.comment:  # (a comment: a fold at the top left)
            s = max(5.0, first.height() / 2.5)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(m.color.darker(150))
            p.drawPolygon([first.topLeft(), first.topLeft() + QPointF(s, 0), first.topLeft() + QPointF(0, s)])
        if m.id == view.current_mark:  # (chosen: outlined)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(m.color.darker(170), 2))
            for r in m.rects:
                vr = view.to_view(m.page, r)
                if vr is not None:
                    p.drawRect(vr.adjusted(-1, -1, 1, 1))
    for m in view.marks:
        if m.kind == "note" and m.page in shown and m.rects:
            vr = view.to_view(m.page, m.rects[0])
            if vr is not None and vr.intersects(visible):
                _draw_note(p, vr, m.color, m.id == view.current_mark)
                painted.append((m.id, m.page, vr))
    if view.selection is not None and view.selection_page is not None:
        for r in line_rects([q.boundingRect() for q in view.selection.bounds()]):
            vr = view.to_view(view.selection_page, r)
            if vr is not None:
                p.fillRect(vr, SELECTION)
    return painted


def _draw_note(p: QPainter, r: QRectF, color: QColor, chosen: bool) -> None:
    """A page note's icon: a sticky note with a folded corner and three lines."""
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    fold = r.width() * 0.3
    p.setPen(QPen(color.darker(170), 2 if chosen else 1))
    p.setBrush(color)
    p.drawPolygon([r.topLeft(), r.topRight(), r.bottomRight() - QPointF(0, fold), r.bottomRight() - QPointF(fold, 0),
                   r.bottomLeft()])
    p.setPen(QPen(color.darker(220), 1))
    for i in (1, 2, 3):
        y = r.top() + r.height() * i / 4.5
        p.drawLine(QPointF(r.left() + r.width() * 0.2, y), QPointF(r.right() - r.width() * 0.2, y))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
