"""Run one import action in a child process and talk JSON lines on stdout.

The desktop app imports in a separate process, not a thread: parsing holds
Python's GIL in long C calls on whole files (decoding, splitting lines), which
would freeze the window for tens of milliseconds at a time.  A process cannot
block the UI, and cancelling is just ending it: SIGTERM sets the cancel flag
(the transaction rolls back), and even a SIGKILL leaves no trace because the
import is one uncommitted transaction.

Protocol: the spec arrives as one JSON object on stdin::

    {"library": PATH, "label": LABEL|null, "inputs": [{"name": N, "path": P} | {"name": N, "text": T}]}

and each stdout line is one JSON object: ``{"progress": [done, total]}``, then
exactly one of ``{"report": {...}}``, ``{"cancelled": true}`` or ``{"error": MESSAGE}``.
"""

from __future__ import annotations

import bisect
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from .errors import ImportCancelled, RefManagerError
from .library import FileReport, ImportReport, Library, Rejected


def runs(ids: list[int]) -> list[list[int]]:
    """``[3, 4, 5, 9]`` -> ``[[3, 5], [9, 9]]``: the ids of a large import are a few
    runs, and the window reads its report on its own thread (a million ids as JSON
    took 100 ms to read)."""
    out: list[list[int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


class IdRuns(Sequence[int]):
    """The ids of runs ``[[lo, hi], ...]``, as a read-only list that is never built:
    the window only counts them and hands them to its worker thread (making a
    list of a million ints took ~40 ms on the window's thread)."""

    def __init__(self, pairs: list[list[int]]) -> None:
        self._pairs = [(int(lo), int(hi)) for lo, hi in pairs]
        self._starts: list[int] = []  # index of each run's first id
        n = 0
        for lo, hi in self._pairs:
            self._starts.append(n)
            n += hi - lo + 1
        self._len = n

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return list(self)[i]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        k = bisect.bisect_right(self._starts, i) - 1
        return self._pairs[k][0] + i - self._starts[k]

    def __iter__(self) -> Iterator[int]:
        for lo, hi in self._pairs:
            yield from range(lo, hi + 1)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == self._len and list(self) == list(other)

    def __repr__(self) -> str:
        return f"IdRuns({[list(p) for p in self._pairs]})"


def report_to_wire(r: ImportReport) -> dict[str, Any]:
    return {
        "files": [f.__dict__ for f in r.files],
        "rejected": [x.__dict__ for x in r.rejected],
        "added_runs": runs(r.added_ids),
        "merged_runs": runs(r.merged_ids),
        "import_id": r.import_id,
    }


def report_from_wire(d: dict[str, Any]) -> ImportReport:
    return ImportReport(
        files=[FileReport(**f) for f in d["files"]],
        rejected=[Rejected(**x) for x in d["rejected"]],
        added_ids=IdRuns(d["added_runs"]),  # type: ignore[arg-type]  # (a read-only list)
        merged_ids=IdRuns(d["merged_runs"]),  # type: ignore[arg-type]
        import_id=d.get("import_id"),
    )


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


#: Niceness of the app's import (and of the parsing process it starts): on two
#: cores an import keeps both busy, and the window must still get the CPU at once
#: (at 5 the window still waited up to ~40 ms at times during a million-paper import).
IMPORT_NICENESS = 10


def main() -> int:
    cancel = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    if hasattr(os, "nice"):
        try:
            os.nice(IMPORT_NICENESS)
        except OSError:
            pass
    try:
        spec = json.loads(sys.stdin.read())
        inputs: list[tuple[str, Any]] = [
            (i["name"], Path(i["path"]) if "path" in i else i["text"]) for i in spec["inputs"]
        ]
        lib = Library(Path(spec["library"]), create=False)
    except (ValueError, KeyError) as e:
        _say({"error": f"bad import request: {e}"})
        return 2
    except RefManagerError as e:
        _say({"error": str(e)})
        return 1
    try:
        try:
            report = lib.import_inputs(
                inputs,
                progress=lambda d, t: _say({"progress": [d, t]}),
                cancelled=cancel.is_set,
                label=spec.get("label"),
            )
        except ImportCancelled:
            _say({"cancelled": True})
            return 0
        except RefManagerError as e:
            _say({"error": str(e)})
            return 1
        except Exception as e:  # a bug: one line for the user
            _say({"error": f"internal error: {e!r}"})
            return 3
        _say({"report": report_to_wire(report)})
        # After the report: the window need not wait for the WAL to be copied into
        # the library file (see Library.import_inputs).
        lib.checkpoint()
    finally:
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
