"""RIS files (Zotero, Mendeley, EndNote, Web of Science, PubMed tools), read with rispy.

Real exports start with junk (a BOM, "Provider: ..." header lines, blank
lines), use tags rispy does not know, and wrap long values onto continuation
lines.  Records are found here first (``TY  -`` ... ``ER  -``) so each entry
knows its line; each record's text is then read by rispy.  Continuation
lines are joined with a newline (rispy joins with a space), so multi-line
notes and abstract paragraphs survive; single line breaks in abstracts
become spaces again.

Records are self-delimiting: a record left open (no ``ER``) ends where the
next ``TY`` starts, with a warning; a tag given twice where one is expected
keeps its first value, with a warning; a record with nothing to import is
skipped and reported.  The rest of the file imports.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import rispy
from rispy.config import TAG_KEY_MAPPING

from ..errors import ParseError
from ..models import Entry, ParsedFile, Problem
from ..names import is_et_al, join_name
from . import common

log = logging.getLogger(__name__)

NAME = "RIS"

_TY_RE = re.compile(r"^TY {1,2}- ?\S", re.MULTILINE)
#: What starts a RIS record (``formats.detect_format``).
MARKER = _TY_RE
#: A tag line, tolerating one space before the dash ("TY - JOUR") as Zotero does.
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
_KNOWN_TAGS = frozenset(TAG_KEY_MAPPING) | {"ER"}
#: Fields read as one value: a second one is an exporter's slip (others, such as
#: file links or addresses, may repeat and are kept).
_ONE_VALUE = frozenset({
    "title", "primary_title", "type_of_reference", "year", "publication_year", "date", "volume", "number",
    "start_page", "end_page", "doi", "abstract", "alternate_title3", "journal_name", "secondary_title",
})
#: A field's RIS tag (the first tag rispy maps to it), for messages.
_TAG_OF: dict[str, str] = {}
for _tag, _name_of in TAG_KEY_MAPPING.items():
    _TAG_OF.setdefault(_name_of, _tag)
#: Indent of continuation lines (aligned under the values, as our export writes them).
_CONTINUATION = " " * 6
#: Types whose T2 is a journal or proceedings (for books T2 is a series or book title).
_T2_VENUE_TYPES = frozenset(
    {"JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "CONF", "CPAPER", "CHAP", "ECHAP", "INPR", "ABST", "GEN",
     "PREPRINT"}
)


class _Parser(rispy.RisParser):
    """rispy, but continuation lines keep their line break (and, past the
    usual six-space indent, their own indentation), and a tag given twice where
    one value is expected keeps the first (``repeated`` names it)."""

    def __init__(self) -> None:
        super().__init__()
        self.repeated: list[str] = []

    def _add_single_value(self, record: dict, name: str, value: Any, is_multi: bool = False) -> None:
        if not is_multi and name in record and name in _ONE_VALUE:
            self.repeated.append(name)
            return
        super()._add_single_value(record, name, value, is_multi)

    def parse_lines(self, lines: Any) -> list[dict]:
        """rispy's loop, but a tag's continuation lines are joined once, after the last
        of them (rispy extends the value line by line: quadratic, a 100,000-line abstract
        took minutes)."""
        result: list[dict] = []
        record: dict | None = None
        last_tag: str | None = None
        more: list[str] = []
        for line in lines:
            if record is None:
                if line.startswith(self.START_TAG):
                    record = {self.mapping[self.START_TAG]: self.parse_line(line)[1]}
                continue
            tag, content = self.parse_line(line)
            if tag is None:
                more.append(content)
                continue
            if more:
                self._add_tag(record, last_tag, "\n".join(more), extend_multiline=True)  # type: ignore[arg-type]
                more = []
            if tag in self.ignore:
                continue
            if tag == self.END_TAG:
                result.append(record)
                record = None
                continue
            self._add_tag(record, tag, content)
            last_tag = tag
        return result

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        tag, content = super().parse_line(line)
        if tag is None and line.startswith(_CONTINUATION):
            return None, line[len(_CONTINUATION) :].rstrip()
        return tag, content

    def _add_tag(self, record: dict, tag: str, content: str, extend_multiline: bool = False) -> None:
        if extend_multiline and tag in self.mapping:
            name = self.mapping[tag]
            if name in record:
                if isinstance(record[name], list) and record[name]:
                    record[name][-1] = f"{record[name][-1]}\n{content}"
                elif isinstance(record[name], str):
                    record[name] = f"{record[name]}\n{content}"
                return
        super()._add_tag(record, tag, content, extend_multiline)


def detect(text: str) -> bool:
    """A ``TY  - `` line (after any junk before the first record)."""
    return _TY_RE.search(text.lstrip("\ufeff")) is not None


def _normalise_line(line: str) -> str:
    if line.strip() == "ER" and not line.startswith(_CONTINUATION):  # (a continuation saying "ER" is text)
        return "ER  - "
    m = _TAG_RE.match(line)
    if m and m.group(1) in _KNOWN_TAGS:
        return f"{m.group(1)}  - {m.group(2) or ''}"
    return line


def _records(text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(1-based line of TY, lines of the record) for every TY ... ER record, and
    the records left open (each ends where the next starts, or at the end)."""
    lines = text.lstrip("\ufeff").split("\n")
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    start: int | None = None
    body: list[str] = []
    for i, raw in enumerate(lines, start=1):
        line = _normalise_line(raw)
        tag = line[:2] if line[2:5] == "  -" else None
        if tag == "TY":
            if start is not None:
                problems.append(Problem(start, f"this record has no 'ER  -' line before the next one (line {i}); "
                                               "read up to there"))
                records.append((start, [*body, "ER  - "]))
            start, body = i, [line]
        elif start is not None:
            body.append(line)
            if tag == "ER":
                records.append((start, body))
                start, body = None, []
    if start is not None:
        problems.append(Problem(start, "this record has no 'ER  -' line before the end of the file; read to the end"))
        records.append((start, [*body, "ER  - "]))
    if not records:
        raise ParseError("no RIS record: expected a line starting with 'TY  - '", line=1)
    return records, problems


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return [v] if isinstance(v, str) else []


