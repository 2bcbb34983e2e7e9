"""The paper table: a lazy model over the library.

Rows are fetched from SQLite a page at a time (sorted and filtered in SQL)
and kept in a small LRU cache, so a library of a million papers costs the
same memory as one of twenty.  There is no proxy model: sorting calls
``sort()``, which changes the SQL ``ORDER BY``.
"""

from __future__ import annotations

import functools
import html
import logging
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ..core.library import Library, View
from ..core.links import opening_words
from .icons import icon

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

# (key, header, sort key)
COLUMNS: list[tuple[str, str, str]] = [
    ("starred", "★", "starred"),
    ("read", "●", "read"),
    ("title", "Title", "title"),
    ("authors", "Authors", "authors"),
    ("year", "Year", "year"),
    ("date", "Date", "date"),
    ("category", "Category", "category"),
    ("tags", "Tags", "tags"),
    ("added", "Added", "added"),
]
COL = {key: i for i, (key, _, _) in enumerate(COLUMNS)}

PAGE_SIZE = 200
MAX_PAGES = 40  # at most 8,000 rows in memory

#: Custom roles
IdRole = Qt.ItemDataRole.UserRole + 1
TagsRole = Qt.ItemDataRole.UserRole + 2
NoteHitRole = Qt.ItemDataRole.UserRole + 3


@functools.lru_cache(maxsize=8)
def _font(bold: bool, italic: bool) -> QFont:
    """One font per style, made once (a repaint asks for every visible cell's)."""
    f = QFont()
    f.setBold(bold)
    f.setItalic(italic)
    return f


@functools.lru_cache(maxsize=8)
def _brush(color: str) -> QBrush:
    return QBrush(QColor(color))


#: Roles the table never answers (asked for every visible cell at every repaint).
_NO_ROLES = frozenset({Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.BackgroundRole})
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)


