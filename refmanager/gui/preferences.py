"""Preferences (Ctrl+,): library location, attachments, citation keys and style, theme."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from ..core.cite import DEFAULT_STYLE
from ..core.export import DEFAULT_KEY_PATTERN
from ..core.locations import default_library_path
from .style_chooser import StyleChooser


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
        s.sync()
