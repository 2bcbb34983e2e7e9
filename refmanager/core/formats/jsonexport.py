"""refmanager's own JSON (``export --format json``, ``list --json``) read back.

Any export round-trips: a list of objects with the export's fields, or (an export of a
library with collections or saved searches) an object ``{"papers": [...], "collections":
["Thesis", "Thesis/Related work", ...], "saved_searches": [{"name": ..., "query": ...}]}``
whose papers each name their collections by path (``"collections": [...]``); every path is
listed at the top so that an empty collection survives.  JSON of any other shape is rejected
with a message saying what was expected.  Each object is a record: one that cannot be used (a
field of the wrong type) is skipped and reported, the rest imports; a collection or saved
search that cannot be used is a warning.  A paper's ``annotations`` of its PDFs (schema v13)
come back with it, once (``store/import_groups.py``); one that cannot be used is a warning.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..dates import validate_iso_date
from ..errors import ParseError
from ..models import Entry, FileGroups, GroupPath, ParsedFile, Parsing, Problem
from . import common

NAME = "refmanager JSON"
_KNOWN_KEYS = {"title", "authors", "abstract", "arxiv_id", "date", "doi"}


def detect(text: str) -> bool:
    s = text.lstrip("\ufeff \t\r\n")
    return s.startswith("[") or s.startswith("{")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


_WS = " \t\r\n"
#: JSON values with the line each starts on.
_Lined = list[tuple[int, Any]]


class _BadValue(ValueError):
    """A value JSON allows and Python refuses (an integer of more than 4300 digits), where it starts."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _decode(dec: json.JSONDecoder, s: str, pos: int) -> tuple[Any, int]:
    try:
        return dec.raw_decode(s, pos)
    except json.JSONDecodeError:
        raise
    except ValueError as e:
        raise _BadValue(str(e), pos) from None


def _skip(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] in _WS:
        pos += 1
    return pos


def _elements(text: str) -> tuple[_Lined, dict[str, tuple[int, Any]]]:
    """Decode the papers element by element, keeping each one's line; and the other members
    of a top-level object (key -> (line, value))."""
    dec = json.JSONDecoder()
    s = text.lstrip("\ufeff")
    pos = start = _skip(s, 0)
    try:
        if s[pos] == "{":
            papers, others, pos = _object(dec, s, pos)
        elif s[pos] == "[":
            (papers, pos), others = _array(dec, s, pos, 0, 1), {}
        else:
            papers = None
        if papers is None:
            obj, _ = dec.raw_decode(s, start)
            raise ParseError(
                "this JSON is not a refmanager export: expected a list of paper objects, "
                f"found a {type(obj).__name__ if not isinstance(obj, dict) else 'single object'}",
                line=_line_of(s, start),
            )
        if s[pos:].strip():
            raise json.JSONDecodeError("extra data after the list", s, pos)
        return papers, others
    except json.JSONDecodeError as e:
        # e.msg may end in "at" ("Unterminated string starting at"): add the column.
        where = f" column {e.colno}" if e.msg.endswith(" at") else f" (column {e.colno})"
        raise ParseError(f"invalid JSON: {e.msg}{where}", line=e.lineno) from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        msg = str(e).split(";")[0]  # without "use sys.set_int_max_str_digits()"
        raise ParseError(f"invalid JSON: {msg}", line=_line_of(s, getattr(e, "pos", pos))) from None
    except IndexError:
        raise ParseError("invalid JSON: unexpected end of file", line=_line_of(s, len(s))) from None


