"""What every child process of the app shares (the import, the PDFs' intake, the full-text index):
one JSON object per line on stdout to the window, a cancel flag set by SIGTERM, and the run of one
request (``serve``: read it, run it, say how it ended, with the same exit codes in each)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from .errors import ImportCancelled, RefManagerError

log = logging.getLogger(__name__)


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


def serve(start: Callable[[dict[str, Any]], tuple[Any, Callable[[], dict[str, Any]]]], *,
          bad: tuple[type[Exception], ...], bad_text: str, checkpoint: bool = True) -> int:
    """One request from stdin: ``start(spec)`` opens the library and returns it with the work
    to run, whose result is the last message.  Exit 0 (done, or cancelled: ``ImportCancelled``),
    1 (refused: a ``RefManagerError``, said as it is), 2 (a request ``start`` refuses with one of
    ``bad``: "``bad_text``: ..."), 3 (a bug: one line for the user).  The library is closed at the
    end; with ``checkpoint`` its WAL is copied into it after the result is said (the window
    need not wait for that)."""
    try:
        lib, work = start(json.loads(sys.stdin.read()))
    except bad as e:
        say({"error": f"{bad_text}: {e}"})
        return 2
    except RefManagerError as e:
        say({"error": str(e)})
        return 1
    try:
        end = work()
    except ImportCancelled:
        say({"cancelled": True})
        return 0
    except RefManagerError as e:
        say({"error": str(e)})
        return 1
    except Exception as e:  # a bug: one line for the user
        log.exception("%s: the child process failed", sys.argv[0])
        say({"error": f"internal error: {e!r}"})
        return 3
    else:
        say(end)
        if checkpoint:
            lib.checkpoint()
    finally:
        lib.close()
    return 0
