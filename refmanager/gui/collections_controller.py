"""Collections and saved searches in the window: the sidebar's menus on them, papers and
collections dropped in the sidebar, File → New collection… and Import into "X"…, View →
Show papers of subcollections, and Save search… (beside the search box and in the Edit
menu).

Every change is one ``Library`` method, so one undoable action (Edit → Undo takes it
back); the window then shows the library as it is (``ViewController.refresh``), and the
view follows what it showed (renamed, moved, edited) or falls back to All papers (deleted).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLineEdit, QMenu

from ..core import export
from ..core.library import Collection, SavedSearch
from ..core.store.collections import CollectionError
from . import dialogs
from .controller import Controller
from .export_controller import ExportController
from .import_controller import ImportController
from .plain import no_mnemonic
from .session import LibrarySession
from .view_controller import ViewController
from .window_parts import WindowParts

log = logging.getLogger(__name__)

#: A collection's name in a menu entry is cut to this many characters.
MENU_NAME_CHARS = 40


def _quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def _short(name: str) -> str:
    return name if len(name) <= MENU_NAME_CHARS else name[: MENU_NAME_CHARS - 1] + "…"


def _papers(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"


def search_term(qualifier: str, value: str) -> str | None:
    """``qualifier:"value"`` in the search language (None: a value with a double quote,
    which the language cannot hold)."""
    return None if '"' in value else f'{qualifier}:"{value}"'


class CollectionsController(Controller):
    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController,
                 imports: ImportController, exports: ExportController) -> None:
        super().__init__(window, session, view)
        self.imports = imports
        self.exports = exports
        #: a slot made safe (``MainWindow.guarded``: a refused command is a message, never a traceback)
        self.guard: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda fn: fn

    @property
    def lib(self) -> Any:
        return self.session.lib

    def setup(self, guard: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        """Once the menus exist: the sidebar's signals, the toggle's state, the search box's button."""
        self.guard = guard
        sb, w = self.window.sidebar, self.window
        sb.menuRequested.connect(self.context_menu)
        sb.papersDropped.connect(guard(self.add_dropped))
        sb.collectionDropped.connect(guard(self.move_collection))
        sb.inputsDropped.connect(guard(self.import_dropped))
        w.actions["subcollections"].setChecked(self.view.subcollections)
        w.search.addAction(w.actions["save_search"], QLineEdit.ActionPosition.TrailingPosition)
        w.search.textChanged.connect(lambda _t: self._update_save())
        self.view.placeChanged.connect(self.update_actions)
        self.update_actions()

    def update_actions(self) -> None:
        """Import into "X"… and Remove from "X" name the collection shown (without one: off)."""
        a = self.window.actions
        c = self.view.current_collection()
        a["import_into"].setEnabled(c is not None)
        a["import_into"].setText(f"Import into {no_mnemonic(_quoted(_short(c.name)))}…" if c else "Import into collection…")
        a["remove_from_collection"].setEnabled(c is not None)
        a["remove_from_collection"].setVisible(c is not None)  # (a table menu entry only in a collection)
        a["remove_from_collection"].setText(
            f"Remove from {no_mnemonic(_quoted(_short(c.name)))}" if c else "Remove from collection")
        self._update_save()

    def _update_save(self) -> None:
        """Save search… is on when the view has words or tags to save (at every keystroke: reads nothing)."""
        self.window.actions["save_search"].setEnabled(bool(self.window.search.text().strip() or self.view.model.view.tags))

    # --------------------------------------------------------- collections
    def _need(self, cid: int) -> Collection:
        c = self.lib.collections.get(cid)
        if c is None:
            raise CollectionError("This collection was deleted meanwhile (perhaps by another program).")
        return c

    def new_collection_dialog(self, parent: int | None = None) -> None:
        """A new collection (under ``parent``); the view stays where it is."""
        where = f" in {_quoted(self._need(parent).path)}" if parent is not None else ""
        name = dialogs.get_text(self.window, "New collection", f"Name of the new collection{where}:")
        if not name:
            return
        cid = self.lib.create_collection(name, parent)
        self.view.refresh()
        it = self.window.sidebar.collection_item(cid)
        if it is not None:
            self.window.sidebar.scrollToItem(it)
        self.status(f"New collection {_quoted(name.strip())}: drag papers onto it — Ctrl+Z to undo")

    def rename_collection_dialog(self, cid: int) -> None:
        c = self._need(cid)
        name = dialogs.get_text(self.window, "Rename collection", f"New name for {_quoted(c.path)}:", text=c.name)
        if name and name.strip() != c.name:
            self.lib.rename_collection(cid, name)
            self.view.refresh()

    def delete_collection(self, cid: int) -> None:
        """Delete a collection and its subcollections (their papers stay in the library);
        asks first when it holds papers or subcollections."""
        c = self._need(cid)
        subs = len(self.lib.collections.subtree(cid)) - 1
        papers = len(self.lib.collections.paper_ids(cid, subcollections=True))
        if subs or papers:
            held = []
            if subs:
                held.append(f"{subs} subcollection{'s' if subs != 1 else ''}")
            if papers:
                held.append(f"{_papers(papers)} (they stay in the library)")
            if not dialogs.confirm(self.window, "Delete collection",
                                   f"Delete the collection {_quoted(c.path)} with its {' and '.join(held)}? "
                                   "(Edit → Undo brings it back.)"):
                return
        self.lib.delete_collection(cid)
        self.view.refresh()
        self.status(f"Deleted the collection {_quoted(c.name)} — Ctrl+Z to undo", 5000)

    def move_collection(self, cid: int, parent: int | None) -> None:
        """A collection dropped on another (``parent``) or on the header (None: the top)."""
        c = self._need(cid)
        if parent == c.parent_id:
            return
        self.lib.move_collection(cid, parent)
        self.view.refresh()
        where = "the top" if parent is None else _quoted(self._need(parent).path)
        self.status(f"Moved {_quoted(c.name)} to {where} — Ctrl+Z to undo", 5000)

    def add_dropped(self, cid: int, found: tuple[str, list[int]]) -> None:
        """Papers dragged from the table onto a collection: added to it (one undoable action)."""
        library, ids = found
        if Path(library) != self.lib.path:
            self.status("Those papers are in another library: open it to file them", 6000)
            return
        c = self._need(cid)
        n = self.lib.add_to_collection(cid, ids)
        self.view.refresh()
        already = len(set(ids)) - n
        more = f" ({already:,} already in it)" if already else ""
        self.status(f"Added {_papers(n)} to {_quoted(c.name)}{more} — Ctrl+Z to undo", 5000)

    def remove_selected(self) -> None:
        """The selected papers out of the collection shown (they stay in the library)."""
        c, ids = self.view.current_collection(), self.view.selected_ids()
        if c is None or not ids:
            return
        n = self.lib.remove_from_collection(c.id, ids)
        self.view.refresh(keep_selection=False)
        self.status(f"Removed {_papers(n)} from {_quoted(c.name)} — Ctrl+Z to undo", 5000)

    def import_dropped(self, cid: int | None, md: Any) -> None:
        """Files or text dropped in the sidebar: on a collection, imported into it."""
        if cid is not None:
            self._need(cid)
        self.imports.import_mime(md, collection=cid)

    def import_into_dialog(self, cid: int | None = None) -> None:
        """File → Import into "X"…: files into the collection shown (or ``cid``)."""
        c = self._need(cid) if cid is not None else self.view.current_collection()
        if c is None:
            self.status("Select a collection to import into", 4000)
            return
        self.imports.import_into_dialog(c.id, c.name)

    def _show_collection(self, cid: int) -> None:
        """The collection shown, so the export controller's "collection" scope is it."""
        if self.view.model.view.collection != cid:
            self.window.sidebar.select_collection(cid)

    def export_collection(self, cid: int, fmt: str) -> None:
        self._need(cid)
        self._show_collection(cid)
        self.exports.export_dialog("collection", fmt)

    def copy_collection_bibtex(self, cid: int) -> None:
        self._need(cid)
        self._show_collection(cid)
        self.exports.copy_bibtex("collection")

    def toggle_subcollections(self) -> None:
        """View → Show papers of subcollections (the action's check mark is the setting)."""
        self.view.set_subcollections(self.window.actions["subcollections"].isChecked())

    # ------------------------------------------------------ saved searches
    def current_query(self) -> str:
        """What the view finds, in the search language: the saved search shown, the
        collection and tags it is narrowed to, and the search box's words.  (A section
        such as Starred has no term in the language: it is not part of it.)"""
        v = self.view.model.view
        parts = [v.saved.strip()] if v.saved.strip() else []
        c = self.view.current_collection()
        # (the path from the top, "/Thesis": a top-level collection's name may be another's deeper down)
        colls = [search_term("collection", "/" + c.path)] if c is not None else []
        for term in colls + [search_term("tag", t) for t in v.tags]:
            if term is not None:
                parts.append(term)
        if v.search.strip():
            parts.append(v.search.strip())
        return " ".join(parts)

    def save_search_dialog(self) -> None:
        """Save search…: what the view finds, under a name asked for (the view stays)."""
        if not (self.window.search.text().strip() or self.view.model.view.tags):
            self.status("Type a search (or pick tags) first: a saved search keeps what it finds", 5000)
            return
        self.view.apply_search()  # (words typed in the last few milliseconds count)
        query = self.current_query()
        name = dialogs.get_text(self.window, "Save search", f"Name for the search {query}:", text=self.window.search.text().strip())
        if not name:
            return
        self.lib.save_search(name, query)
        self.view.refresh()
        self.status(f"Saved the search {_quoted(name.strip())} — it is in the sidebar", 5000)

    def _need_saved(self, sid: int) -> SavedSearch:
        s = self.lib.saved_searches.get(sid)
        if s is None:
            raise CollectionError("This saved search was deleted meanwhile (perhaps by another program).")
        return s

    def edit_saved_query_dialog(self, sid: int) -> None:
        s = self._need_saved(sid)
        query = dialogs.get_text(self.window, "Edit saved search", f"Search of {_quoted(s.name)}:", text=s.query)
        if query and query.strip() != s.query:
            self.lib.update_saved_search(sid, query=query)
            self.view.refresh()

    def rename_saved_dialog(self, sid: int) -> None:
        s = self._need_saved(sid)
        name = dialogs.get_text(self.window, "Rename saved search", f"New name for {_quoted(s.name)}:", text=s.name)
        if name and name.strip() != s.name:
            self.lib.update_saved_search(sid, name=name)
            self.view.refresh()

    def delete_saved(self, sid: int) -> None:
        """Delete a saved search (no question: it is only a query, and Edit → Undo brings it back)."""
        s = self._need_saved(sid)
        self.lib.delete_saved_search(sid)
        self.view.refresh()
        self.status(f"Deleted the saved search {_quoted(s.name)} — Ctrl+Z to undo", 5000)

    # --------------------------------------------------------------- menus
    def menu_for(self, kind: str, key: Any) -> QMenu:
        """The sidebar's menu on a collection, a saved search, or the Collections header."""
        m = QMenu(self.window)

        def add(menu: QMenu, label: str, fn: Callable[..., Any], *args: Any) -> None:
            a = menu.addAction(label)
            a.triggered.connect(lambda _=False: self.guard(fn)(*args))

        if kind == "collection":
            c = self._need(key)
            add(m, "New subcollection…", self.new_collection_dialog, key)
            add(m, "Rename…", self.rename_collection_dialog, key)
            add(m, "Delete collection…", self.delete_collection, key)
            m.addSeparator()
            add(m, f"Import into {no_mnemonic(_quoted(_short(c.name)))}…", self.import_into_dialog, key)
            sub = m.addMenu("Export collection")
            for fmt, f in export.EXPORT_FORMATS.items():
                add(sub, f.label + "…", self.export_collection, key, fmt)
            add(m, "Copy BibTeX of the collection", self.copy_collection_bibtex, key)
        elif kind == "saved":
            self._need_saved(key)
            add(m, "Edit search…", self.edit_saved_query_dialog, key)
            add(m, "Rename…", self.rename_saved_dialog, key)
            add(m, "Delete saved search", self.delete_saved, key)
        elif kind == "saved-searches":
            m.addAction(self.window.actions["save_search"])
        else:
            add(m, "New collection…", self.new_collection_dialog)
        return m

    def context_menu(self, kind: str, key: Any, pos: QPoint) -> None:
        self.guard(self._exec_menu)(kind, key, pos)

    def _exec_menu(self, kind: str, key: Any, pos: QPoint) -> None:
        menu = self.menu_for(kind, key)  # (CollectionError: deleted meanwhile, said by the guard)
        try:
            menu.exec(pos)
        finally:
            menu.deleteLater()
