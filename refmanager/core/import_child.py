"""Run one import action in a child process and talk JSON lines on stdout.

The desktop app imports in a separate process, not a thread: parsing holds
Python's GIL in long C calls on whole files (decoding, splitting lines), which
would freeze the window for tens of milliseconds at a time.  A process cannot
block the UI, and cancelling is just ending it: SIGTERM sets the cancel flag
(the transaction rolls back), and even a SIGKILL leaves no trace because the
import is one uncommitted transaction.

Protocol: the spec arrives as one JSON object on stdin::

    {"library": PATH, "label": LABEL|null, "collection": ID|null,
     "inputs": [{"name": N, "path": P} | {"name": N, "text": T}]}

and each stdout line is one JSON object: ``{"progress": [done, total]}``, then
exactly one of ``{"report": {...}}`` (``ImportReport.to_wire``), ``{"cancelled": true}``
or ``{"error": MESSAGE}``.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .child import cancel_flag, say, serve
from .library import Library

#: Niceness of the app's import (and of the parsing process it starts): on two
#: cores an import keeps both busy, and the window must still get the CPU at once
#: (at 5 the window still waited up to ~40 ms at times during a million-paper import).
IMPORT_NICENESS = 10


@contextmanager
def collector_paused() -> Iterator[None]:
    """While a process runs an import: the garbage collector walked every object kept
    for it (fingerprints seen, ids for the report and undo) each time enough batches
    had been unpickled, ~5% of writing, for nothing (the rows make no cycles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def main() -> int:
    cancel = cancel_flag(IMPORT_NICENESS)

    def start(spec: dict[str, Any]) -> tuple[Library, Callable[[], dict[str, Any]]]:
        inputs: list[tuple[str, Any]] = [
            (i["name"], Path(i["path"]) if "path" in i else i["text"]) for i in spec["inputs"]
        ]
        lib = Library(Path(spec["library"]), create=False)

        def work() -> dict[str, Any]:
            with collector_paused():
                report = lib.import_inputs(
                    inputs,
                    progress=lambda d, t: say({"progress": [d, t]}),
                    cancelled=cancel.is_set,
                    label=spec.get("label"),
                    collection=spec.get("collection"),
                )
            return {"report": report.to_wire()}

        return lib, work

    return serve(start, bad=(ValueError, KeyError), bad_text="bad import request")


if __name__ == "__main__":
    sys.exit(main())
