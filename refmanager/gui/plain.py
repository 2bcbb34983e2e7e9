"""User text (tag names, titles, file names, paths, error messages) shown as typed.

Qt reads some strings as more than text: a label or message box in ``AutoText``
renders anything that looks like HTML (``<img src=...>`` loads a local file), an
``&`` in a button, a menu entry or a buddied label is a mnemonic (it vanishes and
Alt+letter presses the widget), and ``[*]`` in a window title is the
"modified" placeholder.  These helpers make each of them literal.  (Tool tips:
``table_model.plain_tooltip``; the message boxes and input dialogs: ``dialogs``.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label whose text is never read as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(widget: QWidget) -> None:
    """Every label inside ``widget`` (a stock Qt dialog's) shows its text as plain text."""
    for label in widget.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)


def no_mnemonic(text: str) -> str:
    """Text for a button, menu entry or buddied label: each ``&`` shown, none a shortcut."""
    return text.replace("&", "&&")


def window_title(text: str) -> str:
    """Text for a window title: a ``[*]`` in it is shown, not taken for the modified mark."""
    return text.replace("[*]", "[*][*]")
