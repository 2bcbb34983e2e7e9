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

The whole record is read (``TY`` as the paper's type, editors, publisher, ISBN,
URL...: ``record.py``, docs/formats.md "The record in RIS and CSL-JSON"); every tag
and value the entry does not read is kept as it came (``Entry.extras["ris"]``), and
a RIS export writes it back.
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
from ..record import BOOK_LIKE, RECORD_BY_NAME, RIS_T2_CONTAINER, RIS_TO_CSL, clean_record
from . import common

log = logging.getLogger(__name__)

NAME = "RIS"

_TY_RE = re.compile(r"^TY {1,2}- ?\S", re.MULTILINE)
#: What starts a RIS record (``formats.detect_format``).
MARKER = _TY_RE
#: A tag line, tolerating one space before the dash ("TY - JOUR") as Zotero does.
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
#: (``ED``, editors, is standard RIS that rispy does not know)
_KNOWN_TAGS = frozenset(TAG_KEY_MAPPING) | {"ER", "ED"}
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
#: Types whose T2 is a series (as Zotero writes books, reports and software), when there is no T3.
_T2_SERIES_TYPES = frozenset({"BOOK", "EBOOK", "EDBOOK", "RPRT", "COMP"})
#: Tags read as one value (rispy's names in ``_ONE_VALUE``): a second one is dropped with a warning.
_ONE_TAGS = frozenset(t for t, n in TAG_KEY_MAPPING.items() if n in _ONE_VALUE)
#: Types whose ``SN`` that is neither an ISSN nor an ISBN is their number (as Zotero writes them).
_NUMBER_TYPES = RECORD_BY_NAME["number"].types
_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_ISBN = re.compile(r"(?:97[89])?\d{9}[\dXx]")


class _Parser(rispy.RisParser):
    """rispy, but continuation lines keep their line break (and, past the
    usual six-space indent, their own indentation), and a tag given twice where
    one value is expected keeps the first (``repeated`` names it)."""

    def __init__(self) -> None:
        super().__init__()
        self.repeated: list[str] = []
        #: every tag and value of the record in file order, continuation lines joined with a
        #: newline (what ``_Tags`` reads, and keeps when nothing else does)
        self.pairs: list[list[str]] = []

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
                    self.pairs.append([self.START_TAG, record[self.mapping[self.START_TAG]]])
                continue
            tag, content = self.parse_line(line)
            if tag is None:
                more.append(content)
                continue
            if more:
                self._add_tag(record, last_tag, "\n".join(more), extend_multiline=True)  # type: ignore[arg-type]
                if last_tag is not None:
                    self.pairs[-1][1] += "\n" + "\n".join(more)
                more = []
            if tag in self.ignore:
                continue
            if tag == self.END_TAG:
                result.append(record)
                record = None
                continue
            self._add_tag(record, tag, content)
            self.pairs.append([tag, content])
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


class _Tags:
    """A record's tags and values as written (``_Parser.pairs``).  What the entry reads is
    taken; what is left is kept as it came (``Entry.extras["ris"]``) and written back by a RIS
    export."""

    def __init__(self, pairs: list[list[str]]) -> None:
        self.values: dict[str, list[str]] = {}
        #: the values not read, with their place in the record
        self.left: dict[str, list[tuple[int, str]]] = {}
        for i, (tag, value) in enumerate(pairs):
            self.values.setdefault(tag, []).append(value)
            if value.strip() and tag != "ER":
                self.left.setdefault(tag, []).append((i, value))
        self.once: set[str] = set()

    def get(self, tag: str) -> list[str]:
        return [v for v in self.values.get(tag, []) if v.strip()]

    def first(self, tag: str) -> str | None:
        vs = self.get(tag)
        return vs[0] if vs else None

    def take(self, tag: str, value: str | None = None) -> None:
        """The tag was read: all its values, or those that read as ``value``.  Of a tag read as
        one value only the first is read (once); its repeats, warned about, are kept."""
        vs = self.left.get(tag)
        if not vs:
            return
        if tag in _ONE_TAGS:
            if tag not in self.once and (value is None or common.clean_inline(vs[0][1]) == common.clean_inline(value)):
                self.once.add(tag)
                vs.pop(0)
        elif value is None:
            vs.clear()
        else:
            self.left[tag] = [(i, v) for i, v in vs if common.clean_inline(v) != common.clean_inline(value)]

    def extras(self) -> dict[str, list[str]]:
        """The values not read, by tag, the tags in the order of their first such value (so a
        record written back, the model's tags first, reads back the same)."""
        kept = sorted((vs[0][0], t) for t, vs in self.left.items() if vs)
        return {t: [v for _, v in self.left[t]] for _, t in kept}