def _object(dec: json.JSONDecoder, s: str, pos: int) -> tuple[_Lined | None, dict[str, tuple[int, Any]], int]:
    """A top-level object: its ``papers`` array element by element (None: it has none), its
    other members with their lines, and where it ends."""
    papers = None
    others: dict[str, tuple[int, Any]] = {}
    line_pos, line_no = 0, 1
    pos = _skip(s, pos + 1)
    if s[pos] == "}":
        return papers, others, pos + 1
    while True:
        if s[pos] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", s, pos)
        key, pos = _decode(dec, s, pos)
        pos = _skip(s, pos)
        if s[pos] != ":":
            raise json.JSONDecodeError("expected ':'", s, pos)
        pos = _skip(s, pos + 1)
        line_no += s.count("\n", line_pos, pos)
        line_pos = pos
        if key == "papers" and s[pos] == "[" and papers is None:
            papers, end = _array(dec, s, pos, pos, line_no)
        else:
            value, end = _decode(dec, s, pos)
            others[str(key)] = (line_no, value)
        pos = _skip(s, end)
        if s[pos] == "}":
            return papers, others, pos + 1
        if s[pos] != ",":
            raise json.JSONDecodeError("expected ',' or '}'", s, pos)
        pos = _skip(s, pos + 1)


def _array(dec: json.JSONDecoder, s: str, pos: int, line_pos: int, line_no: int) -> tuple[_Lined, int]:
    """An array at ``pos`` (on line ``line_no``, which starts at ``line_pos`` or before),
    element by element with each one's line; and where it ends."""
    out = []
    pos += 1
    # Lines counted as we go (from the last element on), not from the start
    # of the file for every element: that was quadratic in the file's size.
    while True:
        pos = _skip(s, pos)
        if pos < len(s) and s[pos] == "]":
            return out, pos + 1
        start = pos
        obj, pos = _decode(dec, s, pos)
        line_no += s.count("\n", line_pos, start)
        line_pos = start
        out.append((line_no, obj))
        pos = _skip(s, pos)
        if pos < len(s) and s[pos] == ",":
            pos += 1
            continue
        if pos < len(s) and s[pos] == "]":
            return out, pos + 1
        raise json.JSONDecodeError("expected ',' or ']'", s, pos)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_str(v: str, field: str, line: int) -> str:
    if _SURROGATE.search(v):  # a "\ud800" escape: SQLite cannot store it
        raise ParseError(f"field {field!r} holds an invalid character (a lone surrogate)", line=line)
    return v


def _str_or_none(v: Any, field: str, line: int) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise ParseError(f"field {field!r} must be a string or null", line=line)
    return _valid_str(v, field, line) or None


def _str_list(v: Any, field: str, line: int) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ParseError(f"field {field!r} must be a list of strings", line=line)
    return [_valid_str(x, field, line) for x in v]


def _bool(obj: dict[str, Any], field: str, line: int, default: bool | None) -> bool | None:
    v = obj.get(field)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise ParseError(f"field {field!r} must be true, false or null", line=line)
    return v


def _entry(line: int, obj: dict[str, Any]) -> Entry:
    """One paper object as an entry; ParseError (at its line) when it cannot be used."""
    # (identifiers as given: ``validation.check_ids`` holds them to edit's rules, and a
    # record with one that is none imports without it, with a warning)
    aid = _str_or_none(obj.get("arxiv_id"), "arxiv_id", line)
    doi = _str_or_none(obj.get("doi"), "doi", line)
    e = Entry(
        kind="json",
        line=line,
        title=_str_or_none(obj.get("title"), "title", line),
        authors=_str_list(obj.get("authors"), "authors", line),
        et_al=bool(_bool(obj, "et_al", line, False)),
        orgs=_str_list(obj.get("orgs"), "orgs", line),
        date=_str_or_none(obj.get("date"), "date", line),
        category=_str_or_none(obj.get("category"), "category", line),
        abstract=_str_or_none(obj.get("abstract"), "abstract", line),
        arxiv_id=aid,
        doi=doi,
        journal=_str_or_none(obj.get("journal"), "journal", line),
        volume=_str_or_none(obj.get("volume"), "volume", line),
        issue=_str_or_none(obj.get("issue"), "issue", line),
        pages=_str_or_none(obj.get("pages"), "pages", line),
        incomplete=bool(_bool(obj, "incomplete", line, obj.get("title") is None)),
        needs_review=bool(_bool(obj, "needs_review", line, False)),
        tags=_str_list(obj.get("tags"), "tags", line),
        note=_str_or_none(obj.get("note"), "note", line),
        read=_bool(obj, "read", line, None),
        starred=_bool(obj, "starred", line, None),
    )
    if e.date is not None:
        e.date = validate_iso_date(e.date, line)
    return e


