"""refmanager's own JSON (``export --format json``, ``list --json``) read back.

Any export round-trips: a list of objects with the export's fields.  JSON of
any other shape is rejected with a message saying what was expected.  Each
object is a record: one that cannot be used (a field of the wrong type) is
skipped and reported, the rest imports.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..dates import validate_iso_date
from ..errors import ParseError
from ..models import Entry, ParsedFile, Problem
from . import common

NAME = "refmanager JSON"
_KNOWN_KEYS = {"title", "authors", "abstract", "arxiv_id", "date", "doi"}


def detect(text: str) -> bool:
    s = text.lstrip("\ufeff \t\r\n")
    return s.startswith("[") or s.startswith("{")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _elements(text: str) -> list[tuple[int, Any]]:
    """Decode a top-level array element by element, keeping each one's line."""
    dec = json.JSONDecoder()
    s = text.lstrip("\ufeff")
    pos = len(s) - len(s.lstrip())
    try:
        if s[pos] != "[":
            obj, _ = dec.raw_decode(s, pos)
            raise ParseError(
                "this JSON is not a refmanager export: expected a list of paper objects, "
                f"found a {type(obj).__name__ if not isinstance(obj, dict) else 'single object'}",
                line=_line_of(s, pos),
            )
        out = []
        pos += 1
        # Lines counted as we go (from the last element on), not from the start
        # of the file for every element: that was quadratic in the file's size.
        line_pos, line_no = 0, 1
        while True:
            while pos < len(s) and s[pos] in " \t\r\n":
                pos += 1
            if pos < len(s) and s[pos] == "]":
                pos += 1
                break
            start = pos
            obj, pos = dec.raw_decode(s, pos)
            line_no += s.count("\n", line_pos, start)
            line_pos = start
            out.append((line_no, obj))
            while pos < len(s) and s[pos] in " \t\r\n":
                pos += 1
            if pos < len(s) and s[pos] == ",":
                pos += 1
                continue
            if pos < len(s) and s[pos] == "]":
                pos += 1
                break
            raise json.JSONDecodeError("expected ',' or ']'", s, pos)
        if s[pos:].strip():
            raise json.JSONDecodeError("extra data after the list", s, pos)
        return out
    except json.JSONDecodeError as e:
        # e.msg may end in "at" ("Unterminated string starting at"): add the column.
        where = f" column {e.colno}" if e.msg.endswith(" at") else f" (column {e.colno})"
        raise ParseError(f"invalid JSON: {e.msg}{where}", line=e.lineno) from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        msg = str(e).split(";")[0]  # without "use sys.set_int_max_str_digits()"
        raise ParseError(f"invalid JSON: {msg}", line=_line_of(s, pos)) from None
    except IndexError:
        raise ParseError("invalid JSON: unexpected end of file", line=_line_of(s, len(s))) from None


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
    elements = _elements(text)
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
            entries.append(_entry(line, obj))
        except ParseError as e:
            skipped.append(Problem(line, e.message))
    if not entries and skipped:
        raise common.no_usable_record("paper object", skipped)
    return ParsedFile(format=NAME, entries=entries, skipped=skipped)
