"""One app per library (issue 16): two starts at the same moment, and a hard link.

Each start is a real process running ``run_app`` offscreen.  The lock on the library's
keys (single_instance.py) decides which start is the app; the other hands over (it asks
the app to bring its window forward, says so on standard error, and exits 0).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from refmanager.core.library import Library
from refmanager.gui.single_instance import InstanceLock, claim_or_hand_over, library_keys

from ..conftest import ROOT

SAFETY_S = 60  # limits only: nothing here measures time

# A start of the app: READY once imported, then waits for the "go" file (so that two starts
# begin together), then run_app.  The app prints UP when its event loop runs and ACTIVATED
# each time a later start asks for its window.
START = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from refmanager.gui import app as gui_app
    real_activate = gui_app.activate
    def activate(win):
        print("ACTIVATED", flush=True)
        real_activate(win)
    gui_app.activate = activate
    QTimer.singleShot(0, lambda: print("UP", flush=True))
    print("READY", flush=True)
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.002)
    sys.exit(gui_app.run_app(sys.argv[1]))
    """
)


class Start:
    """One start of the app, its standard output read line by line in a thread."""

    def __init__(self, tmp_path: Path, library: Path, go: Path) -> None:
        script = tmp_path / "start.py"
        script.write_text(START.format(root=str(ROOT)))
        env = dict(os.environ)
        for var, sub in (("XDG_RUNTIME_DIR", "run"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
            (tmp_path / sub).mkdir(mode=0o700, exist_ok=True)
            env[var] = str(tmp_path / sub)
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(library), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("EOF")

    def expect(self, marker: str) -> None:
        while True:
            line = self.lines.get(timeout=SAFETY_S)
            if line == marker:
                return
            assert line != "EOF", f"ended without {marker}: {self.finish()}"

    def finish(self) -> tuple[int | None, str]:
        try:
            _out, self.stderr = self.proc.communicate(timeout=SAFETY_S)
        except ValueError:  # stdout is being read by the thread
            self.proc.wait(SAFETY_S)
            self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
        return self.proc.returncode, self.stderr

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code, _err = self.finish()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(SAFETY_S)


def _first_to_end(starts: list[Start]) -> Start:
    for _ in range(SAFETY_S * 20):
        for s in starts:
            if s.proc.poll() is not None:
                return s
        time.sleep(0.05)
    raise AssertionError("neither start handed over: two windows on one library")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "lib.db"
    Library(path).close()
    return path


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_two_starts_at_the_same_moment_make_one_window(tmp_path: Path, library: Path):
    go = tmp_path / "go"
    starts = [Start(tmp_path, library, go) for _ in range(2)]
    try:
        for s in starts:
            s.expect("READY")
        go.touch()  # both begin together
        loser = _first_to_end(starts)
        winner = starts[1 - starts.index(loser)]
        code, err = loser.finish()
        assert code == 0
        assert f"refmanager: {library} is already open: the open window was brought forward" in err.splitlines()
        winner.expect("UP")
        winner.expect("ACTIVATED")  # the loser's start brought the window forward
        assert winner.proc.poll() is None
        assert winner.stop() == 0
    finally:
        for s in starts:
            s.kill()


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_a_hard_link_to_the_library_is_the_same_library(tmp_path: Path, library: Path):
    link = tmp_path / "another name.db"
    os.link(library, link)
    go = tmp_path / "go"
    go.touch()
    first = Start(tmp_path, library, go)
    second = None
    try:
        first.expect("UP")
        second = Start(tmp_path, link, go)
        code, err = second.finish()
        assert code == 0
        assert f"refmanager: {link} is already open: the open window was brought forward" in err.splitlines()
        first.expect("ACTIVATED")
        assert first.stop() == 0
        # the app has ended (its locks with it): the next start through the link is the app
        third = Start(tmp_path, link, go)
        try:
            third.expect("UP")
            assert third.stop() == 0
        finally:
            third.kill()
    finally:
        first.kill()
        if second is not None:
            second.kill()


def test_the_lock_follows_the_file_not_the_path(qapp, tmp_path: Path, library: Path, monkeypatch: pytest.MonkeyPatch):
    """In one process: the keys of a hard link share the file's key; a key held by another
    process (here: another InstanceLock, i.e. another open lock file) is refused, and a
    refused claim keeps nothing."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    link = tmp_path / "link.db"
    os.link(library, link)
    assert library_keys(library)[1] == library_keys(link)[1]
    assert library_keys(library)[0] != library_keys(link)[0]
    first, second = InstanceLock(), InstanceLock()
    assert first.claim(library) is None and first.keys == library_keys(library)
    assert second.claim(link) == library_keys(link)[1] and second.keys == []
    assert claim_or_hand_over(second, link, wait_s=0) is None  # held, and nobody listens
    first.release()
    assert second.claim(link) is None and second.keys == library_keys(link)
    second.release()
