"""GUI fixtures: the real main window on a temporary library, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from refmanager.gui import dialogs
from refmanager.gui.app import create_window


class DialogRecorder:
    """Stands in for every dialog (the one seam): records calls, returns scripted answers."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.open_files: list[str] = []
        self.texts: list[str | None] = []
        self.confirm_answer = True
        self.color: str | None = "#d9534f"

    def install(self, mp: pytest.MonkeyPatch) -> None:
        mp.setattr(dialogs, "get_open_files", lambda parent, title="": self._rec("open", title) or list(self.open_files))
        mp.setattr(dialogs, "get_text", lambda parent, title, label, text="", items=None: self._rec("text", title, label, items) or (self.texts.pop(0) if self.texts else None))
        mp.setattr(dialogs, "confirm", lambda parent, title, text: self._rec("confirm", title, text) or self.confirm_answer)
        mp.setattr(dialogs, "inform", lambda parent, title, text, details="": self._rec("inform", title, text, details))
        mp.setattr(dialogs, "import_summary", lambda parent, title, text, details, problems: self._rec("import_summary", title, text, details, problems))
        mp.setattr(dialogs, "warn", lambda parent, title, text, details="": self._rec("warn", title, text, details))
        mp.setattr(dialogs, "get_color", lambda parent, initial: self._rec("color", initial) or self.color)
        mp.setattr(dialogs, "get_save_file", lambda parent, title, f, s="": self._rec("save", title) or self.save_path)
        self.save_path: str | None = None
        self.choices: list[str | None] = []
        self.library_to_open: str | None = None
        mp.setattr(dialogs, "choose", lambda parent, title, text, choices: self._rec("choose", title, text, choices) or (self.choices.pop(0) if self.choices else None))
        mp.setattr(dialogs, "get_open_library", lambda parent: self._rec("open_library") or self.library_to_open)
        #: File → Export bibliography's answer: (scope, format), or None (cancelled)
        self.bibliography: tuple[str, str] | None = None
        mp.setattr(dialogs, "bibliography_options", lambda parent, scopes, title: self._rec("bibliography", scopes, title) or self.bibliography)

    def _rec(self, kind: str, *args: object) -> None:
        self.calls.append((kind, args))

    def of(self, kind: str) -> list[tuple]:
        return [a for k, a in self.calls if k == kind]


@pytest.fixture
def dialog_log(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    rec = DialogRecorder()
    rec.install(monkeypatch)
    return rec


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch the URL opener's one seam: QDesktopServices.openUrl inside gui.links."""
    from refmanager.gui import links

    urls: list[str] = []
    monkeypatch.setattr(links.QDesktopServices, "openUrl", staticmethod(lambda u: urls.append(u.toString(links.QUrl.ComponentFormattingOption.FullyEncoded)) or True))
    return urls


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, tmp_path: Path, settings_path: Path, dialog_log):
    windows = []

    def make(library: Path | None = None):
        lib_path = library or (tmp_path / "library.db")
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        win = create_window(lib_path, settings)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        windows.append(win)
        return win

    yield make
    for w in windows:
        w.close()  # stops the window's timers before its library goes away
        try:
            w.lib.close()
        except Exception:
            pass


@pytest.fixture
def window(make_window):
    return make_window()
