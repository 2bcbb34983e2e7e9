"""What the reader does with annotations: highlight the selection in a colour (with a comment
or not), a note at a place on a page, a comment edited, a colour changed, one deleted; and the
menu of each.  Every change goes to the library (``Library.add_annotation`` ...: one undoable
action each) through the reader's host, which then shows the library as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPoint, QPointF, QRectF
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QMenu

from ...core.store.annotations import COLORS, DEFAULT_COLOR
from .. import dialogs
from .pdf_view import NOTE_SIZE, Mark, line_rects

#: How strongly a highlight's colour is drawn (0: not at all, 1: the full colour, multiplied).
TINT = 0.6


def tint(color: str) -> QColor:
    """A highlight's colour as painted: the palette's colour mixed with white."""
    c = QColor(color)
    return QColor(*(round(255 - (255 - v) * TINT) for v in (c.red(), c.green(), c.blue())))


def swatch(color: str, size: int = 14) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(COLORS.get(color, color)))
    return QIcon(pm)


def _rect(r: QRectF) -> list[float]:
    return [r.x(), r.y(), r.width(), r.height()]


class ReaderAnnotations(QObject):
    """The annotation commands of one reader window."""

    def __init__(self, window: Any) -> None:
        """``window``: its ``ReaderWindow`` (the view, the file, the paper, the host)."""
        super().__init__(window)
        self.w = window
        self.color = DEFAULT_COLOR

    @property
    def view(self) -> Any:
        return self.w.view

    def _do(self, fn: Callable[[], Any], done: str | None = None) -> Any:
        """One change, through the host (errors become one message; the window refreshes)."""
        out = self.w.host.guarded(fn)()
        self.w.host.changed(self.w.paper_id)
        if done:
            self.w.statusBar().showMessage(done, 4000)
        return out

    # ------------------------------------------------------------ commands
    def highlight(self, color: str | None = None, *, comment: bool = False) -> int | None:
        """Highlight the selected text (in ``color``, else the last one used); with
        ``comment``, ask for a comment first.  The new annotation's id."""
        v = self.view
        if v.selection is None or v.selection_page is None:
            self.w.statusBar().showMessage("Select some text first (drag over it)", 4000)
            return None
        color = color or self.color
        self.color = color
        self.w.colour_actions[color].setChecked(True)
        text = None
        if comment:
            text = dialogs.get_text(self.w, "Comment", "Comment on the highlighted text:")
            if text is None:
                return None
        sel, page = v.selection, v.selection_page
        rects = line_rects([q.boundingRect() for q in sel.bounds()])
        fields = dict(file=self.w.file, page=page + 1, kind="highlight", rects=[_rect(r) for r in rects],
                      color=color, quote=v.selected_text(), char_start=sel.startIndex(), char_end=sel.endIndex(),
                      comment=text)
        aid = self._do(lambda: self.w.lib.add_annotation(self.w.paper_id, **fields),
                       f"Highlighted on page {page + 1} — Ctrl+Z to undo")
        v.clear_selection()
        return aid

    def add_note(self, page: int, pt: QPointF) -> int | None:
        """A note at a place on a page (the note tool's click)."""
        text = dialogs.get_text(self.w, "Note", f"Note on page {page + 1}:")
        self.w.set_note_tool(False)
        if text is None:
            return None
        half = NOTE_SIZE / 2
        size = self.view.document().pagePointSize(page)
        x = min(max(pt.x() - half, 0.0), max(0.0, size.width() - NOTE_SIZE))
        y = min(max(pt.y() - half, 0.0), max(0.0, size.height() - NOTE_SIZE))
        fields = dict(file=self.w.file, page=page + 1, kind="note", rects=[[x, y, NOTE_SIZE, NOTE_SIZE]],
                      color=self.color, comment=text)
        return self._do(lambda: self.w.lib.add_annotation(self.w.paper_id, **fields),
                        f"Note added on page {page + 1} — Ctrl+Z to undo")

    def edit_comment(self, aid: int) -> None:
        mark = self.w.mark(aid)
        if mark is None:
            return
        label = "Note:" if mark.kind == "note" else "Comment on the highlighted text (empty: none):"
        text = dialogs.get_text(self.w, "Note" if mark.kind == "note" else "Comment", label, mark.comment or "")
        if text is None and mark.kind == "highlight" and mark.comment and dialogs.confirm(
                self.w, "Remove the comment", "Remove this highlight's comment?"):
            text = ""
        if text is not None:
            shown = mark.comment  # (conditional: another program's comment typed over is kept too)
            self._do(lambda: self.w.lib.edit_annotation(aid, comment=text or None, expected=shown))

    def set_color(self, aid: int, color: str) -> None:
        self.color = color
        self.w.colour_actions[color].setChecked(True)
        self._do(lambda: self.w.lib.edit_annotation(aid, color=color))

    def delete(self, aid: int | None = None) -> None:
        aid = self.view.current_mark if aid is None else aid
        mark = self.w.mark(aid) if aid is not None else None
        if mark is None:
            return
        self.view.current_mark = None
        what = "Highlight" if mark.kind == "highlight" else "Note"
        self._do(lambda: self.w.lib.delete_annotation(mark.id), f"{what} deleted — Ctrl+Z to undo")

    # ---------------------------------------------------------------- menus
    def colour_actions(self, menu: QMenu, slot: Callable[[str], Any], *, checked: str | None = None) -> None:
        for name in COLORS:
            a = QAction(swatch(name), name.capitalize(), menu)
            if checked is not None:
                a.setCheckable(True)
                a.setChecked(name == checked)
            a.triggered.connect(lambda _=False, n=name: slot(n))
            menu.addAction(a)

    def context_menu(self, pos: QPoint, aid: int) -> None:
        """Right click: on an annotation, what can be done with it; on a selection, copy and
        highlight; elsewhere, a note here."""
        menu = QMenu(self.w)
        mark = self.w.mark(aid) if aid >= 0 else None
        if mark is not None:
            self._mark_menu(menu, mark)
        elif self.view.selection is not None:
            menu.addAction("Copy", self.view.copy)
            menu.addSeparator()
            self.colour_actions(menu.addMenu("Highlight"), lambda n: self.highlight(n))
            menu.addAction("Highlight and comment\u2026", lambda: self.highlight(comment=True))
        else:
            vp = self.view.viewport()
            page, pt = self.view.to_page(QPointF(vp.mapFromGlobal(pos)))
            if page is None or pt is None:
                return
            menu.addAction("Add a note here\u2026", lambda: self.add_note(page, pt))
        menu.exec(pos)

    def _mark_menu(self, menu: QMenu, mark: Mark) -> None:
        if mark.kind == "highlight":
            if mark.quote:
                menu.addAction("Copy the text", lambda: self.w.copy_text(mark.quote or ""))
            menu.addAction("Edit the comment\u2026" if mark.comment else "Add a comment\u2026",
                           lambda: self.edit_comment(mark.id))
        else:
            menu.addAction("Edit the note\u2026", lambda: self.edit_comment(mark.id))
        self.colour_actions(menu.addMenu("Colour"), lambda n: self.set_color(mark.id, n),
                            checked=str(mark.extra.get("color", "")))
        menu.addSeparator()
        menu.addAction("Delete the highlight" if mark.kind == "highlight" else "Delete the note",
                       lambda: self.delete(mark.id))
