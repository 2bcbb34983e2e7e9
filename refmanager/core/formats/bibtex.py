"""BibTeX (and biblatex) files, split into blocks by bibtexparser v2.

What real ``.bib`` files hold and how it is read:

* bibtexparser's splitter cuts the file into blocks; everything after that is
  done here, in one pass over the blocks (its middlewares decoded every value
  with pylatexenc and were 90% of an import's time).
* ``@string`` macros, ``#`` concatenation and the month macros (``jan``...)
  are resolved in file order (a later definition wins), as BibTeX does, within
  limits (``bibtex_values``: a macro doubled 40 times would be 4 TB).
* Names are split at ``and`` outside braces before LaTeX decoding, so
  ``{Gemma Team}`` stays one name and ``M{\\"u}ller, J.`` splits at the right
  comma; ``and others`` sets ``et_al``.  Tolerated with a warning: a trailing
  comma (``Weilbach,``), names separated by ``;``, and read properly:
  biblatex's extended name format (``family=Hakim, given=Tawfiq, prefix=al-``).
* LaTeX accents and commands become Unicode and protective braces go
  (``latex.to_text``); identifiers and URLs are left verbatim.  A command with
  no Unicode form is kept as its name, ``\\cite{key}`` as written.
* ``crossref`` fills missing fields from the referenced entry (BibTeX's rule;
  the parent's ``title`` becomes ``booktitle`` as in biblatex), except the
  parent's own identifiers, abstract and notes.  A
  ``@proceedings``/``@periodical`` that is only a crossref target describes a
  venue, not a paper, and is not imported.
* Records are self-delimiting: a block that cannot be read is skipped and
  reported with its line (the rest of the file imports); a field given twice
  keeps its first value, with a warning.  A repeated citation key is not an
  error: both entries are read (the second with a warning).
* JabRef's groups become collections and saved searches (``jabref_groups``).
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    ParsingFailedBlock,
    String,
)
from bibtexparser.model import (
    Entry as BibEntry,
)

from ..errors import ParseError
from ..models import Entry, ParsedFile, Parsing, Problem
from ..names import is_et_al, join_name
from ..record import BIBTEX_RECORD, BIBTEX_TO_CSL, CSL_TO_BIBTEX, IN_BOOK, clean_record, institution_field
from . import bibtex_values as values
from . import common, jabref_groups
from .bibtex_values import TooLong, scan_value
from .latex import to_text

log = logging.getLogger(__name__)
# bibtexparser logs every malformed block as a warning; we report it as a skipped record instead.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

NAME = "BibTeX"

_BLOCK_RE = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
#: What starts a BibTeX block (``formats.detect_format``).
MARKER = _BLOCK_RE
_DANGLING_AND = re.compile(r"(?i)^\s*and\s+|\s+and\s*$")
_HEADER_RE = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)")
#: biblatex's extended name format: "family=Hakim, given=Tawfiq, prefix=al-, useprefix=true".
_EXTENDED_NAME = re.compile(r"^\s*(?:family|given|prefix|suffix|useprefix|juniorcomma)\s*=", re.IGNORECASE)

_RXIV = re.compile("rxiv", re.IGNORECASE)
#: Fields kept exactly as written: identifiers, URLs, file paths.
_VERBATIM = frozenset(
    {"url", "doi", "eprint", "arxivid", "crossref", "file", "pdf", "eid", "urldate", "isbn", "issn"}
)
_MONTH_MACROS = {
    m: full
    for m, full in zip(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
        "January February March April May June July August September October November December".split(),
    )
}
#: Entry types describing a venue rather than a paper (skipped when only crossref'd).
_CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "periodical"})
_IN_TYPES = frozenset({"inproceedings", "conference", "incollection", "inbook"})
#: Not inherited through crossref: what identifies or describes the volume itself, not the
#: paper in it (a volume's DOI on every paper would merge them all into one).
_NOT_INHERITED = frozenset(
    {"title", "crossref", "ids", "key", "doi", "eprint", "arxivid", "url", "eid", "isbn", "abstract",
     "keywords", "annote", "annotation", "comment", "note", "file", "pages", "volume", "number", "issue", "groups"}
)


def detect(text: str) -> bool:
    """A line that starts a block: ``@article{``, ``@String(`` ..."""
    return _BLOCK_RE.search(text) is not None


# ------------------------------------------------------------------- values
class _Reader:
    """The blocks of a file, chunk after chunk: macros (in file order), the entries with
    their raw fields, and what was skipped or read with a warning.  ``size``: the file's
    length in characters (it sets the macros' budget, ``bibtex_values``)."""

    def __init__(self, size: int = 0) -> None:
        self.macros: dict[str, str] = dict(_MONTH_MACROS)
        #: macros not defined because they were too long (True: past the file's budget)
        self.refused: dict[str, bool] = {}
        #: characters the file's values may still take from macros
        self.budget = values.MAX_EXPANSION_CHARS + size
        self.size = size
        #: (entry, its fields, its line in the file)
        self.entries: list[tuple[BibEntry, dict[str, str], int]] = []
        self.keys: set[str] = set()
        #: lines before the chunk being read
        self.offset = 0
        self.skipped: list[Problem] = []
        self.warnings: list[Problem] = []

    def read(self, blocks: list[Block], chunk: str, offset: int) -> None:
        """The blocks of ``chunk``, whose first line is line ``offset + 1`` of the file."""
        self.offset = offset
        for block in blocks:
            if isinstance(block, DuplicateBlockKeyBlock):  # (said below, across chunks too)
                block = block.ignore_error_block if block.ignore_error_block is not None else block
            if isinstance(block, DuplicateFieldKeyBlock):
                entry = block.ignore_error_block
                keys = ", ".join(sorted(block.duplicate_keys))
                self.warnings.append(Problem(self.line(entry), f"field {keys} given twice in @{entry.entry_type}"
                                                           f"{{{entry.key}}}; kept the first"))
                block = entry
            if isinstance(block, String):
                self._string(block)
            elif isinstance(block, BibEntry):
                if block.key in self.keys:
                    self.warnings.append(Problem(self.line(block), f"citation key {block.key!r} used again; "
                                                               "both entries read"))
                self.keys.add(block.key)
                self._entry(block)
            elif isinstance(block, ParsingFailedBlock):
                self.skipped.append(_failure(chunk, block, offset))

    def line(self, block: Block) -> int:
        """A block's 1-based line in the file."""
        return (block.start_line or 0) + 1 + self.offset

    def _resolve(self, raw: Any) -> str:
        if not isinstance(raw, str):
            return str(raw)
        value, taken = scan_value(raw, self.macros, self.refused, budget=self.budget)
        self.budget -= taken
        return value

    def too_long(self, what: str, e: TooLong) -> str:
        """Why ``what`` (an @string, an entry's field) is skipped."""
        if e.in_all:
            most = values.MAX_EXPANSION_CHARS
            return (f"{what}: the @string macros of this file expand past {most + self.size:,} "
                    f"characters in all ({most:,} + the file's size)")
        return f"{what} grows past {values.MAX_VALUE_CHARS:,} characters"

    def _string(self, block: String) -> None:
        try:
            value = self._resolve(block.value)
        except TooLong as e:
            self.refused[block.key.lower()] = e.in_all
            self.macros.pop(block.key.lower(), None)
            self.skipped.append(Problem(self.line(block), self.too_long(f"@string{{{block.key}}}", e) + "; not defined"))
            return
        self.macros[block.key.lower()] = value
        self.refused.pop(block.key.lower(), None)

    def _entry(self, entry: BibEntry) -> None:
        fields: dict[str, str] = {}
        budget = self.budget  # (given back if the entry is skipped)
        for f in entry.fields:
            key = _field_key(f.key)
            if key in fields:
                continue  # (a case-variant repeat: "Title" and "title")
            try:
                value = self._resolve(f.value)
            except TooLong as e:
                self.budget = budget
                self.skipped.append(Problem(self.line(entry),
                                            self.too_long(f"@{entry.entry_type}{{{entry.key}}}: field {key}", e)))
                return
            if key in ("author", "editor"):  # "A and B and" (a name lost in editing)
                value = _DANGLING_AND.sub("", value)
            fields[key] = value
        self.entries.append((entry, fields, self.line(entry)))


def _field_key(raw: str) -> str:
    """A field's name, lower-cased, without comment lines before it (``% note\n  title``)."""
    if "%" in raw:
        raw = "\n".join(ln for ln in raw.split("\n") if not ln.lstrip().startswith("%"))
    return raw.strip().lower()


# ------------------------------------------------------------------- errors
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _failure(text: str, block: ParsingFailedBlock, offset: int) -> Problem:
    """Why a block is skipped, at its line (``text``: the chunk, whose first line is line
    ``offset + 1`` of the file; the block's own line is already the file's)."""
    line = (block.start_line or 0) + 1 + offset
    head = _HEADER_RE.match((block.raw or "").lstrip())
    what = f"entry @{head.group(1)}{{{head.group(2)}" if head else "entry"
    err = block.error
    reason = str(getattr(err, "abort_reason", "") or err or "")
    if "end of file" in reason:
        return Problem(line, f"{what}: an opening brace or quote is never closed (end of file reached)")
    if "Unexpected block start" in reason:
        end = getattr(err, "end_index", None)
        nxt = f" (line {offset + _line_of(text, end + 1)})" if isinstance(end, int) and end >= 0 else ""
        return Problem(line, f"{what}: an opening brace or quote is never closed before the next entry{nxt}")
    return Problem(line, f"malformed {what}: {reason or 'syntax error'}")


# -------------------------------------------------------------------- names
def _name_list(raw: str, line: int, warnings: list[Problem]) -> list[str]:
    """The names of an ``author``/``editor`` value, each as the file wrote it."""
    names = split_multiple_persons_names(raw)
    if len(names) == 1 and ";" in raw and not _EXTENDED_NAME.match(raw):
        parts = [n.strip() for n in _split_outside_braces(raw, ";")]
        if len([n for n in parts if n]) > 1:
            warnings.append(Problem(line, f"names separated by ';' ({raw[:60]!r}); read as {len(parts)} names"))
            names = parts
    return [n for n in names if n.strip()]


def _split_outside_braces(s: str, sep: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(s[start:i])
            start = i + 1
    out.append(s[start:])
    return out


def _extended_name(raw: str) -> str:
    """biblatex's ``family=.., given=.., prefix=.., suffix=..`` as a display name."""
    parts: dict[str, str] = {}
    for item in _split_outside_braces(raw, ","):
        key, _, value = item.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
            value = value[1:-1]
        parts[key.strip().lower()] = to_text(value)
    return join_name(parts.get("given", ""), parts.get("prefix", ""), parts.get("family", ""), parts.get("suffix", ""))


def _display_name(raw: str, line: int, warnings: list[Problem]) -> str | None:
    """One name as "First von Last, Jr" in Unicode (braces and LaTeX decoded)."""
    plain = _plain_name(raw)
    if plain is not None:
        return plain or None
    if _EXTENDED_NAME.match(raw):
        return common.clean_inline(_extended_name(raw))
    stripped = raw.strip()
    if stripped.endswith(","):
        warnings.append(Problem(line, f"name {stripped!r} ends with a comma; read as {stripped.rstrip(', ')!r}"))
        stripped = stripped.rstrip(", ")
    try:
        np = parse_single_name_into_parts(stripped)
    except InvalidNameError as e:
        warnings.append(Problem(line, f"name {stripped[:60]!r} read as written ({str(e).rsplit(': ', 1)[-1]})"))
        np = parse_single_name_into_parts(stripped, strict=False)
    first, von, last, jr = (to_text(" ".join(part)) for part in (np.first, np.von, np.last, np.jr))
    return common.clean_inline(join_name(first, von, last, jr))


@lru_cache(maxsize=1 << 16)
def _plain_name(raw: str) -> str | None:
    """``_display_name`` of a name read without a warning (most: cached, names recur);
    None for the others, which are read each time so that each gets its warning."""
    stripped = raw.strip()
    if stripped.endswith(",") or _EXTENDED_NAME.match(raw):
        return None
    try:
        np = parse_single_name_into_parts(stripped)
    except InvalidNameError:
        return None
    first, von, last, jr = (to_text(" ".join(part)) for part in (np.first, np.von, np.last, np.jr))
    return common.clean_inline(join_name(first, von, last, jr)) or ""


def _authors(raw: str | None, line: int, warnings: list[Problem]) -> tuple[list[str], bool]:
    names: list[str] = []
    et_al = False
    for n in _name_list(raw or "", line, warnings):
        display = _display_name(n, line, warnings)
        if not display:
            continue
        if is_et_al(display):
            et_al = True
            continue
        names.append(display)
    return names, et_al


# ------------------------------------------------------------------ mapping
def _get(fields: dict[str, str], *keys: str) -> str | None:
    """The first of ``keys`` with a value, LaTeX decoded (identifiers verbatim)."""
    for k in keys:
        v = fields.get(k)
        if v is not None and v.strip():
            return v if k in _VERBATIM else to_text(v)
    return None


def _date(fields: dict[str, str]) -> str | None:
    d = common.parse_date(_get(fields, "date"))
    if d:
        return d
    year = _get(fields, "year")
    if not year:
        return None
    y = re.search(r"(?<!\d)(\d{4})(?!\d)", year)
    if not y:
        return None
    return common.make_date(y.group(1), common.month_number(_get(fields, "month")), _get(fields, "day"))


def _targets(fields: dict[str, str]) -> list[str]:
    """The keys whose fields this entry takes: its ``xdata`` entries, then its ``crossref``."""
    keys = [k.strip().lower() for k in (fields.get("xdata") or "").split(",") if k.strip()]
    ref = (fields.get("crossref") or "").strip().lower()
    return keys + [ref] if ref else keys


def _inherit(key: str, fields: dict[str, str], by_key: dict[str, dict[str, str]]) -> None:
    """Fill the fields an entry lacks from its ``xdata`` entries (every field) and its
    ``crossref`` (BibTeX's rule: all but the parent's own identifiers, abstract, notes;
    the parent's title becomes the booktitle, as in biblatex)."""
    for k in (x.strip().lower() for x in (fields.get("xdata") or "").split(",")):
        data = by_key.get(k)
        if data is not None and data is not fields:
            for name, v in data.items():
                fields.setdefault(name, v)
    ref = fields.get("crossref")
    if ref is None:
        return
    parent = by_key.get(ref.strip().lower())
    if parent is None or parent is fields:
        log.info("crossref %r of %r not found", ref, key)
        return
    if "title" in parent and "booktitle" not in fields:
        fields["booktitle"] = parent["title"]
    for name, v in parent.items():
        if name not in fields and name not in _NOT_INHERITED:
            fields[name] = v


def _to_entry(e: BibEntry, fields: dict[str, str], line: int, warnings: list[Problem]) -> Entry:
    authors, et_al = _authors(fields.get("author"), line, warnings)
    category = common.valid_category(_get(fields, "primaryclass", "eprintclass"))
    arxiv_id = None
    prefix = (_get(fields, "archiveprefix", "eprinttype") or "arxiv").strip().lower()
    if prefix == "arxiv":
        arxiv_id = common.arxiv_from_value(_get(fields, "eprint"))
    arxiv_id = arxiv_id or common.arxiv_from_value(_get(fields, "arxivid"))
    doi = common.clean_doi(_get(fields, "doi"))
    raw_notes = [_get(fields, k) for k in ("annote", "annotation", "comment", "note")]
    if not arxiv_id or not category:
        places = [_get(fields, k) for k in ("url", "howpublished", "journal", "journaltitle", "eid")] + raw_notes
        # (most entries name no arXiv at all: one look at all of it before a regex per field)
        if any(t and _RXIV.search(t) for t in places):
            for text in places:
                aid, cat = common.find_arxiv(text)
                if aid and (arxiv_id is None or aid == arxiv_id):
                    arxiv_id = aid
                    category = category or cat
    arxiv_id = arxiv_id or common.arxiv_from_doi(doi)
    if doi is None and (url := _get(fields, "url")) and "doi.org/" in url:
        doi = common.find_doi(url)
    in_book = e.entry_type.lower() in _IN_TYPES or BIBTEX_TO_CSL.get(e.entry_type.lower()) in IN_BOOK
    # (a chapter's or a conference paper's container is its booktitle, which the export writes)
    journal = (_get(fields, "booktitle") if in_book else None) or _get(fields, "journal", "journaltitle")
    journal_raw = journal
    if common.is_preprint_venue(journal):
        journal = None
    note = common.join_notes([common.strip_arxiv_lines(common.clean_note(n)) for n in raw_notes])
    raw_type = e.entry_type.lower()
    kind = BIBTEX_TO_CSL.get(raw_type, "document")
    record, used = _record(kind, fields, line, warnings)
    issue_field = next((k for k in ("number", "issue") if k not in used and _get(fields, k)), None)
    issue = common.clean_inline(_get(fields, issue_field)) if issue_field else None
    if journal is not None:  # (a preprint server named as the journal stays as it came)
        used.update(k for k in ("journal", "journaltitle") if _get(fields, k) == journal_raw)
        if _get(fields, "booktitle") == journal_raw:
            used.add("booktitle")
    if issue_field:
        used.add(issue_field)
    if category is not None:  # (a class that is no arXiv category stays as it came)
        used.update(("primaryclass", "eprintclass"))
    extras = {k: v for k, v in fields.items() if k not in used and k not in _READ and v and v.strip()}
    if CSL_TO_BIBTEX.get(kind) != raw_type:
        extras["@type"] = e.entry_type  # (written back as it came: @conference, @mastersthesis, @booklet)
    return Entry(
        kind="bibtex",
        line=line,
        title=common.clean_inline(_get(fields, "title")),
        authors=authors,
        et_al=et_al,
        date=_date(fields),
        category=category,
        abstract=common.clean_block(_get(fields, "abstract")),
        arxiv_id=arxiv_id,
        doi=doi,
        journal=common.clean_inline(journal),
        volume=common.clean_inline(_get(fields, "volume")),
        issue=issue,
        pages=common.clean_inline(_get(fields, "pages")),
        # the list's separators (biblatex's ",", IEEE's and Scopus's ";") outside braces; a
        # braced group is one keyword, as written (docs/formats.md, "tags")
        tags=common.dedupe_tags(map(to_text, common.split_unbraced(fields.get("keywords") or "", ",;"))),
        note=note,
        citekey=e.key or None,
        type=kind,
        publisher=common.clean_inline(_get(fields, "publisher")),
        record=record,
        extras={"bibtex": extras} if extras else {},
    )


#: Fields read into the paper's own columns (or used to find its arXiv id and category):
#: never kept again among the fields kept as they came.
_READ = frozenset({
    "title", "author", "year", "month", "day", "date", "volume", "pages", "doi", "eprint", "archiveprefix",
    "eprinttype", "arxivid", "abstract", "keywords", "note", "annote",
    "annotation", "comment", "publisher", "crossref", "xdata",
})
def _record(kind: str, fields: dict[str, str], line: int, warnings: list[Problem]) -> tuple[dict[str, Any], set[str]]:
    """The record's other fields (``record.RECORD_FIELDS``) and the BibTeX fields they took."""
    out: dict[str, Any] = {}
    used: set[str] = set()
    first = institution_field(kind)
    order = sorted(BIBTEX_RECORD.items(), key=lambda kv: kv[0] != first)
    for name, rf in order:
        raw = fields.get(name)
        if raw is None or not raw.strip() or rf.name in out:
            continue
        if rf.name == "number" and kind not in ("report", "patent", "standard"):
            continue  # (a journal's number is its issue)
        if rf.name in ("eprint", "eprinttype") and (fields.get("archiveprefix") or fields.get("eprinttype") or
                                                   "arxiv").strip().lower() == "arxiv":
            continue  # (an arXiv e-print is the paper's arXiv id)
        if rf.kind == "names":
            names, _ = _authors(raw, line, warnings)
            if names:
                out[rf.name] = names
        elif rf.kind == "date":
            out[rf.name] = common.parse_date(_get(fields, name)) or _get(fields, name)
        else:
            out[rf.name] = common.clean_inline(_get(fields, name))
        used.add(name)
    if "number" in out:
        used.add("number")
    return clean_record(out), used


def _usable(e: Entry) -> bool:
    return bool(e.title or e.doi or e.arxiv_id or e.abstract)


#: A block starting a line: bibtexparser ends whatever it reads there (an unclosed brace
#: included), so a file cut just before one reads as the whole file does.
_BLOCK_AT_LINE_START = re.compile(r"^@\w*[ \t]*[{(]", re.MULTILINE)
#: The value of ``crossref = {key}`` and ``xdata = {key, ...}``, after the field's name.
_TARGET_VALUE = re.compile(r"\s*=\s*[{\"]([^}\"]*)[}\"]")


def _wanted_keys(text: str) -> set[str]:
    """The keys other entries take fields from (one scan of the lower-cased text: a
    case-insensitive regex over a whole file was ten times slower)."""
    low = text.lower()
    keys: set[str] = set()
    for word in ("crossref", "xdata"):
        pos = low.find(word)
        while pos >= 0:
            m = _TARGET_VALUE.match(text, pos + len(word))
            if m and (pos == 0 or not low[pos - 1].isalnum()):
                keys.update(k.strip().lower() for k in m.group(1).split(",") if k.strip())
            pos = low.find(word, pos + len(word))
    return keys
#: Characters read at once (256 K): a large file is split and its entries written chunk by
#: chunk (memory stays flat, and the writer works while the next chunk is read; the first
#: entries reach it a few tenths of a second after the start).
CHUNK_CHARS = 1 << 18


def _chunks(text: str) -> Iterator[tuple[str, int]]:
    """(chunk, lines before it): pieces of about ``CHUNK_CHARS`` cut before a block."""
    start = lines = 0
    while start < len(text):
        m = _BLOCK_AT_LINE_START.search(text, start + CHUNK_CHARS) if len(text) - start > CHUNK_CHARS else None
        end = m.start() if m else len(text)
        chunk = text[start:end]
        yield chunk, lines
        lines += chunk.count("\n")
        start = end


def _read_entries(text: str, reader: _Reader) -> Iterator[Entry]:
    """The usable entries, chunk by chunk.  An entry taking fields from another
    (``crossref``, ``xdata``) waits until that one has been read (DBLP puts the
    proceedings after the papers); the entries others take fields from are known
    before reading (one scan), so a venue that is only a ``crossref`` target is
    never taken for a paper, and only their fields are kept."""
    wanted = _wanted_keys(text)
    by_key: dict[str, dict[str, str]] = {}
    waiting: list[tuple[BibEntry, dict[str, str], int]] = []
    n = 0

    def ready(items: list[tuple[BibEntry, dict[str, str], int]]) -> Iterator[Entry]:
        nonlocal n
        for e, fields, line in items:
            _inherit(e.key, fields, by_key)
            entry = _entry_of(e, fields, line, reader)
            if entry is not None:
                n += 1
                yield entry

    for chunk, offset in _chunks(text):
        reader.read(bibtexparser.parse_string(chunk, parse_stack=[]).blocks, chunk, offset)
        entries, reader.entries = reader.entries, []
        now = []
        for e, fields, line in entries:
            key, kind = e.key.lower(), e.entry_type.lower()
            if key in wanted:
                by_key.setdefault(key, fields)
                if kind == "xdata" or kind in _CONTAINER_TYPES:
                    continue  # (fields other entries take, not a paper)
            if kind == "xdata":
                continue
            (waiting if any(t not in by_key for t in _targets(fields)) else now).append((e, fields, line))
        del entries
        yield from ready(now)
        del now
        if not gc.isenabled():
            # bibtexparser's blocks hold reference cycles (fields and their entry): a process
            # that runs with the collector off (the import's parsing process) would keep every
            # chunk's blocks to the end (800 MB for 100,000 entries).  The chunk's blocks are
            # all young (nothing collected them since it was read): one young collection.
            gc.collect(0)
        if waiting:
            still = [w for w in waiting if any(t not in by_key for t in _targets(w[1]))]
            yield from ready([w for w in waiting if all(t in by_key for t in _targets(w[1]))])
            waiting = still
    yield from ready(waiting)  # (targets never found: read as they are)
    reader.skipped.sort(key=lambda p: p.line or 0)
    if not n:
        if reader.skipped:
            raise common.no_usable_record("BibTeX entry", reader.skipped)
        first = next((i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()), 1)
        raise ParseError("no BibTeX entries (only comments, @string or @preamble)", line=first)


def _entry_of(e: BibEntry, fields: dict[str, str], line: int, reader: _Reader) -> Entry | None:
    """The entry, or None (reported as skipped) when it is not a paper."""
    if e.entry_type.lower() == "set":
        reader.skipped.append(Problem(line, f"@set{{{e.key}}} groups other entries (biblatex); "
                                            "they are imported, the set is not a paper"))
        return None
    entry = _to_entry(e, fields, line, reader.warnings)
    if not _usable(entry):
        reader.skipped.append(Problem(line, f"@{e.entry_type}{{{e.key}}} has no title, identifier "
                                            "or abstract: nothing to import"))
        return None
    return entry


def iter_parse(text: str, **_context: Any) -> Parsing:
    """The entries as they are read, chunk by chunk (see ``CHUNK_CHARS``)."""
    text = text.lstrip("\ufeff")
    reader = _Reader(len(text))
    estimate = max(1, text.count("\n@"))  # (about: blocks starting a line, @string included)
    entries, groups = jabref_groups.follow(text, _read_entries(text, reader), reader.warnings)
    return Parsing(NAME, estimate, entries, reader.skipped, reader.warnings, groups)


def parse(text: str, **_context: Any) -> ParsedFile:
    parsing = iter_parse(text)
    entries = list(parsing.entries)
    return ParsedFile(NAME, entries, skipped=parsing.skipped, warnings=parsing.warnings, groups=parsing.groups)
