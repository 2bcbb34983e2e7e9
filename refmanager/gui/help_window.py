"""Help → Search syntax and shortcuts: the search language and every keyboard shortcut.

Both are generated, so they cannot drift from what the app does: the search language
from ``core/search.py`` (its module docstring's examples, and a line for any qualifier of
``QUALIFIERS`` the examples do not show), the shortcuts from the action table
(``actions.MENUS``, the one place menus and shortcuts are made).  The few keys that are no
menu entry (Enter in the table, F2, Esc...) are listed in ``OTHER_KEYS``.

The window is not modal: it stays open beside the table while the user types a search.
"""

from __future__ import annotations

import html
import logging
import re

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from ..core import search
from .actions import MENUS, Act

log = logging.getLogger(__name__)

TITLE = "Search syntax and shortcuts"

#: Keys handled by widgets, not by the menus: (where, key, what).  Each names the code that
#: handles it (``window_parts.PaperTable.keyPressEvent``, the table's edit trigger,
#: ``WindowParts.search_esc``, ``editor.FieldLine``/``FieldText``).
OTHER_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Paper table", "Enter", "Open the paper on arXiv (double-click too)"),
    ("Paper table", "F2", "Edit the title in the table"),
    ("Paper table", "Ctrl+V", "Import listings from the clipboard"),
    ("Search box", "Esc", "Clear the search"),
    ("Edit form", "Enter", "Save the field (leaving it saves too)"),
    ("Edit form", "Esc", "Put the field back as it was"),
    ("Edit form", "Ctrl+Enter", "Save the abstract"),
)


def search_examples() -> list[str]:
    """The search language, one example a line: the indented block of ``core/search.py``'s
    docstring, then any qualifier it does not show (``QUALIFIERS`` is what the parser takes)."""
    lines: list[str] = []
    for line in (search.__doc__ or "").splitlines()[1:]:
        if line.startswith("    "):
            lines.append(line[4:])
        elif lines and line.strip():
            break  # (the prose after the examples is about the implementation)
    shown = "\n".join(lines)
    for q in search.QUALIFIERS:
        if f"{q}:" not in shown:
            log.warning("core/search.py's docstring shows no example of %s:", q)
            lines.append(f"{q}:value".ljust(24) + f"(see {q}: in the search box's hints)")
    return lines


def search_rows() -> list[tuple[str, str]]:
    """The examples as (what to type, what it finds): the docstring's two columns are
    parted by three spaces or more; an indented line goes on the line before."""
    rows: list[tuple[str, str]] = []
    for line in search_examples():
        if line.startswith(" ") and rows:
            rows[-1] = (rows[-1][0], (rows[-1][1] + " " + line.strip()).strip())
            continue
        typed, found = (re.split(r"\s{3,}", line.strip(), maxsplit=1) + [""])[:2]
        rows.append((typed, found))
    return rows


def plain_text(text: str) -> str:
    """A menu text as shown: no mnemonic ('&&' is a literal '&')."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def key_of(action: str) -> str:
    """The shortcut of the action table's entry ``action``, as shown ("" when it has none)."""
    for _, entries in MENUS:
        for e in entries:
            if isinstance(e, Act) and e.key == action and e.shortcut is not None:
                return QKeySequence(e.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
    return ""


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(menu, entry, key) for every entry of ``actions.MENUS`` that has a shortcut, in menu order."""
    rows: list[tuple[str, str, str]] = []
    for title, entries in MENUS:
        for e in entries:
            if isinstance(e, Act) and e.shortcut is not None:
                key = key_of(e.key)
                if not key:
                    continue  # (a standard key this platform does not bind)
                text = plain_text(e.text) + (" (in the paper table)" if e.scope == "table" else "")
                rows.append((plain_text(title), text, key))
    return rows


def help_html() -> str:
    """The window's page: every text escaped (nothing here is markup but the page's own)."""
    esc = html.escape
    out = [
        "<h2>Search</h2>",
        (f"<p>Type in the search box above the table ({esc(key_of('find'))}). Everything typed must "
         "match: words, phrases and qualifiers combine.</p>"),
        "<table cellspacing='0' cellpadding='3'>",
        *(f"<tr><td style='padding-right:16px'><code>{esc(typed)}</code></td><td>{esc(found)}</td></tr>"
          for typed, found in search_rows()),
        "</table>",
        "<p>What the search cannot use is said under the box.</p>",
        "<h2>Keyboard shortcuts</h2>",
        "<table cellspacing='0' cellpadding='3'>",
    ]
    menu = None
    for m, text, key in shortcut_rows():
        if m != menu:
            out.append(f"<tr><td colspan='2'><b>{esc(m)}</b></td></tr>")
            menu = m
        out.append(f"<tr><td style='padding-right:24px'><code>{esc(key)}</code></td><td>{esc(text)}</td></tr>")
    where = None
    for w, key, text in OTHER_KEYS:
        if w != where:
            out.append(f"<tr><td colspan='2'><b>{esc(w)}</b></td></tr>")
            where = w
        out.append(f"<tr><td style='padding-right:24px'><code>{esc(key)}</code></td><td>{esc(text)}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


class HelpWindow(QDialog):
    """The search language and the shortcuts, in a window the user may keep open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HelpWindow")
        self.setWindowTitle(TITLE)
        self.setModal(False)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(TITLE)
        self.browser.setHtml(help_html())
        lay.addWidget(self.browser)
        self.resize(680, 720)


def show_help(parent: QWidget) -> HelpWindow:
    """Show the window (one per main window: shown again and raised if already made)."""
    win = parent.findChild(HelpWindow)
    if win is None:
        win = HelpWindow(parent)
    win.show()
    win.raise_()
    win.activateWindow()
    return win
