"""SVG icons from ``resources/``, tinted to the current palette (light or dark)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def resources_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for d in (here / "_resources", here.parent / "resources"):
        if d.is_dir():
            return d
    return here.parent / "resources"


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "refmanager.svg"))


@functools.lru_cache(maxsize=256)
def _icon(name: str, color: str) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8").replace("@C@", color)
    except OSError:
        log.warning("missing icon %s", path)
        return QIcon()
    ico = QIcon()
    for size in (16, 24, 32, 48):
        pm = QPixmap(size, size)
        pm.loadFromData(QByteArray(svg.encode("utf-8")), "SVG")
        ico.addPixmap(pm)
    return ico


def icon(name: str) -> QIcon:
    """An icon drawn in the palette's text colour, so it suits light and dark themes."""
    pal = QApplication.palette()
    return _icon(name, pal.color(QPalette.ColorRole.WindowText).name())


def clear_cache() -> None:
    _icon.cache_clear()
