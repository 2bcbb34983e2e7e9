"""What every child process of the app shares (the import, the PDFs' intake, the full-text index):
one JSON object per line on stdout to the window, and a cancel flag set by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from typing import Any


def say(obj: dict[str, Any]) -> None:
    """One message to the window (``gui/workers.ChildProcess`` reads it)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cancel_flag(niceness: int, *, sigint: bool = False) -> threading.Event:
    """The flag SIGTERM sets (and SIGINT, when ``sigint``: Ctrl+C in the app's terminal), and
    the process made nicer by ``niceness`` so that the window gets the CPU first (processes it
    starts inherit it)."""
    cancel = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    if sigint:
        signal.signal(signal.SIGINT, lambda *_: cancel.set())
    if hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:
            pass
    return cancel
