"""The detail pane's list of the paper's annotations (page, colour, quoted text, comment):
clicking one (or Enter on it) opens the reader at that place; "Add note from annotations"
appends them to the paper's note with their pages, as Zotero does.

Each annotation is a row of wrapped text with its colour beside it, in the pane's own
scrolling (a list widget inside the scrolled pane would scroll on its own, and cut rows)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...core.store.annotations import COLORS, Annotation, one_line
from ..icons import icon

#: Rows shown at most (the rest: "and N more"; the reader lists them all).
MAX_ROWS = 50
#: A quote is shortened to this many characters in the list (its tooltip has all of it).
QUOTE_CHARS = 160


def item_text(a: Annotation) -> str:
    """``p. 3  “quoted text”`` and the comment on the next line (a note: its text)."""
    if a.kind == "highlight" and a.quote:
        quote = one_line(a.quote)
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "\u2026"
        text = f"p. {a.page}  \u201c{quote}\u201d"
        return text + (f"\n\u21b3 {a.comment.strip()}" if a.comment and a.comment.strip() else "")
    return f"p. {a.page}  \u270e {(a.comment or '').strip()}"


class AnnotationRow(QFrame):
    """One annotation: its colour and its text; a click or Enter opens it."""

    chosen = Signal(int)

    def __init__(self, a: Annotation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.aid = a.id
        self.setObjectName("annotationRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(f"Annotation on page {a.page}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(6)
        bar = QFrame()
        bar.setFixedWidth(5)
        bar.setStyleSheet(f"background: {COLORS.get(a.color, '#888888')}; border-radius: 2px;")
        self.label = QLabel(item_text(a))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        lay.addWidget(bar)
        lay.addWidget(self.label, 1)
        tip = one_line(a.quote) if a.quote else ""
        if a.comment:
            tip = f"{tip}\n\n{a.comment}" if tip else a.comment
        self.setToolTip(f"Page {a.page} ({a.color}): {tip}\n\nClick to open the PDF there")
        self.setStyleSheet("QFrame#annotationRow:focus { background: palette(highlight); }")

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        if e.button() == Qt.MouseButton.LeftButton and self.rect().contains(e.position().toPoint()):
            self.chosen.emit(self.aid)
        super().mouseReleaseEvent(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.chosen.emit(self.aid)
            return
        super().keyPressEvent(e)


class AnnotationPanel(QWidget):
    #: an annotation was chosen (its id): open the reader there
    annotationChosen = Signal(int)
    addNoteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(4)
        self.title = QLabel("Annotations")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        lay.addWidget(self.title)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        lay.addLayout(self.rows_box)
        self.more = QLabel()
        self.more.setTextFormat(Qt.TextFormat.PlainText)
        self.more.setEnabled(False)
        lay.addWidget(self.more)
        self.add_button = QPushButton(icon("note"), "Add note from annotations")
        self.add_button.setToolTip("Append these annotations to the paper's note, with their pages (Ctrl+Z undoes it)")
        self.add_button.clicked.connect(self.addNoteRequested)
        foot = QHBoxLayout()
        foot.addWidget(self.add_button)
        foot.addStretch(1)
        lay.addLayout(foot)
        self.row_widgets: list[AnnotationRow] = []
        self.setVisible(False)

    def show_annotations(self, notes: Sequence[Annotation]) -> None:
        for w in self.row_widgets:
            w.setParent(None)  # (gone now: a refresh shows the rows of now at once)
            w.deleteLater()
        self.row_widgets = []
        for a in notes[:MAX_ROWS]:
            row = AnnotationRow(a)
            row.chosen.connect(self.annotationChosen)
            self.rows_box.addWidget(row)
            self.row_widgets.append(row)
        hidden = len(notes) - len(self.row_widgets)
        self.more.setText(f"\u2026 and {hidden} more: the reader lists them all" if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self.title.setText(f"Annotations ({len(notes)})")
        self.setVisible(bool(notes))

    def rows(self) -> list[str]:
        return [w.label.text() for w in self.row_widgets]
