"""File → Export bibliography…: which papers, which format (``dialogs.bibliography_options``)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from .plain import plain_label

#: (value, label) of each output format
FORMATS = (("html", "HTML"), ("markdown", "Markdown"), ("text", "Plain text"))


class BibliographyDialog(QDialog):
    def __init__(self, scopes: list[tuple[str, str]], style_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export bibliography")
        form = QFormLayout(self)
        self.scope = QComboBox()
        for value, label in scopes:
            self.scope.addItem(label, value)
        self.format = QComboBox()
        for value, label in FORMATS:
            self.format.addItem(label, value)
        self.scope.setAccessibleName("Papers")
        self.format.setAccessibleName("Format")
        form.addRow("Papers", self.scope)
        form.addRow("Format", self.format)
        style = plain_label(f"{style_title} (Preferences choose the style)")
        style.setWordWrap(True)
        form.addRow("Style", style)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def choice(self) -> tuple[str, str]:
        return str(self.scope.currentData()), str(self.format.currentData())
