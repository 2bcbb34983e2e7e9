"""Editing a paper in place: every field, saved on Enter or when leaving it, Esc reverts."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.categories import CATEGORY_NAMES
from ..core.fields import Paper
from ..core.record import RECORD_BY_NAME, RECORD_FIELDS, TYPES

log = logging.getLogger(__name__)


class FieldLine(QLineEdit):
    """A line that saves on Enter or focus loss and reverts on Esc."""

    committed = Signal(str, str)  # field, text

    def __init__(self, field: str, placeholder: str = "") -> None:
        super().__init__()
        self.field = field
        self.original = ""
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(field)
        self.editingFinished.connect(self._commit)

    def load(self, text: str) -> None:
        self.original = text
        self.setText(text)
        self.setCursorPosition(0)

    def _commit(self) -> None:
        if self.text() != self.original:
            self.committed.emit(self.field, self.text())

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Escape:
            self.setText(self.original)
            return
        super().keyPressEvent(e)


class FieldText(QPlainTextEdit):
    """The abstract: saved when leaving the field (or Ctrl+Enter), Esc reverts."""

    committed = Signal(str, str)

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field
        self.original = ""
        self.setAccessibleName(field)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(90)

    def load(self, text: str) -> None:
        self.original = text
        self.setPlainText(text)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Escape:
            self.setPlainText(self.original)
            return
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._commit()
            return
        super().keyPressEvent(e)

    def focusOutEvent(self, e: Any) -> None:  # noqa: N802
        self._commit()
        super().focusOutEvent(e)

    def _commit(self) -> None:
        if self.toPlainText() != self.original:
            self.committed.emit(self.field, self.toPlainText())


class AuthorList(QWidget):
    """Authors in order: add, remove, reorder, rename in place."""

    committed = Signal(str, object)  # "authors", list[str]

    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setAccessibleName("authors")
        self.list.setMaximumHeight(120)
        self.list.itemChanged.connect(lambda _i: self._commit())
        lay.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (("add", "+", "Add an author"), ("remove", "−", "Remove the author"),
                               ("up", "↑", "Move up"), ("down", "↓", "Move down")):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            b.clicked.connect(lambda _=False, k=key: self._button(k))
            buttons.addWidget(b)
            self.buttons[key] = b
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self._loading = False

    def load(self, authors: list[str]) -> None:
        self._loading = True
        self.list.clear()
        for a in authors:
            it = QListWidgetItem(a)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(it)
        self._loading = False

    def authors(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count()) if self.list.item(i).text().strip()]

    def _button(self, key: str) -> None:
        row = self.list.currentRow()
        if key == "add":
            self._loading = True
            it = QListWidgetItem("New Author")
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(it)
            self.list.setCurrentItem(it)
            self._loading = False
            self.list.editItem(it)
            return
        if row < 0:
            return
        if key == "remove":
            self.list.takeItem(row)
        elif key in ("up", "down"):
            to = row - 1 if key == "up" else row + 1
            if not 0 <= to < self.list.count():
                return
            self._loading = True
            it = self.list.takeItem(row)
            self.list.insertItem(to, it)
            self.list.setCurrentRow(to)
            self._loading = False
        self._commit()

    def _commit(self) -> None:
        if not self._loading:
            self.committed.emit("authors", self.authors())


class PaperEditor(QWidget):
    """The edit form of the detail pane."""

    fieldEdited = Signal(str, object)  # field, value

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.title = FieldLine("title", "Title")
        self.authors = AuthorList()
        self.et_al = QCheckBox("The author list is cut short (et al.)")
        self.orgs = FieldLine("orgs", "organisations, comma separated")
        self.date = FieldLine("date", "YYYY-MM-DD")
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.setAccessibleName("category")
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(12)
        self.category.addItem("", "")
        for code, name in sorted(CATEGORY_NAMES.items()):
            self.category.addItem(f"{code} — {name}", code)
        self.category.activated.connect(lambda _i: self._category_done())
        self.category.lineEdit().editingFinished.connect(self._category_done)
        self.arxiv_id = FieldLine("arxiv_id", "e.g. 2408.00118")
        self.doi = FieldLine("doi", "10.xxxx/…")
        self.type = QComboBox()
        self.type.setAccessibleName("type")
        for code, name in TYPES.items():
            self.type.addItem(name, code)
        self.type.activated.connect(lambda _i: self._type_done())
        self.citekey = FieldLine("citekey", "citation key")
        self.publisher = FieldLine("publisher", "publisher")
        self.journal = FieldLine("journal", "journal, proceedings or book title")
        self.volume = FieldLine("volume", "volume")
        self.issue = FieldLine("issue", "issue")
        self.pages = FieldLine("pages", "e.g. 12-34")
        self.abstract = FieldText("abstract")
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setObjectName("EditError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setVisible(False)
        form.addRow("Title", self.title)
        form.addRow("Authors", self.authors)
        form.addRow("", self.et_al)
        form.addRow("Organisations", self.orgs)
        form.addRow("Date", self.date)
        form.addRow("Category", self.category)
        form.addRow("arXiv id", self.arxiv_id)
        form.addRow("DOI", self.doi)
        form.addRow("Type", self.type)
        form.addRow("Citation key", self.citekey)
        form.addRow("Venue", self.journal)
        form.addRow("Volume", self.volume)
        form.addRow("Issue", self.issue)
        form.addRow("Pages", self.pages)
        form.addRow("Publisher", self.publisher)
        #: the record's other fields (``record.RECORD_FIELDS``): shown for the paper's type, or
        #: when the paper has a value; names separated by "; "
        self.record_lines: dict[str, FieldLine] = {}
        for f in RECORD_FIELDS:
            line = FieldLine(f.name, "names separated by ;" if f.kind == "names" else
                             "YYYY-MM-DD" if f.kind == "date" else f.label)
            line.committed.connect(self._text_done)
            form.addRow(f.label[0].upper() + f.label[1:], line)
            self.record_lines[f.name] = line
        #: fields kept as they came from a file, by format ("bibtex groups"): editable by name
        self.extra_box = QWidget()
        self.extra_form = QFormLayout(self.extra_box)
        self.extra_form.setContentsMargins(0, 0, 0, 0)
        self.extra_lines: dict[str, FieldLine] = {}
        form.addRow("Other fields", self.extra_box)
        form.addRow("Abstract", self.abstract)
        form.addRow("", self.error)
        self.form = form
        for w in (self.title, self.orgs, self.date, self.arxiv_id, self.doi, self.journal, self.volume,
                  self.issue, self.pages, self.abstract, self.citekey, self.publisher):
            w.committed.connect(self._text_done)
        self.authors.committed.connect(lambda f, v: self.fieldEdited.emit(f, v))
        self.et_al.toggled.connect(lambda on: None if self._loading else self.fieldEdited.emit("et_al", on))
        self._loading = False
        self._category = ""

    def load(self, p: Paper) -> None:
        self._loading = True
        self.title.load(p.title or "")
        self.authors.load(p.authors)
        self.et_al.setChecked(bool(p.et_al))
        self.orgs.load(", ".join(p.orgs))
        self.date.load(p.date or "")
        self._category = p.category or ""
        i = self.category.findData(self._category)
        if i >= 0:
            self.category.setCurrentIndex(i)
        else:
            self.category.setEditText(self._category)
        self.arxiv_id.load(p.arxiv_id or "")
        self.doi.load(p.doi or "")
        self.journal.load(p.journal or "")
        self.volume.load(p.volume or "")
        self.issue.load(p.issue or "")
        self.pages.load(p.pages or "")
        kind = p.type or "article"
        i = self.type.findData(kind)
        self.type.setCurrentIndex(i if i >= 0 else 0)
        self.citekey.load(p.citekey or "")
        self.publisher.load(p.publisher or "")
        record = p.record or {}
        for f in RECORD_FIELDS:
            v = record.get(f.name)
            line = self.record_lines[f.name]
            line.load("; ".join(v) if isinstance(v, list) else (v or ""))
            self.form.setRowVisible(line, bool(v) or not f.types or kind in f.types)
        self._load_extras(p.extras or {})
        self.abstract.load(p.abstract or "")
        self.show_error(None)
        self._loading = False

    def _load_extras(self, extras: dict[str, Any]) -> None:
        while self.extra_form.rowCount():
            self.extra_form.removeRow(0)
        self.extra_lines = {}
        for fmt, fields in sorted(extras.items()):
            for name, value in fields.items():
                if not isinstance(value, str):
                    continue  # (a list or object from CSL-JSON: shown by `refmanager show`)
                key = f"extras.{fmt}.{name}"
                line = FieldLine(key, name)
                line.load(value)
                line.committed.connect(self._text_done)
                label = QLabel(f"{name} ({fmt})")
                label.setTextFormat(Qt.TextFormat.PlainText)
                self.extra_form.addRow(label, line)
                self.extra_lines[key] = line
        self.form.setRowVisible(self.extra_box, bool(self.extra_lines))

    def _type_done(self) -> None:
        if not self._loading:
            self.fieldEdited.emit("type", self.type.currentData())

    def _text_done(self, field: str, text: str) -> None:
        if self._loading:
            return
        value: Any = text.strip()
        if field in RECORD_BY_NAME or field.startswith("extras."):
            self.fieldEdited.emit(field, value)
            return
        if field == "orgs":
            value = [o.strip() for o in text.split(",") if o.strip()]
        elif value == "" and field != "abstract":
            value = None
        self.fieldEdited.emit(field, value)

    def _category_done(self) -> None:
        if self._loading:
            return
        data = self.category.currentData()
        text = self.category.currentText().strip()
        code = data if data and text.startswith(str(data)) else text.split(" — ")[0].strip()
        if code != self._category:
            self._category = code
            self.fieldEdited.emit("category", code or None)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
