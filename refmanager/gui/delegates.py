"""Painting that a model cannot express: coloured tag chips in the Tags column."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .table_model import PaperTableModel, TagsRole

DEFAULT_CHIP = QColor("#8a94a6")


class TagsDelegate(QStyledItemDelegate):
    """Draws each tag as a small rounded chip in its colour (text drawn as plain text)."""

    def __init__(self, model: PaperTableModel, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        tags = index.data(TagsRole) or []
        if not tags:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(opt.font)
        x = opt.rect.x() + 3
        h = min(opt.rect.height() - 4, fm.height() + 2)
        y = opt.rect.y() + (opt.rect.height() - h) / 2
        right = opt.rect.right() - 3
        start = x
        for t in tags:
            color = QColor(self.model.tag_color(t) or DEFAULT_CHIP)
            w = fm.horizontalAdvance(t) + 10
            if x == start and x + w > right:
                # the first tag alone is too wide: show it elided rather than not at all
                t = fm.elidedText(t, Qt.TextElideMode.ElideRight, max(0, right - x - 10))
                w = fm.horizontalAdvance(t) + 10
            if x + w > right:
                if x + fm.horizontalAdvance("…") < right:
                    painter.setPen(opt.palette.text().color())
                    painter.drawText(QRectF(x, y, right - x, h), Qt.AlignmentFlag.AlignVCenter, "…")
                break
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(x, y, w, h), h / 2, h / 2)
            painter.setPen(QColor("#ffffff") if color.lightness() < 150 else QColor("#000000"))
            painter.drawText(QRectF(x, y, w, h), Qt.AlignmentFlag.AlignCenter, t)
            x += w + 4
        painter.restore()
