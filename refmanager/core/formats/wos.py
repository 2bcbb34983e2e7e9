"""Web of Science plain text ("Other file formats" → "Plain text file").

    FN Clarivate Analytics Web of Science
    VR 1.0
    PT J
    AU Smith, J
       Doe, K
    AF Smith, John
       Doe, Kate
    TI A title that
       goes on here
    ...
    ER

    EF

Two-character tags, continuation lines indented by three spaces, each record
from ``PT`` to ``ER``.  Records are self-delimiting: one that cannot be used
is skipped and reported, a repeated tag keeps its first value with a warning,
and the rest of the file imports.  Field meanings: Clarivate's "Web of
Science Core Collection field tags" help page.
"""

from __future__ import annotations

import re
from typing import Any

from ..models import Entry, ParsedFile, Problem
from . import common

NAME = "Web of Science"

#: What starts a Web of Science file or record (``formats.detect_format``).
MARKER = re.compile(r"^(?:FN (?:Clarivate|Thomson|ISI)|PT [A-Z]\s*$)", re.MULTILINE)
_TAG = re.compile(r"^([A-Z][A-Z0-9]) (.*)$|^([A-Z][A-Z0-9])$")
#: Tags whose lines are items of a list (one author, one address, one reference a line).
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "C1", "C3", "CR", "EM", "RI", "OI", "FU", "SE"})
#: ``PD`` (publication date) as WoS writes it: "JAN", "JAN 15", "JAN-FEB", "FAL".
_WOS_MONTHS = re.compile(r"^([A-Z]{3})(?:[-/ ][A-Z]{3})?(?: (\d{1,2}))?")


def detect(text: str) -> bool:
    """A ``PT`` line and an ``ER`` line: Web of Science's record frame."""
    return MARKER.search(text[: 1 << 20]) is not None and re.search(r"^ER\s*$", text, re.MULTILINE) is not None


def _records(text: str) -> tuple[list[tuple[int, list[tuple[int, str]]]], list[Problem]]:
    """(line of PT, [(line, text)] of the record) for every record; problems of the frame."""
    records: list[tuple[int, list[tuple[int, str]]]] = []
    problems: list[Problem] = []
    start: int | None = None
    body: list[tuple[int, str]] = []
    for i, line in enumerate(text.split("\n"), start=1):
        tag = line[:2] if (len(line) == 2 or line[2:3] == " ") and line[:1].isupper() else None
        if tag == "PT":
            if start is not None:
                problems.append(Problem(start, "this record has no 'ER' line before the next one; read up to there"))
                records.append((start, body))
            start, body = i, [(i, line)]
        elif tag == "ER" and line.strip() == "ER":
            if start is not None:
                records.append((start, body))
            start, body = None, []
        elif start is not None:
            body.append((i, line))
    if start is not None:
        problems.append(Problem(start, "the last record has no 'ER' line; read to the end of the file"))
        records.append((start, body))
    return records, problems


def _fields(lines: list[tuple[int, str]], warnings: list[Problem]) -> dict[str, list[str]]:
    """Tag -> values; list tags get one value per line, others their lines joined."""
    out: dict[str, list[str]] = {}
    tag: str | None = None
    repeated = False
    more: list[str] = []  # the continuation lines of the last value, joined once (not line by line: quadratic)

    def flush() -> None:
        if more:
            out[tag][-1] = ("\n" if tag == "AB" else " ").join([out[tag][-1], *more])  # type: ignore[index]
            more.clear()

    for lineno, line in lines:
        if line.startswith("   ") and tag is not None:
            if repeated:
                continue
            value = line[3:].strip()
            if tag in _LIST_TAGS:
                out[tag].append(value)
            else:
                more.append(value)
            continue
        flush()
        m = _TAG.match(line)
        if not m:
            if line.strip():
                warnings.append(Problem(lineno, f"line not understood, skipped: {line.strip()[:60]!r}"))
            tag = None
            continue
        tag = m.group(1) or m.group(3)
        value = (m.group(2) or "").strip()
        repeated = tag in out and tag not in _LIST_TAGS
        if repeated:
            warnings.append(Problem(lineno, f"field {tag} given twice in one record; kept the first"))
            continue
        out.setdefault(tag, []).append(value)
    flush()
    return out




def _date(f: dict[str, list[str]]) -> str | None:
    year = common.first_value(f, "PY")
    if year is None:
        return common.parse_date(common.first_value(f, "EA"))  # early access: "JAN 2020"
    pd = (common.first_value(f, "PD") or "").upper()
    m = _WOS_MONTHS.match(pd)
    month = common.month_number(m.group(1)) if m else None
    day = m.group(2) if m else None
    return common.make_date(year, month, day)


def _pages(f: dict[str, list[str]]) -> str | None:
    bp, ep = common.first_value(f, "BP"), common.first_value(f, "EP")
    if bp and ep:
        return f"{bp}-{ep}"
    return bp or common.first_value(f, "AR")


def _to_entry(line: int, f: dict[str, list[str]]) -> Entry:
    names = f.get("AF") or f.get("AU") or []
    authors = [n for n in (common.family_first_name(a) for a in names) if n]
    seen = set(authors)  # (a set: `in` a list made 100,000 CA lines quadratic)
    for group in f.get("CA", []) + f.get("GP", []):
        if group.strip() and group.strip() not in seen:
            seen.add(group.strip())
            authors.append(group.strip())
    doi = common.clean_doi(common.first_value(f, "DI"))
    arxiv_id = common.arxiv_from_doi(doi)
    tags: list[str] = []
    for kw in f.get("DE", []):
        tags.extend(kw.split(";"))
    extra: dict[str, Any] = {}
    for tag, key in (("UT", "wos"), ("PM", "pmid"), ("SN", "issn"), ("PU", "publisher")):
        if (v := common.first_value(f, tag)) is not None:
            extra[key] = v
    return Entry(
        kind="wos",
        line=line,
        title=common.clean_inline(common.first_value(f, "TI")),
        authors=authors,
        date=_date(f),
        abstract=common.clean_block(common.first_value(f, "AB")),
        arxiv_id=arxiv_id,
        doi=doi,
        journal=common.clean_inline(common.first_value(f, "SO", "SE")),
        volume=common.first_value(f, "VL"),
        issue=common.first_value(f, "IS"),
        pages=_pages(f),
        tags=common.dedupe_tags(tags),
        extra=extra,
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    records, warnings = _records(text)
    results = ((line, _to_entry(line, _fields(body, warnings))) for line, body in records)
    return common.record_file(NAME, "Web of Science record", results, empty="no Web of Science record (PT ... ER)",
                              warnings=warnings)
