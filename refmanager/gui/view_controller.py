"""What the window shows: the view (the sidebar's place and tags, search box, sort), the
table's model, the selection, and the selected paper in the detail pane.

Other controllers change the library and then call ``refresh``; it reloads the
table and the sidebar, keeps the selection and says ``refreshed``.  The view follows
what it shows: a tag, collection or saved search renamed, moved or edited (by the
user, an undo, another program) is still shown under its new name; one deleted gives
All papers.  Tags are followed by their id (a rename keeps it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, QObject, Qt, QTimer, Signal

from ..core.errors import RefManagerError
from ..core.fields import Paper
from ..core.library import Collection, Library, SavedSearch, View
from .dragging import PaperDrag, papers_mime
from .session import LibrarySession
from .sidebar import Place
from .table_model import COL, COLUMNS, PaperTableModel
from .window_parts import WindowParts

log = logging.getLogger(__name__)

#: The search box waits this long after the last keystroke (decisions: at most 100 ms).  Long
#: enough for the box to show the key first and to take keys that arrive together (a paste, keys
#: typed while a query ran) as one query; any longer only delays the table (a first page takes
#: ~5-20 ms at 100,000 papers, and keystroke-to-table must stay under 50 ms).
SEARCH_DEBOUNCE_MS = 5
#: The app's setting: a collection shows its subcollections' papers too (View menu).
SUBCOLLECTIONS_KEY = "view/subcollections"


def setting_bool(value: object, default: bool) -> bool:
    """A QSettings value as a bool (an INI file gives back "true" and "false")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return default


def saved_counts(lib: Library, searches: list[SavedSearch]) -> dict[int, int | None]:
    """What each saved search finds now (None: its query cannot run)."""
    out: dict[int, int | None] = {}
    for s in searches:
        try:
            out[s.id] = lib.count(View(saved=s.query))
        except RefManagerError as e:
            log.info("saved search %r: %s", s.name, e)
            out[s.id] = None
    return out


