"""PubMed / MEDLINE (``.nbib``, PubMed's "Save" in MEDLINE format).

    PMID- 31452104
    OWN - NLM
    TI  - A title that
          goes on here.
    FAU - Smith, John
    AU  - Smith J
    DP  - 2019 Aug 26
    AID - 10.1000/xyz [doi]
    AB  - ...

Tags of up to four letters padded to four, then ``- ``; continuation lines
indented by six spaces; each record starts at ``PMID-`` and ends at a blank
line or the next ``PMID-``.  Records are self-delimiting: one that cannot be
used is skipped and reported, the rest imports.  Field meanings: the NLM's
"MEDLINE/PubMed Data Element (Field) Descriptions".
"""

from __future__ import annotations

import re
from typing import Any

from ..models import Entry, ParsedFile, Problem
from . import common

NAME = "PubMed/MEDLINE"

#: What starts a MEDLINE record (``formats.detect_format``).
MARKER = re.compile(r"^PMID- ?\d", re.MULTILINE)
_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
#: Tags that may repeat (one value each); any other tag given twice keeps its first value.
_REPEATING = frozenset(
    {"FAU", "AU", "AUID", "AD", "FED", "ED", "CN", "IR", "FIR", "LA", "PT", "MH", "OT", "OAB", "AID", "LID",
     "PHST", "SI", "GR", "RN", "CIN", "CON", "EIN", "IS", "CRDT", "EDAT", "MHDA", "SB", "OTO", "GN", "PL"}
)
_AID = re.compile(r"^(.*?)\s*\[(\w+)\]\s*$")


def detect(text: str) -> bool:
    """A ``PMID-`` line, then a title or author line."""
    m = MARKER.search(text[: 1 << 20])
    return m is not None and re.search(r"^(?:TI|FAU|AU|BTI) *- ", text[m.start():], re.MULTILINE) is not None


def _records(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    records: list[tuple[int, list[tuple[int, str]]]] = []
    start: int | None = None
    body: list[tuple[int, str]] = []
    for i, line in enumerate(text.split("\n"), start=1):
        if line.startswith("PMID-"):
            if start is not None:
                records.append((start, body))
            start, body = i, [(i, line)]
        elif start is not None:
            if not line.strip():
                records.append((start, body))
                start, body = None, []
            else:
                body.append((i, line))
    if start is not None:
        records.append((start, body))
    return records


def _fields(lines: list[tuple[int, str]], warnings: list[Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    tag: str | None = None
    skip = False
    more: list[str] = []  # the continuation lines of the last value, joined once (not line by line: quadratic)
    for lineno, line in lines:
        if line.startswith("      ") and tag is not None:
            if not skip:
                more.append(line.strip())
            continue
        if more:
            out[tag][-1] = " ".join([out[tag][-1], *more])  # type: ignore[index]
            more = []
        m = _TAG.match(line)
        if not m:
            warnings.append(Problem(lineno, f"line not understood, skipped: {line.strip()[:60]!r}"))
            tag = None
            continue
        tag, value = m.group(1), m.group(2).strip()
        skip = tag in out and tag not in _REPEATING
        if skip:
            warnings.append(Problem(lineno, f"field {tag} given twice in one record; kept the first"))
            continue
        out.setdefault(tag, []).append(value)
    if more:
        out[tag][-1] = " ".join([out[tag][-1], *more])  # type: ignore[index]
    return out




def _ids(f: dict[str, list[str]]) -> dict[str, str]:
    """``AID``/``LID`` values by kind: {"doi": "10.1/x", "pii": "S0..."}."""
    out: dict[str, str] = {}
    for v in f.get("AID", []) + f.get("LID", []):
        m = _AID.match(v)
        if m:
            out.setdefault(m.group(2).lower(), m.group(1))
    return out


def _to_entry(line: int, f: dict[str, list[str]]) -> Entry:
    names = f.get("FAU") or f.get("AU") or []
    authors = [n for n in (common.family_first_name(a) for a in names) if n]
    seen = set(authors)  # (a set: `in` a list made 100,000 CN lines quadratic)
    for group in f.get("CN", []):
        if group.strip() and group.strip() not in seen:
            seen.add(group.strip())
            authors.append(group.strip())
    ids = _ids(f)
    doi = common.clean_doi(ids.get("doi"))
    tags: list[str] = []
    for kw in f.get("OT", []):
        tags.extend(kw.split(";"))
    extra: dict[str, Any] = {"pmid": common.first_value(f, "PMID")}
    if (pmc := common.first_value(f, "PMC")) is not None:
        extra["pmcid"] = pmc
    return Entry(
        kind="medline",
        line=line,
        title=common.clean_inline(common.first_value(f, "TI", "BTI")),
        authors=authors,
        date=common.parse_date(common.first_value(f, "DP", "DEP")),
        abstract=common.clean_block(common.first_value(f, "AB")),
        arxiv_id=common.arxiv_from_doi(doi),
        doi=doi,
        journal=common.clean_inline(common.first_value(f, "JT", "TA")),
        volume=common.first_value(f, "VI"),
        issue=common.first_value(f, "IP"),
        pages=common.first_value(f, "PG"),
        tags=common.dedupe_tags(tags),
        extra=extra,
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    warnings: list[Problem] = []
    results = ((line, _to_entry(line, _fields(body, warnings))) for line, body in _records(text))
    return common.record_file(NAME, "PubMed record", results, empty="no PubMed record (PMID- ...)", warnings=warnings)