def _names(values: list[str]) -> list[str]:
    """"Family, Given" names, in reading order, each once; *et al.* is not a name."""
    names: dict[str, None] = {}  # (in order, each once: a list's `in` made 100,000 AU lines quadratic)
    for raw in values:
        name = common.clean_inline(_name(raw.replace("\n", " ")))
        if name and not is_et_al(name):
            names[name] = None
    return list(names)


def _sn_field(value: str, kind: str | None) -> str:
    """The record field an ``SN`` fills: an ISSN or an ISBN by its shape, else by the type
    (a report's or patent's number, a book's ISBN, a journal's ISSN)."""
    v = value.strip()
    if _ISSN.fullmatch(v):
        return "issn"
    if _ISBN.fullmatch(re.sub(r"[\s-]", "", v)):
        return "isbn"
    if kind in _NUMBER_TYPES:
        return "number"
    return "isbn" if kind in BOOK_LIKE else "issn"


def _to_entry(line: int, rec: dict[str, Any], pairs: list[list[str]]) -> Entry:
    tags = _Tags(pairs)
    ty = (rec.get("type_of_reference") or "").strip().upper()
    kind = RIS_TO_CSL.get(ty)
    if kind is None and ty:
        kind = "document"  # (the TY is kept as it came, and written back for a document)
    else:
        tags.take("TY")
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
    tags.take("AU")
    tags.take("A1")
    record: dict[str, Any] = {"editors": _names(tags.get("ED") + tags.get("A2")), "translators": _names(tags.get("A4"))}
    for t in ("ED", "A2", "A4"):
        tags.take(t)
    title = common.clean_inline(tags.first("TI") or tags.first("T1"))
    tags.take("TI")
    if tags.first("TI") is None or common.clean_inline(tags.first("T1")) == title:
        tags.take("T1")
    urls = _as_list(rec.get("urls"))
    raw_notes = [common.clean_note(common.html_to_text(n)) for n in _as_list(rec.get("notes"))]
    doi = common.clean_doi(tags.first("DO"))
    tags.take("DO")
    m3 = tags.first("M3")
    m3_doi = common.find_doi(m3) if m3 and "10." in m3 else None
    if doi is None:
        doi = m3_doi
    if m3_doi is None and m3:
        record["genre"] = common.clean_inline(m3)
    if m3 and (m3_doi is None or (doi or "").casefold() == m3_doi.casefold()):
        tags.take("M3", m3)
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
    if (an := tags.first("AN")) and arxiv_id and common.is_arxiv_reference(an):
        tags.take("AN", an)  # (the paper's arXiv id says it: an export writes it back)
    database = _first(rec, "name_of_database") or ""
    if category is None and (arxiv_id or "arxiv" in database.casefold()):
        category = common.valid_category(_first(rec, "call_number"))  # CN, as our export writes it
        if category:
            tags.take("CN", category)
            if "arxiv" in database.casefold():
                tags.take("DB", database)
    venue = ty in RIS_T2_CONTAINER
    journal_tag = next((t for t in ("JF", "T2", "JO", "JA", "J2") if (t != "T2" or venue) and tags.first(t)), None)
    journal = tags.first(journal_tag) if journal_tag else None
    journal = None if common.is_preprint_venue(journal) else common.clean_inline(journal)
    if journal:  # (a preprint server named as the journal stays as it came)
        for t in ("JF", "T2", "JO", "JA"):
            if (t != "T2" or venue) and common.clean_inline(tags.first(t)) == journal:
                tags.take(t, journal)
    # the journal's abbreviation: J2, else a JA or JO that is not the journal (as Zotero reads them)
    short_tag = "J2" if tags.first("J2") else next(
        (t for t in ("JA", "JO") if common.clean_inline(tags.first(t)) not in (None, journal)), None)
    if short_tag:
        record["short_journal"] = short = common.clean_inline(tags.first(short_tag))
        for t in ("J2", "JA", "JO"):
            if common.clean_inline(tags.first(t)) == short:
                tags.take(t, short)
    series = tags.first("T3")
    if series is None and ty in _T2_SERIES_TYPES and (series := tags.first("T2")):
        tags.take("T2")
    if series:
        record["collection_title"] = common.clean_inline(series)
        tags.take("T3", series)
    date = common.parse_date(tags.first("DA"))
    for key in ("PY", "Y1"):
        other = common.parse_date(tags.first(key))
        if other and (date is None or (len(other) > len(date) and other.startswith(date))):
            date = other
    for t in ("DA", "PY", "Y1"):
        read = common.parse_date(tags.first(t))
        if read and date and date.startswith(read):
            tags.take(t)
    abstract = common.clean_block(tags.first("AB") or tags.first("N2"))
    tags.take("AB")
    if tags.first("AB") is None or common.clean_block(tags.first("N2")) == abstract:
        tags.take("N2")
    pages = _pages(tags)
    for t in ("VL", "IS", "SP", "EP", "KW", "N1"):
        tags.take(t)
    url = None
    for u in tags.get("UR"):
        if arxiv_id and common.is_arxiv_abs_link(u, arxiv_id):
            tags.take("UR", u)  # (the arXiv id says it: an export writes it back)
        elif url is None:
            url = common.clean_inline(u)
            tags.take("UR", u)
    record["url"] = url
    if (accessed := tags.first("Y2")) and common.parse_date(accessed):
        record["accessed"] = common.parse_date(accessed)
        tags.take("Y2", accessed)
    publisher = None
    for t, field in (("LA", "language"), ("CY", "place"), ("ET", "edition"), ("PB", "publisher")):
        if v := tags.first(t):
            if field == "publisher":
                publisher = common.clean_inline(v)
            else:
                record[field] = common.clean_inline(v)
            tags.take(t, v)
    for v in tags.get("SN"):
        field = _sn_field(v, kind)
        if field not in record:
            record[field] = common.clean_inline(v)
            tags.take("SN", v)
    keywords: list[str] = []
    for kw in _as_list(rec.get("keywords")):  # a KW line is one tag, its "," and ";" kept
        keywords.extend(kw.split("\n"))  # (EndNote writes several, one a line)
    notes = [common.strip_arxiv_lines(n) for n in raw_notes]
    extras = tags.extras()
    return Entry(
        kind="ris",
        line=line,
        title=title,
        authors=list(authors),
        et_al=et_al,
        date=date,
        category=category,
        abstract=abstract,
        arxiv_id=arxiv_id,
        doi=doi,
        journal=journal,
        volume=common.clean_inline(tags.first("VL")),
        issue=common.clean_inline(tags.first("IS")),
        pages=pages,
        tags=common.dedupe_tags(keywords),
        note=common.join_notes(notes),
        type=kind,
        publisher=publisher,
        record=clean_record(record),
        extras={"ris": extras} if extras else {},
    )


def _pages(tags: _Tags) -> str | None:
    """``SP``/``EP`` as "start-end"; an ``SP`` holding a range already stays as it is."""
    sp = common.clean_inline(tags.first("SP"))
    ep = common.clean_inline(tags.first("EP"))
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
    return line, _to_entry(line, recs[0], parser.pairs)
