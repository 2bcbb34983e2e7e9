"""Right pane: everything about the selected paper, or bulk actions for several.

All text from imported files is shown as plain text (``Qt.PlainText``): a
title such as ``<img src=...>`` is displayed literally, never interpreted.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.categories import category_name
from ..core.fields import Paper
from ..core.links import opening_words
from .icons import icon
from .plain import no_mnemonic
from .reference_view import ReferenceView
from .table_model import plain_tooltip

log = logging.getLogger(__name__)

#: A note is saved this long after the last keystroke (and on selection change,
#: focus loss and quit).  Must stay under the 1 s promised in docs/reliability.md.
NOTE_SAVE_MS = 400


class FlowLayout(QLayout):
    """Lays chips out left to right, wrapping like words (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        s = QSize()
        for it in self._items:
            s = s.expandedTo(it.minimumSize())
        return s

    def _do_layout(self, rect: QRect, test: bool) -> int:
        x, y, line_h = rect.x(), rect.y(), 0
        for it in self._items:
            hint = it.sizeHint()
            nx = x + hint.width() + self._spacing
            if nx - self._spacing > rect.right() and line_h > 0:
                x = rect.x()
                y += line_h + self._spacing
                nx = x + hint.width() + self._spacing
                line_h = 0
            if not test:
                it.setGeometry(QRect(QPoint(x, y), hint))
            x = nx
            line_h = max(line_h, hint.height())
        return y + line_h - rect.y()


def _label(selectable: bool = True, wrap: bool = True) -> QLabel:
    lab = QLabel()
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(wrap)
    if selectable:
        lab.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return lab


def _bold(widget: QWidget, scale: float = 1.0) -> QWidget:
    """A heading: the widget's font in bold, ``scale`` times its size."""
    f = widget.font()
    f.setBold(True)
    f.setPointSizeF(f.pointSizeF() * scale)
    widget.setFont(f)
    return widget


class NoteEditor(QPlainTextEdit):
    """Markdown note editor that saves itself: after a pause, on focus loss, on demand.

    It keeps the note as it was last read or saved (``base``: the library saves only
    over that, keeping both if another program changed it meanwhile) and the editing
    session its saves belong to (one undo step per session, from the first key to focus
    leaving or another paper)."""

    saveRequested = Signal()
    #: the editor got the focus (the pane brings it into view)
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Notes (Markdown) — saved automatically")
        self.setTabChangesFocus(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(NOTE_SAVE_MS)
        self.timer.timeout.connect(self.saveRequested)
        self.textChanged.connect(self._changed)
        self._loading = False
        self.dirty = False
        self.base = ""
        self.session: str | None = None
        f = QFont("monospace")
        f.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(f)
        self.setMinimumHeight(120)

    def load(self, text: str) -> None:
        self._loading = True
        self.setPlainText(text)
        self._loading = False
        self.dirty = False
        self.base = text
        self.session = None
        self.timer.stop()

    def _changed(self) -> None:
        if self._loading:
            return
        self.dirty = True
        if self.session is None:
            self.session = uuid.uuid4().hex
        self.timer.start()

    def focusInEvent(self, e: Any) -> None:  # noqa: N802
        super().focusInEvent(e)
        if e.reason() not in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason):
            self.focused.emit()  # (not when the window comes back: the pane stays where the user left it)

    def focusOutEvent(self, e: Any) -> None:  # noqa: N802
        if self.dirty:
            self.saveRequested.emit()
        self.session = None  # (the next key starts another undo step)
        super().focusOutEvent(e)


def _tag_chip(tag: str, colors: dict[str, str]) -> QToolButton:
    """A tag as a chip in its colour; clicking it removes the tag."""
    chip = QToolButton()
    chip.setText(f"{no_mnemonic(tag)}  ✕")
    chip.setToolTip(plain_tooltip(f"Remove tag {tag!r}"))
    chip.setAccessibleName(f"Remove tag {tag}")
    chip.setObjectName("tagChip")
    color = colors.get(tag.casefold())
    bg = QColor(color) if color else QColor("#8a94a6")
    fg = "#ffffff" if bg.lightness() < 150 else "#000000"
    chip.setStyleSheet(
        f"QToolButton#tagChip {{ background: {bg.name()}; color: {fg}; border-radius: 9px; padding: 2px 8px; }}"
    )
    chip.setProperty("tag", tag)
    return chip


class DetailPane(QScrollArea):
    fieldEdited = Signal(str, object)  # field, value (edit mode)
    pickSplit = Signal(int)  # index into the alternative splits
    acceptReview = Signal()
    attachRequested = Signal()
    openAttachment = Signal(str)  # path
    openArxiv = Signal()
    openPdf = Signal()
    addTag = Signal(str)
    removeTag = Signal(str)
    noteChanged = Signal(int, str, str, object)  # paper id, text, the note it was typed on, session
    bulkAction = Signal(str)  # tag, untag, read, unread, star, unstar, trash

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # text wraps to the pane's width instead of scrolling sideways
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(280)
        self.paper: Paper | None = None
        #: the paper the pane shows (kept through a refresh's moment of no selection)
        self._shown_id: int | None = None
        #: "nothing selected" is shown from the event loop: a refresh selects the same paper
        #: again at once, and the pane then keeps its place, its focus and what is typed
        self.empty_timer = QTimer(self)
        self.empty_timer.setSingleShot(True)
        self.empty_timer.setInterval(0)
        self.empty_timer.timeout.connect(self._show_empty)
        #: what ``set_extras`` was given last (shown again when Edit is toggled)
        self._review: dict[str, Any] | None = None
        self._history: list[str] = []
        self._attachments: list[dict[str, Any]] = []
        self.stack = QStackedWidget()
        self.setWidget(self.stack)

        # --- empty
        self.empty = QLabel("Select a paper to see its details.\n\nImport listings with File → Import… (Ctrl+O),\nby dropping files here, or by pasting text (Ctrl+V).")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.stack.addWidget(self.empty)

        # --- one paper
        one = QWidget()
        lay = QVBoxLayout(one)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        self.title = _label()
        _bold(self.title, 1.3)
        self.title.setAccessibleName("Title")
        self.authors = _label()
        self.authors.setAccessibleName("Authors")
        self.orgs = _label()
        self.meta = _label()
        self.meta.setAccessibleName("Date and category")
        self.ids = _label()
        self.review = _label()
        self.review.setStyleSheet("color: #c05800;")
        for w in (self.title, self.authors, self.orgs, self.meta, self.ids, self.review):
            lay.addWidget(w)

        buttons = QHBoxLayout()
        self.arxiv_button = QPushButton(icon("open"), "Open on arXiv")
        self.arxiv_button.setToolTip("Open the paper's arXiv page in the browser (Enter)")
        self.arxiv_button.clicked.connect(self.openArxiv)
        self.pdf_button = QPushButton(icon("pdf"), "PDF")
        self.pdf_button.setToolTip("Open the PDF on arXiv")
        self.pdf_button.clicked.connect(self.openPdf)
        self.edit_button = QPushButton(icon("note"), "Edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit every field of this paper (Enter or leaving a field saves, Esc reverts)")
        self.edit_button.toggled.connect(self._edit_toggled)
        buttons.addWidget(self.arxiv_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        lay.addLayout(buttons)

        # --- what the importer was unsure of
        self.review_box = QFrame()
        self.review_box.setObjectName("ReviewBox")
        self.review_box.setFrameShape(QFrame.Shape.StyledPanel)
        rl = QVBoxLayout(self.review_box)
        rl.setContentsMargins(8, 8, 8, 8)
        self.review_title = _label()
        _bold(self.review_title)
        self.raw_line = _label()
        self.raw_line.setAccessibleName("Line as imported")
        rl.addWidget(self.review_title)
        rl.addWidget(self.raw_line)
        self.split_buttons_box = QVBoxLayout()
        rl.addLayout(self.split_buttons_box)
        self.accept_button = QPushButton("The current split is right")
        self.accept_button.clicked.connect(self.acceptReview)
        rl.addWidget(self.accept_button)
        self.split_buttons: list[QPushButton] = []
        self.review_box.setVisible(False)
        lay.addWidget(self.review_box)

        from .editor import PaperEditor

        self.editor = PaperEditor()
        self.editor.setVisible(False)
        self.editor.fieldEdited.connect(self.fieldEdited)
        lay.addWidget(self.editor)


        tags_box = QWidget()
        self.tags_layout = FlowLayout(tags_box)
        lay.addWidget(tags_box)
        self.tag_edit = QLineEdit()
        self.tag_edit.setPlaceholderText("Add tags, separated by commas…")  # (Library.add_tags splits)
        self.tag_edit.setAccessibleName("Add a tag")
        self.tag_edit.setClearButtonEnabled(True)
        self.tag_model = QStringListModel()
        completer = QCompleter(self.tag_model, self.tag_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_edit.setCompleter(completer)
        self.tag_edit.returnPressed.connect(self._add_tag)
        lay.addWidget(self.tag_edit)

        self.abstract = _label()
        self.abstract.setAccessibleName("Abstract")
        lay.addWidget(self.abstract)
        self.reference = ReferenceView()  # (filled by the window's CiteController)
        lay.addWidget(self.reference)

        files_row = QHBoxLayout()
        self.files_label = _label()
        self.files_label.setText("Files")
        _bold(self.files_label)
        self.attach_button = QPushButton(icon("pdf"), "Attach file…")
        self.attach_button.clicked.connect(self.attachRequested)
        files_row.addWidget(self.files_label)
        files_row.addStretch(1)
        files_row.addWidget(self.attach_button)
        lay.addLayout(files_row)
        self.files_box = QVBoxLayout()
        lay.addLayout(self.files_box)
        self.attachment_buttons: list[QPushButton] = []
        self.fulltext_hits = _label()  # (the search's words in the PDFs: gui/fulltext_controller.py)
        lay.addWidget(self.fulltext_hits)

        note_title = QLabel("Notes")
        lay.addWidget(_bold(note_title))
        self.note = NoteEditor()
        self.note.setAccessibleName("Note")
        self.note.saveRequested.connect(self.flush_note)
        self.note.focused.connect(self.show_note_editor)
        self.note.cursorPositionChanged.connect(lambda: self.note.hasFocus() and self.ensureWidgetVisible(self.note))
        lay.addWidget(self.note, 1)
        hist_title = QLabel("History")
        lay.addWidget(_bold(hist_title))
        self.history = _label()
        self.history.setAccessibleName("History")
        lay.addWidget(self.history)
        self.stack.addWidget(one)
        self.one = one

        # --- several papers
        many = QWidget()
        ml = QVBoxLayout(many)
        ml.setContentsMargins(12, 12, 12, 12)
        self.many_label = _label()
        _bold(self.many_label, 1.2)
        ml.addWidget(self.many_label)
        self.bulk_buttons: dict[str, QPushButton] = {}
        for key, label, ico in (
            ("tag", "Add tag…", "tag"),
            ("untag", "Remove tag…", "tag"),
            ("read", "Mark read", "unread"),
            ("unread", "Mark unread", "unread"),
            ("star", "Star", "star"),
            ("unstar", "Unstar", "star"),
            ("trash", "Move to trash", "trash"),
        ):
            b = QPushButton(icon(ico), label)
            b.clicked.connect(lambda _=False, k=key: self.bulkAction.emit(k))
            ml.addWidget(b)
            self.bulk_buttons[key] = b
        ml.addStretch(1)
        self.stack.addWidget(many)
        self.many = many
        self.show_papers([])

    def apply_icons(self) -> None:
        self.arxiv_button.setIcon(icon("open"))
        self.pdf_button.setIcon(icon("pdf"))
        for key, ico in (("tag", "tag"), ("untag", "tag"), ("read", "unread"), ("unread", "unread"),
                         ("star", "star"), ("unstar", "star"), ("trash", "trash")):
            self.bulk_buttons[key].setIcon(icon(ico))

    # --------------------------------------------------------------- content
    def set_tag_names(self, names: list[str]) -> None:
        self.tag_model.setStringList(names)

    def show_papers(self, papers: list[Paper], colors: dict[str, str] | None = None) -> None:
        self.flush_note()
        if not papers:
            self.paper = None
            self.empty_timer.start()
            return
        if len(papers) > 1:
            self.show_many(len(papers), trash=all(p.trashed for p in papers))
            return
        p = papers[0]
        same = self._shown_id == p.id
        self.empty_timer.stop()
        self.paper, self._shown_id = p, p.id
        if p.title:
            self.title.setText(p.title)
        else:
            self.title.setText("[No title yet] " + opening_words(p.abstract, 10) + "…")
        authors = ", ".join(p.authors)
        if p.et_al:
            authors += " et al."
        self.authors.setText(authors or "Authors unknown")
        self.orgs.setText(" · ".join(p.orgs))
        self.orgs.setVisible(bool(p.orgs))
        cat = p.category or ""
        name = category_name(cat)
        meta = [p.date or "date unknown"]
        if cat:
            meta.append(f"{cat} ({name})" if name else cat)
        self.meta.setText("  ·  ".join(meta))
        ids = []
        if p.arxiv_id:
            ids.append(f"arXiv:{p.arxiv_id}")
        if p.doi:
            ids.append(f"DOI {p.doi}")
        venue = ", ".join(x for x in (
            p.journal, f"vol. {p.volume}" if p.volume else None, f"no. {p.issue}" if p.issue else None,
            f"pp. {p.pages}" if p.pages else None,
        ) if x)
        if venue:
            ids.append(venue)
        self.ids.setText("   ".join(ids) if ids else "No arXiv id yet")
        review = []
        if p.incomplete:
            review.append("Incomplete: known only from a profile listing (no title yet).")
        if p.needs_review:
            review.append("Needs review: the importer was unsure how to read this entry.")
        if p.trashed:
            review.append("In the trash.")
        self.review.setText("\n".join(review))
        self.review.setVisible(bool(review))
        self.pdf_button.setEnabled(bool(p.arxiv_id))
        self.pdf_button.setToolTip("Open the PDF on arXiv" if p.arxiv_id else "No arXiv id: no PDF link yet")
        self.arxiv_button.setToolTip(
            "Open the paper's arXiv page (Enter)" if p.arxiv_id else "Search arXiv for this paper (Enter)"
        )
        self._show_tags(p.tags, colors or {})
        self.abstract.setText(p.abstract or "")
        self.editor.load(p, keep_typing=same)  # (the same paper again: a field being typed stays as typed)
        if not same or (not self.note.dirty and self.note.toPlainText() != (p.note or "")):
            self.note.load(p.note or "")  # (the same text: the cursor and the typing session stay)
        if not same:
            self.verticalScrollBar().setValue(0)  # (another paper starts at its title)
        self.stack.setCurrentWidget(self.one)

    def _edit_toggled(self, on: bool) -> None:
        self.editor.setVisible(on)
        if self._review is not None:
            self.set_extras(self._review, self._history, self._attachments)
        for w in (self.title, self.authors, self.meta, self.ids, self.abstract):
            w.setVisible(not on)
        self.orgs.setVisible(not on and bool(self.paper and self.paper.orgs))
        if on and self.paper is not None:
            self.editor.load(self.paper)
            self.editor.title.setFocus()

    def show_note_editor(self) -> None:
        """The note editor in view when it gets the focus (below a long abstract it is
        under the pane's bottom): all of it when it fits, and its cursor (``ensureWidgetVisible``
        shows a text editor's cursor: also while typing)."""
        half = self.note.height() // 2
        self.ensureVisible(0, self.note.mapTo(self.widget(), QPoint(0, 0)).y() + half, 0, half)
        self.ensureWidgetVisible(self.note)

    def set_extras(self, review: dict[str, Any] | None, history: list[str], attachments: list[dict[str, Any]]) -> None:
        """What needs a second query: the review options, the history, the files."""
        for b in self.split_buttons:
            b.deleteLater()
        self.split_buttons = []
        self._review = review
        # A confident split needs no attention: the box appears for papers flagged
        # for review, or in Edit mode (to choose another split on purpose).
        show_review = bool(
            review and review.get("raw_line")
            and (review.get("needs_review") or (self.edit_button.isChecked() and review.get("alternatives")))
        )
        self.review_box.setVisible(show_review)
        if show_review and review is not None:
            self.review_title.setText(
                "Needs review: is the title/author split right?" if review.get("needs_review")
                else "Title/author split"
            )
            self.raw_line.setText("As imported: " + (review.get("raw_line") or ""))
            for i, alt in enumerate(review.get("alternatives") or []):
                first = (alt.get("authors") or ["?"])[0]
                b = QPushButton(no_mnemonic(f"Use: {alt.get('title')}  |  {first}"))
                b.setToolTip(plain_tooltip("Title: " + str(alt.get("title")) + "\nAuthors: " + ", ".join(alt.get("authors") or [])))
                b.setStyleSheet("text-align: left;")
                b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                b.clicked.connect(lambda _=False, idx=i: self.pickSplit.emit(idx))
                self.split_buttons_box.addWidget(b)
                self.split_buttons.append(b)
            self.accept_button.setVisible(bool(review.get("needs_review")))
        self._attachments = attachments
        self._history = list(history)
        for b in self.attachment_buttons:
            b.deleteLater()
        self.attachment_buttons = []
        for a in attachments:
            b = QPushButton(icon("pdf"), no_mnemonic(a["name"] + ("" if a["exists"] else "  (missing)")))
            b.setEnabled(bool(a["exists"]))
            b.setToolTip(plain_tooltip(str(a["path"]) if a["exists"] else f"The file is missing: {a['path']}"))
            b.setStyleSheet("text-align: left;")
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.clicked.connect(lambda _=False, path=str(a["path"]): self.openAttachment.emit(path))
            self.files_box.addWidget(b)
            self.attachment_buttons.append(b)
        self.history.setText("\n".join(history))
        local = [a for a in attachments if a["exists"] and str(a["name"]).lower().endswith(".pdf")]
        if local:
            self.pdf_button.setEnabled(True)
            self.pdf_button.setToolTip(plain_tooltip(f"Open the attached PDF ({local[0]['name']})"))

    def _show_empty(self) -> None:
        self._shown_id = None
        self.stack.setCurrentWidget(self.empty)

    def show_many(self, n: int, trash: bool = False) -> None:
        """Several papers selected: the bulk actions."""
        self.flush_note()
        self.empty_timer.stop()
        self.paper = self._shown_id = None
        self.many_label.setText(f"{n:,} papers selected")
        self.bulk_buttons["trash"].setVisible(not trash)
        self.stack.setCurrentWidget(self.many)

    def _show_tags(self, tags: list[str], colors: dict[str, str]) -> None:
        while self.tags_layout.count():
            it = self.tags_layout.takeAt(0)
            if it is not None and it.widget():
                it.widget().deleteLater()
        for t in tags:
            chip = _tag_chip(t, colors)
            chip.clicked.connect(lambda _=False, name=t: self.removeTag.emit(name))
            self.tags_layout.addWidget(chip)

    def tag_chips(self) -> list[str]:
        out = []
        for i in range(self.tags_layout.count()):
            it = self.tags_layout.itemAt(i)
            w = it.widget() if it else None
            if w is not None and not w.property("deleted"):
                out.append(w.property("tag"))
        return out

    def _add_tag(self) -> None:
        text = self.tag_edit.text().strip()
        if text:
            self.addTag.emit(text)
        self.tag_edit.clear()

    def flush_note(self) -> None:
        """Save the note now if it changed (selection change, focus loss, quit)."""
        self.note.timer.stop()
        if self.paper is not None and self.note.dirty:
            self.note.dirty = False
            text = self.note.toPlainText()
            base, self.note.base = self.note.base, text
            self.paper.note = text
            self.noteChanged.emit(self.paper.id, text, base, self.note.session)

    def show_kept_note(self, pid: int, text: str) -> None:
        """Another program changed the note meanwhile: both texts were kept; show them."""
        if self.paper is not None and self.paper.id == pid and not self.note.dirty:
            self.paper.note = text
            self.note.load(text)
