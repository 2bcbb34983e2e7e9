"""Merge papers: their fields side by side, one choice per field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .plain import plain_label

LABELS = {
    "title": "Title", "authors": "Authors", "et_al": "Et al.", "orgs": "Organisations", "date": "Date",
    "category": "Category", "abstract": "Abstract", "arxiv_id": "arXiv id", "doi": "DOI", "journal": "Journal",
    "volume": "Volume", "issue": "Issue", "pages": "Pages",
}


def _show(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 160 else text[:159] + "…"


class MergeDialog(QDialog):
    """Rows are fields, columns are papers; defaults are the most complete values."""

    def __init__(self, fields: dict[str, list[tuple[int, Any]]], defaults: dict[str, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge papers")
        self.resize(900, 560)
        outer = QVBoxLayout(self)
        intro = QLabel("Choose, for each field, the value the merged paper keeps. Tags and notes are joined. Edit → Undo takes the merge back.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(intro)
        area = QScrollArea()
        area.setWidgetResizable(True)
        inner = QWidget()
        grid = QGridLayout(inner)
        ids = [pid for pid, _ in next(iter(fields.values()))] if fields else []
        for c, pid in enumerate(ids):
            h = plain_label(f"Paper {pid}")
            f = h.font()
            f.setBold(True)
            h.setFont(f)
            grid.addWidget(h, 0, c + 1)
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[tuple[str, int], QRadioButton] = {}
        for r, (field, values) in enumerate(fields.items(), start=1):
            grid.addWidget(plain_label(LABELS.get(field, field)), r, 0, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            self.groups[field] = group
            for c, (pid, value) in enumerate(values):
                b = QRadioButton()
                text = plain_label(_show(value))
                text.setWordWrap(True)
                cell = QWidget()
                cl = QVBoxLayout(cell)
                cl.setContentsMargins(0, 0, 0, 6)
                b.setText("")
                b.setAccessibleName(f"{field} from paper {pid}")
                row = QWidget()
                from PySide6.QtWidgets import QHBoxLayout

                rl = QHBoxLayout(row)
                rl.setContentsMargins(0, 0, 0, 0)
                rl.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
                rl.addWidget(text, 1)
                cl.addWidget(row)
                group.addButton(b, pid)
                self.buttons[(field, pid)] = b
                if defaults.get(field) == pid:
                    b.setChecked(True)
                grid.addWidget(cell, r, c + 1)
        area.setWidget(inner)
        outer.addWidget(area, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        outer.addWidget(box)

    def choices(self) -> dict[str, int]:
        return {f: g.checkedId() for f, g in self.groups.items() if g.checkedId() != -1}
