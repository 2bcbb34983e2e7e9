"""What the parser tells the writer during an import, in order, per input:

* ``FileStarted``: a file parses; its entries follow
* ``Entries``: a batch of prepared entries (``rows.prepare``)
* ``FileEnded``: the file parsed to its end (with the records it skipped,
  the warnings of its records, and the collections and saved searches it
  describes: ``models.FileGroups``, applied by the writer inside the import)
* ``Rejected``: the input cannot be imported (at any point: the writer drops
  what it wrote of it).  Also what the import report lists.

The same messages come from this process or from the parsing process
(``parse.messages``): they are plain data and pickle cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import FileGroups
from ..rows import EntryValues, PaperRow


@dataclass(frozen=True, slots=True)
class FileStarted:
    name: str
    format: str
    #: what reading the file said (its encoding, characters removed)
    warnings: tuple[str, ...]
    #: entries expected in the file (for progress)
    estimate: int
    #: the file describes collections or saved searches (``FileEnded.groups``): the writer
    #: remembers which paper each entry became
    groups: bool = False


@dataclass(frozen=True, slots=True)
class Entries:
    rows: list[EntryValues]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Sent as plain tuples: a named tuple pickles through a Python call per object
        # each way (``__getnewargs__``, then its ``__new__``): a third of the pickling.
        return _entries, ([(*v[:_ROW], tuple(v.row), *v[_ROW + 1 :]) for v in self.rows],)


#: Where ``EntryValues`` holds its ``PaperRow``.
_ROW = EntryValues._fields.index("row")


def _entries(rows: list[tuple[object, ...]]) -> Entries:
    make_row = PaperRow._make
    return Entries([EntryValues(*r[:_ROW], make_row(r[_ROW]), *r[_ROW + 1 :]) for r in rows])  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class FileEnded:
    #: records read with a warning ("line 12: ...")
    warnings: tuple[str, ...] = ()
    #: records that could not be used, (line, reason): the rest of the file imported
    skipped: tuple[tuple[int | None, str], ...] = ()
    #: the collections, memberships and saved searches the file describes
    groups: FileGroups | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


Message = FileStarted | Entries | FileEnded | Rejected