def parse(text: str, **_context: Any) -> ParsedFile:
    entries: list[Entry] = []
    skipped: list[Problem] = []
    warnings: list[Problem] = []
    elements, others = _elements(text)
    groups = _groups(others, warnings)
    on_line: dict[tuple[int, str], int] = {}
    for line, obj in elements:
        if not isinstance(obj, dict) or not (_KNOWN_KEYS & obj.keys()):
            if entries or skipped:  # a stray element in a file of papers
                skipped.append(Problem(line, "not a paper object (no field such as 'title', 'authors', 'abstract')"))
                continue
            raise ParseError(
                "this JSON is not a refmanager export: each element must be a paper object "
                "with fields such as 'title', 'authors', 'abstract'",
                line=line,
            )
        try:
            entry = _entry(line, obj)
            paths = [_path(p) for p in _str_list(obj.get("collections"), "collections", line)]
        except ParseError as e:
            skipped.append(Problem(line, e.message))
            continue
        entries.append(entry)
        at = (line, entry.citekey or "")
        ref = (*at, on_line.get(at, 0))  # (papers written on one line: each its own)
        on_line[at] = ref[2] + 1
        if paths := [p for p in paths if p]:
            groups = groups or FileGroups()
            groups.members[ref] = paths
        if notes := _annotations(obj.get("annotations"), line, warnings):  # (schema v13: checked as written)
            groups = groups or FileGroups()
            groups.annotations[ref] = notes
    if not entries and skipped:
        raise common.no_usable_record("paper object", skipped)
    return ParsedFile(format=NAME, entries=entries, skipped=skipped, warnings=warnings, groups=groups)


def _annotations(v: Any, line: int, warnings: list[Problem]) -> list[dict[str, Any]]:
    """A paper's ``annotations``: the objects among them (the store checks each when writing it)."""
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(a, dict) for a in v):
        warnings.append(Problem(line, "'annotations' must be a list of objects; ignored"))
        return []
    return v


def iter_parse(text: str, **context: Any) -> Parsing:
    """``parse``, as the import reads a file (so that its collections come along)."""
    pf = parse(text, **context)
    return Parsing(pf.format, len(pf.entries), iter(pf.entries), pf.skipped, pf.warnings, pf.groups)


def _path(path: str) -> GroupPath:
    """A collection's path ("Thesis/Related work") as its names."""
    return tuple(" ".join(n.split()) for n in path.split("/") if n.strip())


def _groups(others: dict[str, tuple[int, Any]], warnings: list[Problem]) -> FileGroups | None:
    """The export's collections and saved searches (an object's ``collections`` and
    ``saved_searches``): each one that cannot be used is a warning."""
    if "collections" not in others and "saved_searches" not in others:
        return None
    groups = FileGroups()
    line, paths = others.get("collections", (1, []))
    if not isinstance(paths, list):
        warnings.append(Problem(line, "'collections' must be a list of paths; ignored"))
        paths = []
    for p in paths:
        if isinstance(p, str) and not _SURROGATE.search(p) and _path(p):
            groups.collections.append((_path(p), line))
        else:
            warnings.append(Problem(line, f"collection {p!r} is not a path such as \"Thesis/Related work\"; skipped"))
    line, searches = others.get("saved_searches", (1, []))
    if not isinstance(searches, list):
        warnings.append(Problem(line, "'saved_searches' must be a list of {\"name\", \"query\"}; ignored"))
        searches = []
    for s in searches:
        name, query = (s.get("name"), s.get("query")) if isinstance(s, dict) else (None, None)
        if isinstance(name, str) and isinstance(query, str) and name.strip() and query.strip() \
                and not _SURROGATE.search(name + query):
            groups.searches.append((name, query, line))
        else:
            warnings.append(Problem(line, f"saved search {s!r:.80} needs a name and a query; skipped"))
    return groups