def _first(rec: dict[str, Any], *keys: str) -> str | None:
    for k in keys:
        for v in _as_list(rec.get(k)):
            if v.strip():
                return v
    return None


def _name(raw: str) -> str:
    """"Riviere, Morgane" -> "Morgane Riviere"; "Smith, John, Jr." -> "John Smith Jr."."""
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) == 1:
        return " ".join(raw.split())
    family, given = parts[0], parts[1]
    suffix = " ".join(parts[2:])
    return join_name(given, "", family, suffix)


def _to_entry(line: int, rec: dict[str, Any]) -> Entry:
    ty = (rec.get("type_of_reference") or "").strip().upper()
    authors: dict[str, None] = {}  # (in order, each once: a list's `in` made 100,000 AU lines quadratic)
    et_al = False
    for raw in _as_list(rec.get("authors")) + _as_list(rec.get("first_authors")):
        name = common.clean_inline(_name(raw.replace("\n", " ")))
        if not name:
            continue
        if is_et_al(name):
            et_al = True
        else:
            authors[name] = None
    urls = _as_list(rec.get("urls"))
    raw_notes = [common.clean_note(common.html_to_text(n)) for n in _as_list(rec.get("notes"))]
    doi = common.clean_doi(_first(rec, "doi"))
    if doi is None:
        m3 = _first(rec, "type_of_work")
        doi = common.find_doi(m3) if m3 and "10." in m3 else None
    if doi is None:
        doi = next((common.find_doi(u) for u in urls if "doi.org/" in u), None)
    arxiv_id = category = None
    sources = [_first(rec, "accession_number"), _first(rec, "note"), _first(rec, "type_of_work"), *urls,
               *_as_list(rec.get("file_attachments1")), *raw_notes]
    for text in sources:
        aid, cat = common.find_arxiv(text)
        if aid and (arxiv_id is None or aid == arxiv_id):
            arxiv_id = aid
            category = category or cat
    arxiv_id = arxiv_id or common.arxiv_from_doi(doi)
    database = _first(rec, "name_of_database") or ""
    if category is None and (arxiv_id or "arxiv" in database.casefold()):
        category = common.valid_category(_first(rec, "call_number"))  # CN, as our export writes it
    journal = _first(rec, "alternate_title3")  # JF
    if journal is None and ty in _T2_VENUE_TYPES:
        journal = _first(rec, "secondary_title")
    journal = journal or _first(rec, "journal_name", "alternate_title2", "alternate_title1")
    if common.is_preprint_venue(journal):
        journal = None
    date = common.parse_date(_first(rec, "date"))
    for key in ("year", "publication_year"):
        other = common.parse_date(_first(rec, key))
        if other and (date is None or (len(other) > len(date) and other.startswith(date))):
            date = other
    tags: list[str] = []
    for kw in _as_list(rec.get("keywords")):
        tags.extend(re.split(r"[;\n]", kw))
    notes = [common.strip_arxiv_lines(n) for n in raw_notes]
    return Entry(
        kind="ris",
        line=line,
        title=common.clean_inline(_first(rec, "title", "primary_title")),
        authors=list(authors),
        et_al=et_al,
        date=date,
        category=category,
        abstract=common.clean_block(_first(rec, "abstract", "notes_abstract")),
        arxiv_id=arxiv_id,
        doi=doi,
        journal=common.clean_inline(journal),
        volume=common.clean_inline(_first(rec, "volume")),
        issue=common.clean_inline(_first(rec, "number")),
        pages=_pages(rec),
        tags=common.dedupe_tags(tags),
        note=common.join_notes(notes),
    )


def _pages(rec: dict[str, Any]) -> str | None:
    """``SP``/``EP`` as "start-end"; an ``SP`` holding a range already stays as it is."""
    sp = common.clean_inline(_first(rec, "start_page"))
    ep = common.clean_inline(_first(rec, "end_page"))
    if sp and ep and ep != sp:
        return f"{sp}-{ep}"
    return sp or ep


def parse(text: str, **_context: Any) -> ParsedFile:
    records, warnings = _records(text)
    return common.record_file(NAME, "RIS record", (_record(line, body, warnings) for line, body in records),
                              empty="no RIS record: expected a line starting with 'TY  - '", warnings=warnings)


def _record(line: int, body: list[str], warnings: list[Problem]) -> tuple[int, Entry | str]:
    parser = _Parser()
    recs = parser.parse("\n".join(body))
    if len(recs) != 1:  # cannot happen: the body is one TY ... ER record
        return line, "cannot read this RIS record"
    warnings.extend(Problem(line, f"tag {_TAG_OF.get(n, n)} given twice in one record; kept the first")
                    for n in dict.fromkeys(parser.repeated))
    return line, _to_entry(line, recs[0])
