"""Guard against a PySide6 release that leaks references to None (6.12.0 with Python 3.11).

Each call of a void Qt method from Python dropped one reference to None; after
enough repaints and updates the interpreter aborts with "none_dealloc".  Python
3.12+ makes None immortal, so the check matters only below that.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QWidget


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_qt_calls_keep_none_alive(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.show()
    QApplication.processEvents()
    before = sys.getrefcount(None)
    for _ in range(500):
        w.update()
        w.repaint()
        QApplication.processEvents()
    assert sys.getrefcount(None) - before > -100, "this PySide6 leaks references to None: pin another version"
