"""Editing a paper in place: every field, saved on Enter or when leaving it, Esc reverts."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
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

    def load(self, text: str, keep: bool = False) -> None:
        """Show ``text``; ``keep``: the user is typing here, the text stays as typed (and
        ``text``, the value stored, is what Esc brings back and what Enter compares with)."""
        self.original = text
        if not keep:
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

    def load(self, text: str, keep: bool = False) -> None:
        self.original = text
        if not keep:
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


class WrappedLabel(QLabel):
    """A word-wrapped message that gets all its lines in a form: QFormLayout gives a
    wrapped label the height of its one-line size hint, so it keeps a minimum height
    for its width (set again when its width or its text changes)."""

    def resizeEvent(self, e: Any) -> None:  # noqa: N802
        super().resizeEvent(e)
        self.fit()

    def fit(self) -> None:
        h = self.heightForWidth(self.width())
        if h > 0 and h != self.minimumHeight():
            self.setMinimumHeight(h)


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
        # a field too wide beside its label goes under it: the form never gets wider than the pane
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.title = FieldLine("title", "Title")
        self.authors = AuthorList()
        self.et_al = QCheckBox("The author list is cut short (et al.)")
        self.orgs = FieldLine("orgs", "organisations, comma separated")
        self.date = FieldLine("date", "YYYY-MM-DD")
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.setAccessibleName("category")
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(16)
        self.category.addItem("", "")
        for code, name in sorted(CATEGORY_NAMES.items()):
            self.category.addItem(f"{code} — {name}", code)
        # the list as wide as its longest name; the box shows the start of its text (the code)
        self.category.view().setMinimumWidth(self.category.view().sizeHintForColumn(0) + 8)
        self.category.currentIndexChanged.connect(lambda _i: self._category_start())
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
        self.error = WrappedLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setObjectName("EditError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setVisible(False)
        self.error_gap = QWidget()  # (the error row's label: the message sits under the field)
        #: the field the error is about (highlighted until the error goes)
        self.error_field: QWidget | None = None
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
        form.addRow(self.error_gap, self.error)
        self.form = form
        for w in (self.title, self.orgs, self.date, self.arxiv_id, self.doi, self.journal, self.volume,
                  self.issue, self.pages, self.abstract, self.citekey, self.publisher):
            w.committed.connect(self._text_done)
        self.authors.committed.connect(lambda f, v: self.fieldEdited.emit(f, v))
        self.et_al.toggled.connect(lambda on: None if self._loading else self.fieldEdited.emit("et_al", on))
        self._loading = False
        self._category = ""

    def load(self, p: Paper, keep_typing: bool = False) -> None:
        """Show the paper's fields.  ``keep_typing``: the same paper again (after a save, or
        another program's change): the field with the focus keeps what is typed in it, so
        saving one field neither loses the next one's text nor moves the focus."""
        self._loading = True
        typing = QApplication.focusWidget() if keep_typing else None
        if typing is not None and not self.isAncestorOf(typing):
            typing = None
        lines = [(self.title, p.title), (self.orgs, ", ".join(p.orgs)), (self.date, p.date),
                 (self.arxiv_id, p.arxiv_id), (self.doi, p.doi), (self.journal, p.journal),
                 (self.volume, p.volume), (self.issue, p.issue), (self.pages, p.pages),
                 (self.citekey, p.citekey), (self.publisher, p.publisher), (self.abstract, p.abstract)]
        for line, value in lines:
            line.load(value or "", keep=line is typing)
        if typing is None or not self.authors.isAncestorOf(typing):
            self.authors.load(p.authors)
        self.et_al.setChecked(bool(p.et_al))
        self._category = p.category or ""
        if typing is None or (typing is not self.category and not self.category.isAncestorOf(typing)):
            i = self.category.findData(self._category)
            if i >= 0:
                self.category.setCurrentIndex(i)
            else:
                self.category.setEditText(self._category)
            self._category_start()
        kind = p.type or "article"
        i = self.type.findData(kind)
        self.type.setCurrentIndex(i if i >= 0 else 0)
        record = p.record or {}
        for f in RECORD_FIELDS:
            v = record.get(f.name)
            line = self.record_lines[f.name]
            line.load("; ".join(v) if isinstance(v, list) else (v or ""), keep=line is typing)
            self.form.setRowVisible(line, bool(v) or not f.types or kind in f.types)
        if typing is None or not self.extra_box.isAncestorOf(typing):
            self._load_extras(p.extras or {})
        if typing is None:
            self.show_error(None)  # (else an error about the field being typed stays beside it)
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

    def _category_start(self) -> None:
        """Show the start of the category ("cs.CL — Comp…"): Qt leaves the cursor at the end."""
        self.category.lineEdit().setCursorPosition(0)
        self.category.setToolTip(self.category.currentText())

    def _category_done(self) -> None:
        if self._loading:
            return
        self._category_start()
        data = self.category.currentData()
        text = self.category.currentText().strip()
        code = data if data and text.startswith(str(data)) else text.split(" — ")[0].strip()
        if code != self._category:
            self._category = code
            self.fieldEdited.emit("category", code or None)

    def field_widget(self, field: str) -> QWidget | None:
        """The form's widget for a field (None: the form has none)."""
        widgets: dict[str, QWidget] = {
            "title": self.title, "authors": self.authors.list, "et_al": self.et_al, "orgs": self.orgs,
            "date": self.date, "category": self.category, "arxiv_id": self.arxiv_id, "doi": self.doi,
            "type": self.type, "citekey": self.citekey, "journal": self.journal, "volume": self.volume,
            "issue": self.issue, "pages": self.pages, "publisher": self.publisher, "abstract": self.abstract,
        }
        return widgets.get(field) or self.record_lines.get(field) or self.extra_lines.get(field)

    def _form_row(self, widget: QWidget) -> int:
        """The row of the main form that holds ``widget`` (-1: none)."""
        while widget is not None and widget is not self:
            row, _ = self.form.getWidgetPosition(widget)
            if row >= 0:
                return row
            widget = widget.parentWidget()
        return -1

    def show_error(self, message: str | None, *fields: str) -> QWidget | None:
        """The message right under the row of the field it is about (the first of ``fields``
        the form shows), that field highlighted, and focused while the user is in the form;
        no field known: at the form's end.  Returns the widget to bring into view; None
        clears the error."""
        if self.error_field is not None:
            self.error_field.setStyleSheet("")
            self.error_field.setAccessibleDescription("")
            self.error_field = None
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        if not message:
            return None
        widget = next((w for w in map(self.field_widget, fields) if w is not None and self._form_row(w) >= 0), None)
        self.form.takeRow(self.error)  # (its widgets kept: put back under the field's row)
        self.form.insertRow(self._form_row(widget) + 1 if widget is not None else self.form.rowCount(),
                            self.error_gap, self.error)
        self.error.setVisible(True)
        self.error.fit()
        if widget is None:
            return self.error
        self.error_field = widget
        widget.setStyleSheet(f"{widget.metaObject().className()} {{ border: 2px solid #c62828; border-radius: 3px; }}")
        widget.setAccessibleDescription(message)
        if self.isAncestorOf(QApplication.focusWidget()):  # (not when the user went elsewhere: the table)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return widget
