"""Every dialog the app shows, behind one seam that tests patch.

Each function blocks like the Qt static helpers it wraps and returns plain
Python values, so a test replaces it with a lambda.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QColorDialog, QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget

from .plain import make_plain, no_mnemonic

LISTING_FILTER = "Listings and exports (*.txt *.json *.bib *.ris *.xml *.atom);;All files (*)"


def get_open_files(parent: QWidget, title: str = "Import papers") -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, title, "", LISTING_FILTER)
    return list(files)


def get_save_file(parent: QWidget, title: str, filter_: str, suggested: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filter_)
    return path or None


def text_dialog(parent: QWidget | None, title: str, label: str, text: str = "",
                items: list[str] | None = None) -> QInputDialog:
    """The dialog ``get_text`` shows (QInputDialog.getText, or getItem with ``items``),
    its label plain text: a tag named ``<b>x</b>`` or ``R&D`` is shown as typed."""
    dlg = QInputDialog(parent)
    dlg.setWindowTitle(title)
    dlg.setLabelText(no_mnemonic(label))  # (the label is the input's buddy: '&' would be a mnemonic)
    if items is not None:
        dlg.setComboBoxItems(items)
        dlg.setTextValue(items[0] if items else "")
        dlg.setComboBoxEditable(True)
    else:
        dlg.setTextValue(text)
    make_plain(dlg)
    return dlg


def get_text(parent: QWidget, title: str, label: str, text: str = "", items: list[str] | None = None) -> str | None:
    dlg = text_dialog(parent, title, label, text, items)
    try:
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        value = dlg.textValue()
    finally:
        dlg.deleteLater()
    return value if ok and value.strip() else None


def get_color(parent: QWidget, initial: str | None) -> str | None:
    c = QColorDialog.getColor(QColor(initial or "#4a90d9"), parent, "Tag colour")
    return c.name() if c.isValid() else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box.exec() == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str, details: str = "") -> None:

    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.exec()


def import_summary(parent: QWidget, title: str, text: str, details: str, problems: list[str]) -> None:
    """An import's summary; with problems (records skipped, warnings, files rejected),
    a "Copy problems" button puts their list on the clipboard."""
    icon = QMessageBox.Icon.Warning if problems else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDetailedText(details)
    copy = box.addButton("Copy problems", QMessageBox.ButtonRole.ActionRole) if problems else None
    box.exec()
    if copy is not None and box.clickedButton() is copy:
        QApplication.clipboard().setText("\n".join(problems))


def warn(parent: QWidget | None, title: str, text: str, details: str = "") -> None:

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.exec()


def choose(parent: QWidget | None, title: str, text: str, choices: list[str]) -> str | None:
    """A message with one button per choice; returns the chosen label (None if closed)."""

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons = {box.addButton(c, QMessageBox.ButtonRole.AcceptRole): c for c in choices}
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return buttons.get(box.clickedButton())


def get_open_library(parent: QWidget | None) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open library", "", "refmanager libraries (*.db);;All files (*)")
    return path or None


def exec_dialog(dlg: object) -> bool:
    """Run a custom dialog modally (tests replace this)."""
    return dlg.exec() == QDialog.DialogCode.Accepted  # type: ignore[attr-defined]


def bibliography_options(parent: QWidget, scopes: list[tuple[str, str]], style_title: str) -> tuple[str, str] | None:
    """File → Export bibliography: (scope, format) chosen, None when cancelled.  ``scopes``
    are (value, label) pairs; formats are "html", "markdown", "text"."""
    from .bibliography_dialog import BibliographyDialog

    dlg = BibliographyDialog(scopes, style_title, parent)
    try:
        return dlg.choice() if exec_dialog(dlg) else None
    finally:
        dlg.deleteLater()


def merge_choices(parent: QWidget, fields: dict, defaults: dict) -> dict | None:
    """The merge dialog: per field, which paper's value wins (None when cancelled)."""
    from .merge_dialog import MergeDialog

    dlg = MergeDialog(fields, defaults, parent)
    return dlg.choices() if exec_dialog(dlg) else None
