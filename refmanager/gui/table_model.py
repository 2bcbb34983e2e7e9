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

from ..core.errors import RefManagerError
from ..core.fields import PageRow
from ..core.library import CompiledView, View
from ..core.links import opening_words
from ..core.names import short_authors
from ..core.record import TYPES
from .icons import icon
from .session import LibrarySession

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
    ("type", "Type", "type"),
    ("key", "Key", "key"),
    ("venue", "Venue", "venue"),
    ("volume", "Volume", "volume"),
    ("pages", "Pages", "pages"),
    ("publisher", "Publisher", "publisher"),
    ("doi", "DOI", "doi"),
    # Not sortable (no sort key): the library has no sort by "has a note", and one would read
    # every row of a big library (no index).  Last, so saved header states keep their columns.
    ("note", "Has note", ""),
]
#: What the record's columns show (a ``PageRow`` field each).
_RECORD_CELLS = {"type": "type", "key": "citekey", "venue": "journal", "volume": "volume", "pages": "pages",
                 "publisher": "publisher", "doi": "doi"}
COL = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
#: Columns shown as an icon or a mark, centred
_MARKS = ("starred", "read", "note")
#: Each column's item flags (F2 edits the title in the table)
_FLAGS = tuple(
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
    | (Qt.ItemFlag.ItemIsEditable if key == "title" else Qt.ItemFlag.NoItemFlags)
    for key, _, _ in COLUMNS
)


def _header_data(section: int, role: int) -> Any:
    """A column header's text, icon (the note column's) and tooltip."""
    key = COLUMNS[section][0]
    if role == Qt.ItemDataRole.DisplayRole:
        return None if key == "note" else COLUMNS[section][1]
    if role == Qt.ItemDataRole.DecorationRole:
        return icon("note") if key == "note" else None
    if role == Qt.ItemDataRole.ToolTipRole:
        return {"starred": "Starred", "read": "Unread", "note": "Has a note (not sortable)"}.get(key, COLUMNS[section][1])
    return None


def sortable(column: int) -> bool:
    """Whether clicking the column's header may sort by it."""
    return 0 <= column < len(COLUMNS) and bool(COLUMNS[column][2])


PAGE_SIZE = 200
#: Rows of a view read before the table first paints it: a screenful, even a tall one.  The
#: rest of the first page is read when shown (a walk of the sort index asking the search
#: index about each paper costs in proportion: 64 rows took a third of 200's time).
FIRST_ROWS = 64
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
_NO_ROLES = frozenset({int(Qt.ItemDataRole.CheckStateRole), int(Qt.ItemDataRole.BackgroundRole)})
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
# The roles a repaint asks for, as plain ints: comparing with the enum members (and ORing
# flags) goes through Python's enum code, several microseconds of each of ~3,000 calls.
_DISPLAY, _EDIT, _DECORATION = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.EditRole), int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND, _ALIGNMENT = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.TextAlignmentRole)


def _authors_text(r: PageRow) -> str:
    """"Kingma & Ba", "Kingma et al." (``names.short_authors``); the tool tip names them all."""
    return short_authors((r.first_author, r.second_author), bool(r.et_al), r.n_authors)


def _all_authors(lib: Any, r: PageRow, most: int = 50) -> str:
    """The author column's tool tip: the authors in full (the row holds two; a longer list
    is read on hover), the first ``most`` of a very long one."""
    p = lib.get(r.id) if (r.n_authors or 0) > 2 else None
    names = p.authors if p is not None else [a for a in (r.first_author, r.second_author) if a]
    more = f", … ({len(names)} authors)" if len(names) > most else ""
    return ", ".join(names[:most]) + more + (" et al." if r.et_al else "")


