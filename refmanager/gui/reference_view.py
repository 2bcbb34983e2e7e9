"""The detail pane's "Reference" section: the paper as the chosen citation style formats it.

The only label of the pane in rich text: ``core.cite`` escapes every value of the paper
(a title ``<img src=x>`` arrives as ``&lt;img src=x&gt;``), and the label opens no link
and loads no resource.  A style that cannot be rendered shows its message as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from .plain import plain_label
from .table_model import plain_tooltip


class ReferenceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.heading = plain_label("Reference")
        f = self.heading.font()
        f.setBold(True)
        self.heading.setFont(f)
        self.text = QLabel()
        self.text.setAccessibleName("Reference")
        self.text.setWordWrap(True)
        self.text.setOpenExternalLinks(False)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay.addWidget(self.heading)
        lay.addWidget(self.text)
        self.html = ""

    def show_reference(self, html: str, style_title: str) -> None:
        """``html`` from ``core.cite`` (user text escaped there)."""
        self.html = html
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setText(html)
        self.text.setToolTip(plain_tooltip(f"{style_title} (Preferences choose the style)"))

    def show_problem(self, message: str) -> None:
        self.html = ""
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setText(message)
        self.text.setToolTip("")
