"""What every controller of the window starts from.

A controller (import, lookup, export, papers, marking) works on the window's
parts over the open library (``LibrarySession``) and the current view
(``ViewController``); the long-task runner is handed only to those that run
long tasks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .window_parts import WindowParts


class Controller(QObject):
    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController,
                 tasks: TaskRunner | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.view = view
        self.tasks = tasks

    def status(self, text: str, ms: int = 4000) -> None:
        """A message in the window's status line."""
        self.window.statusBar().showMessage(text, ms)
