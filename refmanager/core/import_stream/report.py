"""What an import did: per file, entries added, merged and unchanged; the rejected inputs.

The ids of the papers added or merged are ``IdRuns`` in every process: the
ids of a large import are a few runs of consecutive numbers, so they cross
from the app's import process to the window as runs (a million ids as JSON
took 100 ms to read on the window's thread) and stay runs there.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from .messages import Rejected


class IdRuns(Sequence[int]):
    """A list of ids kept as runs ``[lo, hi]`` of consecutive ones: appended to
    while an import writes, cut back when a file is rolled back, never expanded
    (making a list of a million ints took ~40 ms on the window's thread)."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._runs: list[list[int]] = []
        self._starts: list[int] = []  # index of each run's first id
        self._len = 0
        for i in ids:
            self.append(i)

    @classmethod
    def from_runs(cls, runs: Iterable[Sequence[int]]) -> IdRuns:
        out = cls()
        for lo, hi in runs:
            out._starts.append(out._len)
            out._runs.append([int(lo), int(hi)])
            out._len += int(hi) - int(lo) + 1
        return out

    def runs(self) -> list[list[int]]:
        """``[3, 4, 5, 9]`` -> ``[[3, 5], [9, 9]]``."""
        return [list(r) for r in self._runs]

    def append(self, i: int) -> None:
        if self._runs and i == self._runs[-1][1] + 1:
            self._runs[-1][1] = i
        else:
            self._starts.append(self._len)
            self._runs.append([i, i])
        self._len += 1

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` ids."""
        if n >= self._len:
            return
        if n <= 0:
            self._runs, self._starts, self._len = [], [], 0
            return
        k = bisect.bisect_right(self._starts, n - 1) - 1  # the run holding the last id kept
        del self._runs[k + 1 :], self._starts[k + 1 :]
        self._runs[k][1] = self._runs[k][0] + (n - 1 - self._starts[k])
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
        return self._runs[k][0] + i - self._starts[k]

    def __iter__(self) -> Iterator[int]:
        for lo, hi in self._runs:
            yield from range(lo, hi + 1)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == self._len and list(self) == list(other)

    def __repr__(self) -> str:
        return f"IdRuns({self._runs})"


@dataclass
class FileReport:
    file: str
    format: str
    entries: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: records of the file that could not be used: ``{"line": N, "reason": "..."}``
    skipped: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    added_ids: IdRuns = field(default_factory=IdRuns)
    merged_ids: IdRuns = field(default_factory=IdRuns)
    import_id: int | None = None

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(len(f.skipped) for f in self.files)

    def problems(self) -> list[str]:
        """Every skipped record, warning and rejected file, one line each ("FILE:LINE: ...")."""
        out = []
        for f in self.files:
            out.extend(f"{f.file}{'' if s['line'] is None else ':' + str(s['line'])}: skipped: {s['reason']}"
                       for s in f.skipped)
            out.extend(f"{f.file}: warning: {w}" for w in f.warnings)
        out.extend(f"{r}" for r in self.rejected)
        return out

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.merged)

    def summary(self) -> str:
        skipped = f", {self.skipped} record{'s' if self.skipped != 1 else ''} skipped" if self.skipped else ""
        return (f"{self.added} added, {self.merged} merged, {self.unchanged} unchanged{skipped}, "
                f"{len(self.rejected)} rejected")

    def lines(self) -> list[str]:
        out = []
        for f in self.files:
            skipped = f", {len(f.skipped)} skipped" if f.skipped else ""
            out.append(f"{f.file} ({f.format}): {f.added} added, {f.merged} merged, {f.unchanged} unchanged{skipped}")
            out.extend(f"  skipped line {s['line']}: {s['reason']}" if s["line"] is not None
                       else f"  skipped: {s['reason']}" for s in f.skipped)
            out.extend(f"  warning: {w}" for w in f.warnings)
            out.extend(f"  {n}" for n in f.notes)
        for r in self.rejected:
            out.append(f"rejected {r}")
        out.append("Total: " + self.summary())
        if self.files and not self.changed_anything and not self.rejected:
            out.append("Nothing changed: everything was already in the library.")
        return out

    def to_json(self) -> dict[str, Any]:
        """The report a user reads (``import --json``)."""
        return {
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "files": [dataclasses.asdict(f) for f in self.files],
            "rejected": [dataclasses.asdict(r) for r in self.rejected],
        }

    def to_wire(self) -> dict[str, Any]:
        """The whole report as JSON data, ids as runs (the app's import process sends it)."""
        return {
            "files": [dataclasses.asdict(f) for f in self.files],
            "rejected": [dataclasses.asdict(r) for r in self.rejected],
            "added_runs": self.added_ids.runs(),
            "merged_runs": self.merged_ids.runs(),
            "import_id": self.import_id,
        }

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> ImportReport:
        return cls(
            files=[FileReport(**f) for f in d["files"]],
            rejected=[Rejected(**x) for x in d["rejected"]],
            added_ids=IdRuns.from_runs(d["added_runs"]),
            merged_ids=IdRuns.from_runs(d["merged_runs"]),
            import_id=d.get("import_id"),
        )
