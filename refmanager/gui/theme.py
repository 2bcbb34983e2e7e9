"""Light and dark palettes that follow the system's colour scheme."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from . import icons

log = logging.getLogger(__name__)

#: "system" follows the desktop; "light"/"dark" force one (a preference).
THEMES = ("system", "light", "dark")


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e6e6e6")
    role = QPalette.ColorRole
    p.setColor(role.Window, window)
    p.setColor(role.WindowText, text)
    p.setColor(role.Base, base)
    p.setColor(role.AlternateBase, QColor("#25272b"))
    p.setColor(role.ToolTipBase, window)
    p.setColor(role.ToolTipText, text)
    p.setColor(role.Text, text)
    p.setColor(role.Button, window)
    p.setColor(role.ButtonText, text)
    p.setColor(role.BrightText, QColor("#ff6b6b"))
    p.setColor(role.Link, QColor("#6ea8fe"))
    p.setColor(role.Highlight, QColor("#2f6fb3"))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.PlaceholderText, QColor("#8b8f97"))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, QColor("#6b6f76"))
    return p


def is_dark(scheme: Qt.ColorScheme) -> bool:
    return scheme == Qt.ColorScheme.Dark


def apply_scheme(scheme: Qt.ColorScheme, app: QApplication | None = None) -> None:
    """Switch the whole app to the palette for ``scheme``; icons are re-tinted."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return
    if is_dark(scheme):
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    icons.clear_cache()
    log.debug("colour scheme: %s", scheme)


def follow_system(theme: str = "system") -> None:
    """Apply the preferred theme now, and follow the system's changes when it is "system"."""
    app = QApplication.instance()
    if app is None:
        return
    hints = QGuiApplication.styleHints()
    if theme == "dark":
        apply_scheme(Qt.ColorScheme.Dark)
    elif theme == "light":
        apply_scheme(Qt.ColorScheme.Light)
    else:
        apply_scheme(hints.colorScheme())
    if not getattr(app, "_refmanager_follows", False):
        hints.colorSchemeChanged.connect(lambda s: apply_scheme(s) if _theme_pref(app) == "system" else None)
        app._refmanager_follows = True  # type: ignore[attr-defined]
    app._refmanager_theme = theme  # type: ignore[attr-defined]


def _theme_pref(app: QApplication) -> str:
    return getattr(app, "_refmanager_theme", "system")