class ViewController(QObject):
    #: the table, sidebar and detail pane were read again after a change
    refreshed = Signal()
    #: the detail pane shows one paper (its id) or none (None)
    paperShown = Signal(object)
    #: the view shows another place (section, collection, saved search), or one renamed
    placeChanged = Signal()

    def __init__(self, window: WindowParts, session: LibrarySession) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.table = window.table
        self.detail = window.detail
        self.sidebar = window.sidebar
        self.model = PaperTableModel(session, window)
        self.table.setModel(self.model)
        #: a collection shows its subcollections' papers too (View → Show papers of subcollections)
        self.subcollections = setting_bool(window.settings.value(SUBCOLLECTIONS_KEY, True), True)
        self.sidebar.set_subcollections(self.subcollections)
        if not self.subcollections:
            self.model.set_view(replace(self.model.view, subcollections=False))
        #: the saved search shown (its id; the view holds its query)
        self.saved_id: int | None = None
        #: the id of each tag the view filters by (a rename keeps it: the view follows)
        self._tag_ids: dict[str, int | None] = {}
        self.drag = PaperDrag(self.table, self.selection_mime)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.search_timer.timeout.connect(self.apply_search)
        window.search.textChanged.connect(lambda _t: self.search_timer.start())
        window.search.returnPressed.connect(self.apply_search)
        self.sidebar.filterChanged.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self.show_selection)
        self.model.countChanged.connect(lambda _n: self.update_status())
        self.model.modelReset.connect(self.show_selection)
        self.model.edited.connect(lambda _pid: self.refresh())
        session.libraryChanged.connect(self._library_changed)

    @property
    def lib(self) -> Any:
        return self.session.lib

    # -------------------------------------------------------------- views
    def _filter_changed(self, place: Place) -> None:
        """The user picked a place (and tags) in the sidebar."""
        saved = ""
        if place.saved is not None:
            s = self.lib.saved_searches.get(place.saved)
            if s is None:  # (deleted elsewhere, not yet seen)
                self.refresh()
                return
            saved = s.query
        self.saved_id = place.saved
        self._tag_ids = {t: self.lib.tags.find(t) for t in place.tags}
        self.model.set_view(replace(self.model.view, section=place.section, tags=tuple(place.tags),
                                    collection=place.collection, subcollections=self.subcollections, saved=saved))
        self.after_view_change()
        self.placeChanged.emit()

    @property
    def place(self) -> Place:
        """What the view shows, as the sidebar selects it."""
        v = self.model.view
        return Place(section=v.section, collection=v.collection, saved=self.saved_id, tags=v.tags)

    def current_collection(self) -> Collection | None:
        """The collection shown (None: the view shows no collection)."""
        cid = self.model.view.collection
        return self.lib.collections.get(cid) if cid is not None else None

    def set_subcollections(self, on: bool) -> None:
        """A collection shows its subcollections' papers too, or only its own (remembered)."""
        self.subcollections = on
        self.window.settings.setValue(SUBCOLLECTIONS_KEY, on)
        self.sidebar.set_subcollections(on)
        if self.model.view.subcollections != on:
            self.model.set_view(replace(self.model.view, subcollections=on))
            self.after_view_change()

    def _followed(self, v: View) -> View:
        """The view after a change: what it showed, under its name now; a collection or
        saved search deleted gives All papers; a tag deleted no longer narrows it."""
        lib = self.lib
        saved = lib.saved_searches.get(self.saved_id) if self.saved_id is not None else None
        if (v.collection is not None and lib.collections.get(v.collection) is None) or (
                self.saved_id is not None and saved is None):
            self.saved_id, self._tag_ids = None, {}
            return replace(v, section="all", tags=(), collection=None, saved="")
        tags: dict[str, int | None] = {}
        for t in v.tags:
            tid = self._tag_ids.get(t)
            name = lib.tags.name_of(tid) if tid is not None else (t if lib.tags.find(t) is not None else None)
            if name is not None:
                tags[name] = tid
        self._tag_ids = tags
        return replace(v, tags=tuple(tags), saved=saved.query if saved is not None else v.saved)

    def focus_search(self) -> None:
        self.window.search.setFocus()
        self.window.search.selectAll()

    def clear_search(self) -> None:
        self.window.search.clear()
        self.apply_search()
        self.table.setFocus()

    def apply_search(self) -> None:
        self.search_timer.stop()
        text = self.window.search.text()
        if text == self.model.view.search:
            return
        self.model.set_view(replace(self.model.view, search=text))
        self.after_view_change()

    def after_view_change(self) -> None:
        """The hint under the search box: what the search could not use, or why it failed."""
        m = self.model
        hint = f"The search could not run: {m.error}" if m.error else m.hint
        self.window.hint.setText(hint or "")
        self.window.hint.setVisible(bool(hint))
        self.update_status()

    def update_status(self) -> None:
        n = self.model.rowCount()
        m = self.selected_count() if self.table.selectionModel() else 0
        self.window.status_label.setText(f"{n:,} paper{'s' if n != 1 else ''} · {m:,} selected")

    def _library_changed(self) -> None:
        self.saved_id, self._tag_ids = None, {}
        self.sidebar.forget_library()
        self.model.set_view(View(sort=self.model.view.sort, descending=self.model.view.descending,
                                 subcollections=self.subcollections))
        self.sidebar.select_section("all")
        self.refresh(keep_selection=False)

    # ---------------------------------------------------------- selection
    def selected_ranges(self) -> list[tuple[int, int]]:
        """Selected rows as merged (top, bottom) ranges: cheap even for 100,000 rows."""
        spans = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_rows(self) -> list[int]:
        return [r for top, bottom in self.selected_ranges() for r in range(top, bottom + 1)]

    def selected_count(self) -> int:
        return sum(b - t + 1 for t, b in self.selected_ranges())

    def selected_ids(self) -> list[int]:
        out: list[int] = []
        for top, bottom in self.selected_ranges():
            out.extend(self.model.ids_in_rows(top, bottom))
        return out

    def ids_in(self, scope: str) -> list[int]:
        """The papers of ``scope``: "selection", "view" (what the table shows) or the library."""
        if scope == "selection":
            return self.selected_ids()
        if scope == "view":
            return self.lib.ids(self.model.compiled)
        if scope == "collection":  # what the collection shows, without the search box's words
            v = self.model.view
            if v.collection is None:
                return []
            return self.lib.ids(View(collection=v.collection, subcollections=v.subcollections, sort="added",
                                     descending=False))
        return self.lib.all_ids()

    def selection_mime(self) -> QMimeData | None:
        """What a drag of the selected rows carries (``dragging.papers_mime``); None: no rows."""
        ids = self.selected_ids()
        return papers_mime(str(self.lib.path), ids) if ids else None

    def current_paper(self) -> Paper | None:
        """The one selected paper (or, with none selected, the current row's)."""
        ids = self.selected_ids()
        if len(ids) != 1:
            idx = self.table.currentIndex()
            if not ids and idx.isValid():
                pid = self.model.paper_id(idx.row())
                return self.lib.get(pid) if pid is not None else None
            return None
        return self.lib.get(ids[0])

    def select_ids(self, ids: Sequence[int]) -> None:
        """Select papers by id: one lookup of their rows, one selection change.

        In a big library the lookup (and the view's count) runs on the worker
        thread: finding the rows of 100,000 new papers after an import takes
        a few hundred milliseconds, seconds at a million."""
        model = self.model
        if self.session.big and len(ids) > 1:
            cv, gen = model.compiled, model.generation
            self.session.run(
                lambda lib: (lib.count(cv), lib.row_ranges(cv, ids)),
                lambda result: self._selected_found(gen, *result),
                wanted=lambda: model.generation == gen,
            )
            return
        model.finish_count()
        if len(ids) == 1:
            row = model.row_of(ids[0])
            runs = [] if row is None else [(row, row)]
        else:
            runs = self.lib.row_ranges(model.compiled, ids)
        self.select_runs(runs)

    def _selected_found(self, gen: int, count: int, runs: list[tuple[int, int]]) -> None:
        if gen == self.model.generation:
            self.model.apply_count(count)
            self.select_runs(runs)

    def select_runs(self, runs: list[tuple[int, int]]) -> None:
        """Select rows given as (first, last) runs: one selection change."""
        sm = self.table.selectionModel()
        selection = QItemSelection()
        last_col = len(COLUMNS) - 1
        for top, bottom in runs:
            selection.select(self.model.index(top, 0), self.model.index(bottom, last_col))
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        if runs:
            first = self.model.index(runs[0][0], COL["title"])
            sm.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    # ---------------------------------------------------- the detail pane
    def show_selection(self, *_: Any) -> None:
        """The selected paper in the detail pane (several: the bulk actions)."""
        n = self.selected_count()
        if n == 1:
            ids = self.selected_ids()
            self.detail.show_papers(self.lib.get_many(ids), self.lib.tag_colors())
            if self.detail.paper is not None:
                self._show_extras(ids[0])
            self.paperShown.emit(ids[0])
        else:
            if n > 1:
                self.detail.show_many(n, trash=self.model.view.section == "trash")
            else:
                self.detail.show_papers([])
            self.paperShown.emit(None)
        self.update_status()

    def _show_extras(self, pid: int) -> None:
        try:
            review = self.lib.review_options(pid)
            history = self.history_lines(pid)
            attachments = self.lib.attachments(pid)
        except Exception:  # never let the detail pane fail on a paper
            log.exception("detail extras failed for %s", pid)
            review, history, attachments = None, [], []
        self.detail.set_extras(review, history, attachments)

    def history_lines(self, pid: int) -> list[str]:
        """Added from, merged with, edited: what the detail pane shows as history."""
        lines = []
        for s in self.lib.paper_sources(pid):
            where = Path(s["file"]).name if s["file"] else s["kind"]
            line = f", line {s['line']}" if s["line"] else ""
            lines.append(f"Added from {where}{line} ({(s['added_at'] or '')[:10]})")
        for m in self.lib.merge_history(pid):
            merged = ", ".join(str(i) for i in m["merged_ids"])
            lines.append(f"Merged with paper {merged} ({(m['at'] or '')[:10]})")
        p = self.lib.get(pid)
        if p and p.edited_fields:
            lines.append("Edited by you: " + ", ".join(f.replace("_", " ") for f in p.edited_fields))
        return lines

    # ------------------------------------------------------------ refresh
    def refresh(self, keep_selection: bool = True) -> None:
        """After a change: re-query the table, sidebar and detail pane."""
        ids = self.selected_ids() if keep_selection else []
        self.detail.flush_note()
        before = self.place
        self.model.set_view(self._followed(self.model.view))
        self.refresh_sidebar()
        self.sidebar.show_place(self.place)
        if self.place != before:
            self.placeChanged.emit()
        self.detail.set_tag_names(self.sidebar.tag_names())
        if ids:
            self.select_ids(ids)
        self.after_view_change()
        self.show_selection()
        self.refreshed.emit()

    def refresh_sidebar(self) -> None:
        """Tags, collections, saved searches and their counts now (small library), or the
        counts from the worker thread (big one)."""
        lib, sb = self.lib, self.sidebar
        searches = lib.saved_search_list()
        if not self.session.big:
            rows = lib.tag_counts()
            tree = lib.collection_tree()
            sb.show_tags([(name, color) for name, _, color in rows])
            sb.show_collections(tree)
            sb.show_saved(searches)
            self._sidebar_counted((lib.counts(), rows, tree, saved_counts(lib, searches)))
            return
        sb.show_tags(lib.tag_list())
        sb.show_collections(lib.collection_tree(counts=False))
        sb.show_saved(searches)
        self.session.run(lambda lib: (lib.counts(), lib.tag_counts(), lib.collection_tree(), saved_counts(lib, searches)),
                         self._sidebar_counted)

    def _sidebar_counted(self, result: tuple[dict[str, int], list[tuple[str, int, str | None]], list[Collection],
                                             dict[int, int | None]]) -> None:
        counts, tag_counts, tree, found = result
        self.sidebar.set_counts(counts)
        self.sidebar.set_tag_counts(tag_counts)
        self.sidebar.set_collection_counts(tree)
        self.sidebar.set_saved_counts(found)
