"""Preferences (Ctrl+,): library location, attachments, citation keys and style, theme,
when a paper counts as read."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ..core.cite import DEFAULT_STYLE
from ..core.export import DEFAULT_KEY_PATTERN
from ..core.locations import default_library_path
from .style_chooser import StyleChooser

log = logging.getLogger(__name__)

#: "Mark as read": (value, label).  Opening a paper (double-click, Enter, its PDF or a file,
#: arXiv) marks it read unless "never"; "after" also marks a paper shown that long.
MARK_READ_MODES = (("after", "after it has been shown for"), ("opened", "only when it is opened"), ("never", "never"))
#: Long enough to read a title while moving through the table with the arrow keys.
DEFAULT_MARK_READ_SECONDS = 2
MAX_MARK_READ_SECONDS = 600


def mark_read_policy(settings: QSettings) -> tuple[str, int]:
    """(mode, seconds) from the settings; anything unreadable is the default (after 2 s)."""
    mode = str(settings.value("prefs/mark_read", "after") or "after")
    if mode not in {m for m, _ in MARK_READ_MODES}:
        log.warning("unknown prefs/mark_read %r: using 'after'", mode)
        mode = "after"
    try:
        seconds = int(settings.value("prefs/mark_read_seconds", DEFAULT_MARK_READ_SECONDS))
    except (TypeError, ValueError):
        seconds = DEFAULT_MARK_READ_SECONDS
    return mode, min(max(seconds, 1), MAX_MARK_READ_SECONDS)


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.library = QLineEdit(str(settings.value("prefs/default_library", str(default_library_path()))))
        self.library.setAccessibleName("Default library")
        self.attachments = QComboBox()
        self.attachments.addItem("Copy into the library's attachments folder", "copy")
        self.attachments.addItem("Link to the file where it is", "link")
        self.attachments.setCurrentIndex(max(0, self.attachments.findData(settings.value("prefs/attachments", "copy"))))
        self.key_pattern = QLineEdit(str(settings.value("prefs/citation_key", DEFAULT_KEY_PATTERN)))
        self.key_pattern.setToolTip("{author} first author's family name, {year}, {word} first significant title word")
        self.style_chooser = StyleChooser(str(settings.value("prefs/citation_style", DEFAULT_STYLE) or DEFAULT_STYLE))
        self.theme = QComboBox()
        for value, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.value("prefs/theme", "system"))))
        form.addRow("Default library", self.library)
        form.addRow("Attached files", self.attachments)
        form.addRow("Citation key pattern", self.key_pattern)
        form.addRow("Citation style", self.style_chooser)
        form.addRow("Theme", self.theme)
        mode, seconds = mark_read_policy(settings)
        self.mark_read = QComboBox()
        self.mark_read.setAccessibleName("Mark as read")
        for value, label in MARK_READ_MODES:
            self.mark_read.addItem(label, value)
        self.mark_read.setCurrentIndex(max(0, self.mark_read.findData(mode)))
        self.mark_read_seconds = QSpinBox()
        self.mark_read_seconds.setAccessibleName("Seconds shown before a paper is marked read")
        self.mark_read_seconds.setRange(1, MAX_MARK_READ_SECONDS)
        self.mark_read_seconds.setSuffix(" seconds")
        self.mark_read_seconds.setValue(seconds)
        self.mark_read.currentIndexChanged.connect(
            lambda _i: self.mark_read_seconds.setEnabled(self.mark_read.currentData() == "after"))
        self.mark_read_seconds.setEnabled(mode == "after")
        row = QHBoxLayout()
        row.addWidget(self.mark_read, 1)
        row.addWidget(self.mark_read_seconds)
        form.addRow("Mark as read", row)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def save(self) -> None:
        s = self.settings
        s.setValue("prefs/default_library", self.library.text().strip())
        s.setValue("prefs/attachments", self.attachments.currentData())
        s.setValue("prefs/citation_key", self.key_pattern.text().strip() or DEFAULT_KEY_PATTERN)
        s.setValue("prefs/citation_style", self.style_chooser.selected_name())
        s.setValue("prefs/theme", self.theme.currentData())
        s.setValue("prefs/mark_read", self.mark_read.currentData())
        s.setValue("prefs/mark_read_seconds", self.mark_read_seconds.value())
        s.sync()