def plain_tooltip(text: str) -> str:
    """A tool tip that shows text literally: escaped, so Qt never interprets markup."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


class PaperTableModel(QAbstractTableModel):
    countChanged = Signal(int)
    editFailed = Signal(str)
    edited = Signal(int)  # paper id

    def __init__(self, lib: Library, parent: Any = None, background: Any = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self._view = View()
        self._count = 0
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._last: tuple[int, list[tuple[Any, ...]]] = (-1, [])  # the page read last
        self._colors: dict[str, str] = {}
        self._note_hits: set[int] = set()
        self._tags: dict[int, list[str]] = {}  # tags of painted papers, until the rows change
        self.hint: str | None = None
        self.count_pending = False
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self.finish_count)
        self._generation = 0
        #: set by the window for big libraries: counts then run on a worker thread
        self.background: Any = background
        self.reload()

    # ------------------------------------------------------------- the view
    @property
    def view(self) -> View:
        return self._view

    def set_view(self, view: View) -> None:
        self._view = view
        self.reload()

    def reload(self) -> None:
        """Re-query after a change: the first page now, the full count right after.

        The first page is all the table needs to paint; counting every match of
        a short prefix in a big library can take longer, so it runs from the
        event loop once the first page is on screen (rows are then appended).
        """
        self.beginResetModel()
        self._generation += 1
        self._forget_rows()
        self._colors = self.lib.tag_colors()
        self.hint = self.lib.search_hint(self._view) if self._view.search.strip() else None
        self._note_hits = set()
        first = self.lib.page(self._view, 0, PAGE_SIZE)
        self._pages[0] = first
        self._last = (0, first)
        if self._view.search.strip():
            self._mark_note_hits(first)
        self._count = len(first)
        self.endResetModel()
        if len(first) == PAGE_SIZE:
            self.count_pending = True
            if self.background is not None:
                view = self._view
                gen = self._generation
                self.background.submit(
                    ("count", gen), lambda lib: lib.count(view), wanted=lambda: self._generation == gen
                )
            else:
                self._count_timer.start()
        else:
            self.count_pending = False
            self.countChanged.emit(self._count)

    def _background_done(self, tag: object, result: object) -> None:
        if isinstance(tag, tuple) and tag == ("count", self._generation) and self.count_pending:
            self._apply_count(int(result))  # type: ignore[arg-type]
        elif isinstance(tag, tuple) and tag == ("notes", self._generation) and result:
            self._note_hits |= result  # type: ignore[arg-type]
            if self._count:
                col = COL["title"]
                self.dataChanged.emit(self.index(0, col), self.index(self._count - 1, col))

    def finish_count(self) -> None:
        """Count now (synchronously) if the count is still pending."""
        self._count_timer.stop()
        if self.count_pending:
            self._apply_count(self.lib.count(self._view))

    @property
    def generation(self) -> int:
        """Changes with every reload: a background answer for an older one is stale."""
        return self._generation

    def apply_count(self, n: int) -> None:
        """A count of the current view worked out elsewhere (the worker thread)."""
        if self.count_pending:
            self._count_timer.stop()
            self._apply_count(n)

    def _apply_count(self, n: int) -> None:
        self.count_pending = False
        if n > self._count:
            self.beginInsertRows(QModelIndex(), self._count, n - 1)
            self._count = n
            self.endInsertRows()
        self.countChanged.emit(self._count)

    def refresh_rows(self) -> None:
        """Same rows, new values (flags, tags): repaint without a reset."""
        self._forget_rows()
        self._colors = self.lib.tag_colors()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    def _forget_rows(self) -> None:
        """Rows (and the tags painted with them) are read again when next shown."""
        self._pages.clear()
        self._tags.clear()
        self._last = (-1, [])

    def loaded_rows(self) -> int:
        """Rows currently held in memory (a test keeps this small)."""
        return sum(len(p) for p in self._pages.values())

    def _row(self, row: int) -> tuple[Any, ...] | None:
        page_no, i = divmod(row, PAGE_SIZE)
        last_no, page = self._last
        if page_no == last_no:  # (a repaint asks ~1,500 times, nearly always of one page)
            return page[i] if i < len(page) else None
        page = self._pages.get(page_no)
        if page is None:
            page = self.lib.page(self._view, page_no * PAGE_SIZE, PAGE_SIZE)
            self._pages[page_no] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
            if self._view.search.strip():
                self._mark_note_hits(page)
        else:
            self._pages.move_to_end(page_no)
        self._last = (page_no, page)
        return page[i] if i < len(page) else None

    def _mark_note_hits(self, page: list[tuple[Any, ...]]) -> None:
        """Which papers of a page match in their note.  In a big library from the
        worker thread: a long prefix ("model") costs the FTS index as much again
        as the page itself, and the table need not wait for the marks."""
        ids = [r[0] for r in page if r[15]]
        if not ids:
            return
        if self.background is None:
            self._note_hits |= self.lib.note_hits(ids, self._view.search)
            return
        gen, search = self._generation, self._view.search
        self.background.submit(
            ("notes", gen), lambda lib: lib.note_hits(ids, search), wanted=lambda: self._generation == gen
        )

    def paper_id(self, row: int) -> int | None:
        r = self._row(row) if 0 <= row < self._count else None
        return r[0] if r else None

    def ids_in_rows(self, top: int, bottom: int) -> list[int]:
        """Paper ids of rows top..bottom: cached pages when loaded, else one id-only query."""
        out: list[int] = []
        row = top
        while row <= bottom:
            page_no, i = divmod(row, PAGE_SIZE)
            page = self._pages.get(page_no)
            end = min(bottom, (page_no + 1) * PAGE_SIZE - 1)
            if page is not None:
                out.extend(r[0] for r in page[i : i + end - row + 1])
            else:
                out.extend(self.lib.ids(self._view, limit=end - row + 1, offset=row))
            row = end + 1
        return out

    def row_of(self, pid: int) -> int | None:
        for page_no, page in self._pages.items():
            for i, r in enumerate(page):
                if r[0] == pid:
                    return page_no * PAGE_SIZE + i
        return self.lib.row_of(self._view, pid)

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {"starred": "Starred", "read": "Unread"}.get(COLUMNS[section][0], COLUMNS[section][1])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        if COLUMNS[index.column()][0] == "title":
            f |= Qt.ItemFlag.ItemIsEditable  # F2 edits the title in the table
        return f

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or COLUMNS[index.column()][0] != "title":
            return False
        pid = self.paper_id(index.row())
        if pid is None:
            return False
        from ..core.errors import RefManagerError

        try:
            changed = self.lib.edit_paper(pid, title=str(value).strip() or None)
        except RefManagerError as e:
            self.editFailed.emit(str(getattr(e, "message", e)))
            return False
        if changed:
            self._forget_rows()
            self.dataChanged.emit(index, index)
            self.edited.emit(pid)
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A repaint asks every visible cell for seven roles (~1,500 calls): the ones
        # answered by the column alone, or never, are answered before the row is read.
        if role in _NO_ROLES or not index.isValid():
            return None
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRED if key in ("starred", "read", "year") else None
        if (role == Qt.ItemDataRole.DecorationRole and key != "title") or (
            role == Qt.ItemDataRole.ForegroundRole and key not in ("starred", "read", "title")
        ):
            return None
        r = self._row(index.row())
        if r is None:
            return None
        (pid, title, abstract_head, first_author, n_authors, et_al, year, date, category,
         tags_text, added_at, read, starred, incomplete, needs_review, has_note) = r
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "title":
                if title:
                    return title
                return "[no title] " + opening_words(abstract_head, 10) + "…"
            if key == "authors":
                if not first_author:
                    return ""
                return first_author + (" et al." if (n_authors or 0) > 1 or et_al else "")
            if key == "year":
                return str(year) if year else ""
            if key == "date":
                return date or ""
            if key == "category":
                return category or ""
            if key == "tags":
                return tags_text
            if key == "added":
                return (added_at or "")[:10]
            if key == "starred":
                return "★" if starred else ""
            if key == "read":
                return "" if read else "●"
            return None
        if role == Qt.ItemDataRole.EditRole:
            return (title or "") if key == "title" else None
        if role == IdRole:
            return pid
        if role == TagsRole:
            if not tags_text:
                return []
            tags = self._tags.get(pid)
            if tags is None:
                if len(self._tags) > 10_000:
                    self._tags.clear()  # (bounded: scrolling far paints many pages)
                # the tags of the page's tagged papers, with one query (a repaint asks for each row)
                page = self._pages.get(index.row() // PAGE_SIZE) or [r]
                self._tags.update(self.lib.tags_of([x[0] for x in page if x[9]]))
                tags = self._tags.setdefault(pid, self.lib.tags_of([pid])[pid])
            return tags
        if role == NoteHitRole:
            return pid in self._note_hits
        if role == Qt.ItemDataRole.DecorationRole:
            if key == "title" and pid in self._note_hits:
                return icon("note")  # the search matched this paper's note
            return None
        if role == Qt.ItemDataRole.FontRole:
            return _font(not read, key == "title" and not title)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "title":
                text = title or (abstract_head or "")
                if pid in self._note_hits:
                    text += "\n(the search matches this paper's note)"
                return plain_tooltip(text)
            if key == "authors" and first_author:
                return plain_tooltip(first_author + (" et al." if (n_authors or 0) > 1 or et_al else ""))
            if key == "tags" and tags_text:
                return plain_tooltip(tags_text)
            if key == "starred":
                return "Starred" if starred else None
            if key == "read":
                return None if read else "Unread"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "starred":
                return _brush("#e0a100")
            if key == "read":
                return QBrush(QApplication.palette().color(QPalette.ColorRole.Highlight))
            if key == "title" and needs_review:
                return _brush("#c05800")
            return None
        return None

    def tag_color(self, name: str) -> str | None:
        return self._colors.get(name.casefold())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._view = replace(
            self._view,
            sort=COLUMNS[column][2],
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        self.layoutAboutToBeChanged.emit()
        self._forget_rows()
        self.layoutChanged.emit()