def plain_tooltip(text: str) -> str:
    """A tool tip that shows text literally: escaped, so Qt never interprets markup."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


class PaperTableModel(QAbstractTableModel):
    """The rows of the current view.  The view is compiled once when it changes
    (``Library.compile``): its first page, its count, its note marks and its
    hint all come from that one object."""

    countChanged = Signal(int)
    editFailed = Signal(str)
    edited = Signal(int)  # paper id

    def __init__(self, session: LibrarySession, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._view = View()
        self._compiled: CompiledView = session.lib.compile(self._view)
        self._count = 0
        self._pages: OrderedDict[int, list[PageRow]] = OrderedDict()
        #: the first page while it holds only the rows read before the first paint (``FIRST_ROWS``)
        self._first_only: list[PageRow] | None = None
        self._last: tuple[int, list[PageRow]] = (-1, [])  # the page read last
        self._colors: dict[str, str] = {}
        self._note_hits: set[int] = set()
        self._tags: dict[int, list[str]] = {}  # tags of painted papers, until the rows change
        self.hint: str | None = None
        #: the search could not run (SQLite refused it): said under the box, no rows
        self.error: str | None = None
        self.count_pending = False
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self.finish_count)
        self._generation = 0
        self.reload()

    @property
    def lib(self) -> Any:
        return self.session.lib

    # ------------------------------------------------------------- the view
    @property
    def view(self) -> View:
        return self._view

    @property
    def compiled(self) -> CompiledView:
        return self._compiled

    def set_view(self, view: View) -> None:
        self._view = view
        self.reload()

    def reload(self) -> None:
        """Re-query after a change: the first page now, the full count right after.

        The first page is all the table needs to paint; counting every match of
        a short prefix in a big library can take longer, so it runs from the
        event loop once the first page is on screen (rows are then appended),
        on the worker thread in a big library.
        """
        self.beginResetModel()
        self._generation += 1
        self._forget_rows()
        self._colors = self.lib.tag_colors()
        self._compiled = self.lib.compile(self._view)
        self.hint = self._compiled.hint
        self._note_hits = set()
        self.error = None
        try:
            first = self.lib.page(self._compiled, 0, FIRST_ROWS)
        except RefManagerError as e:
            self.error, first = str(e), []
        self._pages[0] = first
        self._first_only = first
        self._last = (0, first)
        if self._compiled.fts:
            self._mark_note_hits(first)
        self._count = len(first)
        self.endResetModel()
        if len(first) < FIRST_ROWS:
            self.count_pending = False
            self.countChanged.emit(self._count)
            return
        self.count_pending = True
        if self.session.big:
            # Once the first page is painted (the posted paint comes before a zero timer): the
            # worker thread counting meanwhile took CPU and the interpreter from the paint.
            gen, cv = self._generation, self._compiled
            QTimer.singleShot(0, self, lambda: self._count_in_worker(gen, cv))
        else:
            self._count_timer.start()

    def _count_in_worker(self, gen: int, cv: CompiledView) -> None:
        if gen == self._generation:
            self.session.run(
                lambda lib: lib.count(cv), lambda n: self._count_ready(gen, n),
                wanted=lambda: self._generation == gen, on_error=lambda e: self._count_failed(gen, e),
            )

    def _count_ready(self, gen: int, n: int) -> None:
        if gen == self._generation and self.count_pending:
            self._apply_count(n)

    def _count_failed(self, gen: int, e: RefManagerError) -> None:
        if gen == self._generation:
            self.error = str(e)
            self.count_pending = False
            self.countChanged.emit(self._count)

    def finish_count(self) -> None:
        """Count now (synchronously) if the count is still pending."""
        self._count_timer.stop()
        if self.count_pending:
            try:
                n = self.lib.count(self._compiled)
            except RefManagerError as e:
                self._count_failed(self._generation, e)
                return
            self._apply_count(n)

    @property
    def generation(self) -> int:
        """Changes with every reload: an answer for an older one is stale."""
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

    def _page(self, page_no: int) -> list[PageRow]:
        return self._read(page_no * PAGE_SIZE, PAGE_SIZE)

    def _read(self, offset: int, limit: int) -> list[PageRow]:
        try:
            return self.lib.page(self._compiled, offset, limit)
        except RefManagerError as e:  # (the first page of this view ran: hardly ever)
            log.warning("rows %d-%d not read: %s", offset, offset + limit - 1, e)
            return []

    def _row(self, row: int) -> PageRow | None:
        page_no, i = divmod(row, PAGE_SIZE)
        last_no, page = self._last
        if page_no == last_no and i < len(page):  # (a repaint asks ~1,500 times, nearly always of one page)
            return page[i]
        page = self._pages.get(page_no)
        if page is not None and page is self._first_only and i >= len(page):
            # The first rows of a view only (``FIRST_ROWS``): the rest of the page is read after
            # them, so that a row already shown stays the paper it was (the library may have
            # changed since: the watcher reloads the view).
            first, self._first_only = page, None
            rest = self._read(len(first), PAGE_SIZE - len(first))
            if self._compiled.fts:
                self._mark_note_hits(rest)
            page = first + rest
            self._pages[0] = page
            self._last = (0, page)
            return page[i] if i < len(page) else None
        if page is None:
            page = self._page(page_no)
            self._pages[page_no] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
            if self._compiled.fts:
                self._mark_note_hits(page)
        else:
            self._pages.move_to_end(page_no)
        self._last = (page_no, page)
        return page[i] if i < len(page) else None

    def _mark_note_hits(self, page: list[PageRow]) -> None:
        """Which papers of a page match in their note.  In a big library from the
        worker thread: a long prefix ("model") costs the FTS index as much again
        as the page itself, and the table need not wait for the marks."""
        ids = [r.id for r in page if r.has_note]
        if not ids:
            return
        cv = self._compiled
        if not self.session.big:
            try:
                self._note_hits |= self.lib.note_hits(cv, ids)
            except RefManagerError as e:
                log.warning("note marks not read: %s", e)
            return
        gen = self._generation

        def ask() -> None:  # (after the paint, as the count)
            if gen == self._generation:
                self.session.run(lambda lib: lib.note_hits(cv, ids), lambda hits: self._notes_ready(gen, hits),
                                 wanted=lambda: self._generation == gen)

        QTimer.singleShot(0, self, ask)

    def _notes_ready(self, gen: int, hits: set[int]) -> None:
        if gen == self._generation and hits:
            self._note_hits |= hits
            if self._count:
                col = COL["title"]
                self.dataChanged.emit(self.index(0, col), self.index(self._count - 1, col))

    def paper_id(self, row: int) -> int | None:
        r = self._row(row) if 0 <= row < self._count else None
        return r.id if r else None

    def ids_in_rows(self, top: int, bottom: int) -> list[int]:
        """Paper ids of rows top..bottom: cached pages when loaded, else one id-only query."""
        out: list[int] = []
        row = top
        while row <= bottom:
            page_no, i = divmod(row, PAGE_SIZE)
            page = self._pages.get(page_no)
            end = min(bottom, (page_no + 1) * PAGE_SIZE - 1)
            if page is not None and (page is not self._first_only or i + end - row < len(page)):
                out.extend(r.id for r in page[i : i + end - row + 1])
            else:
                out.extend(self.lib.ids(self._compiled, limit=end - row + 1, offset=row))
            row = end + 1
        return out

    def row_of(self, pid: int) -> int | None:
        for page_no, page in self._pages.items():
            for i, r in enumerate(page):
                if r.id == pid:
                    return page_no * PAGE_SIZE + i
        return self.lib.row_of(self._compiled, pid)

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return _header_data(section, role) if orientation == Qt.Orientation.Horizontal else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS[index.column()]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or COLUMNS[index.column()][0] != "title":
            return False
        pid = self.paper_id(index.row())
        if pid is None:
            return False
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
        if role == _ALIGNMENT:
            return _CENTRED if key in _MARKS or key == "year" else None
        if (role == _DECORATION and key not in ("title", "note")) or (
            role == _FOREGROUND and key not in ("starred", "read", "title")
        ):
            return None
        r = self._row(index.row())
        if r is None:
            return None
        pid = r.id
        if role == _DISPLAY:
            if key == "title":
                if r.title:
                    return r.title
                return "[no title] " + opening_words(r.abstract_head, 10) + "…"
            if key == "authors":
                if not r.first_author:
                    return ""
                return _authors_text(r)
            if key == "year":
                return str(r.year) if r.year else ""
            if key == "date":
                return r.date or ""
            if key == "category":
                return r.category or ""
            if key == "tags":
                return r.tags_text
            if key == "added":
                return (r.added_at or "")[:10]
            if key == "starred":
                return "★" if r.starred else ""
            if key == "read":
                return "" if r.read else "●"
            if key in _RECORD_CELLS:
                v = getattr(r, _RECORD_CELLS[key])
                return (TYPES.get(v, v) if key == "type" else v) or ""
            return None
        if role == _EDIT:
            return (r.title or "") if key == "title" else None
        if role == IdRole:
            return pid
        if role == TagsRole:
            if not r.tags_text:
                return []
            tags = self._tags.get(pid)
            if tags is None:
                if len(self._tags) > 10_000:
                    self._tags.clear()  # (bounded: scrolling far paints many pages)
                # the tags of the page's tagged papers, with one query (a repaint asks for each row)
                page = self._pages.get(index.row() // PAGE_SIZE) or [r]
                self._tags.update(self.lib.tags_of([x.id for x in page if x.tags_text]))
                tags = self._tags.setdefault(pid, self.lib.tags_of([pid])[pid])
            return tags
        if role == NoteHitRole:
            return pid in self._note_hits
        if role == _DECORATION:
            if key == "title" and pid in self._note_hits:
                return icon("note")  # the search matched this paper's note
            if key == "note" and r.has_note:
                return icon("note")
            return None
        if role == Qt.ItemDataRole.FontRole:
            return _font(not r.read, key == "title" and not r.title)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "title":
                text = r.title or (r.abstract_head or "")
                if pid in self._note_hits:
                    text += "\n(the search matches this paper's note)"
                return plain_tooltip(text)
            if key == "authors" and r.first_author:
                return plain_tooltip(_all_authors(self.lib, r))
            if key == "tags" and r.tags_text:
                return plain_tooltip(r.tags_text)
            if key == "starred":
                return "Starred" if r.starred else None
            if key == "read":
                return None if r.read else "Unread"
            if key == "note":
                return "Has a note" if r.has_note else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "starred":
                return _brush("#e0a100")
            if key == "read":
                return QBrush(QApplication.palette().color(QPalette.ColorRole.Highlight))
            if key == "title" and r.needs_review:
                return _brush("#c05800")
            return None
        return None

    def tag_color(self, name: str) -> str | None:
        return self._colors.get(name.casefold())

    def sort_column(self) -> int:
        """The column the view is sorted by (-1: a sort no column shows)."""
        return next((i for i, (_, _, k) in enumerate(COLUMNS) if k == self._view.sort), -1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not sortable(column):
            return  # (the header's indicator is put back: ``window_parts``)
        self._view = replace(
            self._view,
            sort=COLUMNS[column][2],
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        self.layoutAboutToBeChanged.emit()
        self._compiled = self.lib.compile(self._view)  # (same rows, another order)
        self._forget_rows()
        self.layoutChanged.emit()
