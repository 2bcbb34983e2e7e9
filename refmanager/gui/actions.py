"""Every menu item and shortcut of the window, as one table.

``MENUS`` lists each menu's entries in order: an ``Act`` (key, text, the slot
as "controller.method" on the window, shortcut, icon), ``SEP``, or a
``Submenu`` filled by a method (once, or each time it opens).  ``build_menus``
makes the actions (``window.actions[key]``) and the menu bar from it;
the table's context menu (``TABLE_MENU``) reuses the same actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from .icons import icon

Shortcut = str | QKeySequence.StandardKey | None
SK = QKeySequence.StandardKey


@dataclass(frozen=True)
class Act:
    key: str
    text: str
    slot: str
    shortcut: Shortcut = None
    icon: str | None = None
    #: "table": the shortcut works only while the paper table has focus (single letters)
    scope: str | None = None
    #: a setting shown as a check mark (the slot reads ``isChecked()``)
    checkable: bool = False


@dataclass(frozen=True)
class Submenu:
    key: str
    text: str
    #: "controller.method" called with the QMenu to fill it
    fill: str
    #: filled each time it opens (else once, when the menus are built)
    dynamic: bool = False


SEP = None
Entry = Act | Submenu | None

MENUS: tuple[tuple[str, tuple[Entry, ...]], ...] = (
    ("&File", (
        Act("import", "&Import…", "imports.import_dialog", SK.Open, "import"),
        # its text names the collection shown: Import into "Thesis"… (collections_controller)
        Act("import_into", "Import into collection…", "collections.import_into_dialog"),
        Act("paste", "Import from clipboard", "imports.paste", "Ctrl+Shift+V"),
        SEP,
        Act("new_collection", "New &collection…", "collections.new_collection_dialog", "Ctrl+Shift+N", "folder"),
        SEP,
        Act("new_library", "&New library…", "files.new_library_dialog", SK.New),
        Act("open_library", "Open &library…", "files.open_library_dialog", "Ctrl+Shift+O"),
        Submenu("recent", "Open &recent", "files.fill_recent_menu", dynamic=True),
        Act("save_as", "Save library &as…", "files.save_as_dialog"),
        SEP,
        Submenu("export", "&Export", "exports.fill_export_menu"),
        Act("export_bibliography", "Export bibliograph&y…", "cites.export_dialog"),
        SEP,
        Act("backup", "&Back up now", "files.backup_now"),
        Act("restore_backup", "Restore a bac&kup…", "files.restore_backup_dialog"),
        SEP,
        Act("prefs", "&Preferences…", "preferences_dialog", "Ctrl+,"),
        SEP,
        Act("quit", "&Quit", "close", SK.Quit),
    )),
    ("&Edit", (
        Act("undo", "&Undo", "marking.undo", SK.Undo, "undo"),
        Act("redo", "&Redo", "marking.redo", "Ctrl+Shift+Z", "redo"),
        SEP,
        Act("copy_bibtex", "Copy citation as &BibTeX", "exports.copy_bibtex", "Ctrl+Shift+C"),
        # in the citation style of Preferences (core/cite.py): plain text and HTML
        Act("copy_citation", "Copy &citation", "cites.copy_citation", "Ctrl+Alt+Shift+C"),
        Act("copy_reference", "Copy b&ibliography", "cites.copy_bibliography", "Ctrl+Alt+C"),
        SEP,
        Act("find", "&Find", "view.focus_search", SK.Find, "search"),
        Act("save_search", "Sa&ve search…", "collections.save_search_dialog", None, "saved-search"),
        Act("select_all", "Select &all", "table.selectAll", SK.SelectAll),
        SEP,
        Act("tag", "Add &tag…", "marking.tag_dialog", "Ctrl+T", "tag"),
        Act("untag", "Remove tag…", "marking.untag_dialog", "Ctrl+Shift+T"),
        Act("remove_from_collection", "Remove from collection", "collections.remove_selected"),
        SEP,
        Act("merge", "&Merge papers…", "papers.merge_selected", "Ctrl+Shift+M"),
        Act("duplicates", "Find &duplicates…", "papers.find_duplicates_dialog"),
        SEP,
        Act("trash", "Move to &trash", "marking.trash_selected", SK.Delete, "trash"),
        Act("restore", "Restore from trash", "marking.restore_selected", "Ctrl+Shift+R", "restore"),
        Act("empty_trash", "Empty trash…", "marking.empty_trash"),
    )),
    ("&View", (
        Act("clear_search", "Clear search", "view.clear_search"),
        Act("subcollections", "Show papers of s&ubcollections", "collections.toggle_subcollections", checkable=True),
        # a word matches a paper whose record or attached PDFs have it (fulltext_controller.py)
        Act("search_fulltext", "Search full &text too", "fulltext.toggle", checkable=True),
        Submenu("columns", "Columns", "fill_columns_menu", dynamic=True),
    )),
    ("&Paper", (
        Act("open", "Open on &arXiv", "papers.open_on_arxiv", "Ctrl+Return", "open"),
        # the attached PDF in the reader beside the library, else arXiv's (gui/reader/controller.py)
        Act("pdf", "Open &PDF", "reader.open_pdf", "Ctrl+Shift+P", "pdf"),
        Act("pdf_external", "Open PDF in the system's viewer", "papers.open_pdf"),
        SEP,
        Act("edit", "&Edit paper", "papers.toggle_edit", "Ctrl+Shift+E", "note"),
        Act("attach", "Attach &file…", "papers.attach_dialog", "Ctrl+Shift+A"),
        Act("split", "S&plit merged paper", "papers.split_selected"),
        Act("accept_review", "Accept title/author split", "papers.accept_review"),
        Act("regenerate_key", "Regenerate citation &key", "papers.regenerate_keys"),
        SEP,
        Act("find_arxiv", "Find on arXiv", "lookups.find_on_arxiv", "Ctrl+L", "search"),
        Act("fetch_ids", "Fetch missing arXiv ids…", "lookups.fetch_missing_ids"),
        # download the selected papers' arXiv PDFs and attach them (gui/pdf_controller.py)
        Act("fetch_pdf", "Fetch arXiv P&DF", "imports.pdfs.fetch_selected"),
        SEP,
        Act("toggle_read", "Toggle &read", "marking.toggle_read", "M", "unread", scope="table"),
        Act("toggle_star", "Toggle &star", "marking.toggle_star", "S", "star", scope="table"),
    )),
    ("&Help", (
        # the search language and this table's shortcuts, generated (help_window.py)
        Act("help", "&Search syntax and shortcuts", "show_help", SK.HelpContents),
        SEP,
        Act("about", "&About refmanager", "about"),
    )),
)

#: The paper table's context menu: action keys, None for a separator; "trash" becomes
#: "restore" in the trash.
TABLE_MENU: tuple[str | None, ...] = (
    "open", "pdf", "find_arxiv", "copy_bibtex", "copy_citation", "copy_reference", None,
    "tag", "untag", "remove_from_collection", "toggle_read", "toggle_star", None,
    "edit", "attach", "fetch_pdf", "merge", "split", None,
    "trash",
)


def slot_of(window: Any, path: str) -> Callable[[], Any]:
    """``"imports.import_dialog"`` -> ``window.imports.import_dialog``."""
    target = window
    for part in path.split("."):
        target = getattr(target, part)
    return target


def make_action(window: QMainWindow, spec: Act, icons: list[tuple[QAction, str]]) -> QAction:
    a = QAction(spec.text, window)
    a.setCheckable(spec.checkable)
    if spec.icon:
        a.setIcon(icon(spec.icon))
        icons.append((a, spec.icon))
    if spec.shortcut is not None:
        a.setShortcut(QKeySequence(spec.shortcut))
    a.triggered.connect(lambda _=False, path=spec.slot: window.guarded(slot_of(window, path))())
    return a


def build_menus(window: Any) -> None:
    """The menu bar from ``MENUS``: the actions go into ``window.actions`` by key, the
    (action, icon name) pairs to re-tint when the palette changes into ``window.action_icons``."""
    actions: dict[str, QAction] = window.actions
    icons: list[tuple[QAction, str]] = window.action_icons
    for title, entries in MENUS:
        menu = window.menuBar().addMenu(title)
        for e in entries:
            if e is None:
                menu.addSeparator()
            elif isinstance(e, Submenu):
                sub = menu.addMenu(e.text)
                fill = slot_of(window, e.fill)
                if e.dynamic:
                    sub.aboutToShow.connect(lambda sub=sub, fill=fill: fill(sub))
                else:
                    fill(sub)
                window.submenus[e.key] = sub
            else:
                a = actions[e.key] = make_action(window, e, icons)
                menu.addAction(a)
                if e.scope == "table":
                    a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                    window.table.addAction(a)


def fill_table_menu(menu: QMenu, actions: dict[str, QAction], *, in_trash: bool) -> None:
    for key in TABLE_MENU:
        if key is None:
            menu.addSeparator()
        else:
            menu.addAction(actions["restore" if key == "trash" and in_trash else key])
