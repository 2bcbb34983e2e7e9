"""BibTeX (and biblatex) files, split into blocks by bibtexparser v2.

What real ``.bib`` files hold and how it is read:

* bibtexparser's splitter cuts the file into blocks; everything after that is
  done here, in one pass over the blocks (its middlewares decoded every value
  with pylatexenc and were 90% of an import's time).
* ``@string`` macros, ``#`` concatenation and the month macros (``jan``...)
  are resolved in file order (a later definition wins), as BibTeX does.
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
"""

from __future__ import annotations

import logging
import re
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry as BibEntry,
    ParsingFailedBlock,
    String,
)

from ..errors import ParseError
from ..models import Entry, ParsedFile, Problem
from ..names import is_et_al, join_name
from . import common
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
     "keywords", "annote", "annotation", "comment", "note", "file", "pages", "volume", "number", "issue"}
)


def detect(text: str) -> bool:
    """A line that starts a block: ``@article{``, ``@String(`` ..."""
    return _BLOCK_RE.search(text) is not None


# ------------------------------------------------------------------- values
def _scan_value(raw: str, macros: dict[str, str]) -> str:
    """Resolve one raw field value: ``{..}``, ``".."``, numbers, macros, joined by ``#``."""
    if "#" not in raw and len(raw) >= 2 and raw[0] + raw[-1] in ("{}", '""'):
        return raw[1:-1]  # the common case, one delimited value: no need to walk it
    parts: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            break
        c = raw[i]
        if c == "%":  # a comment between values (biber reads them): to the end of its line
            end = raw.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "{\"":
            depth = 0
            j = i + 1 if c == '"' else i
            while j < n:
                ch = raw[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if c == "{" and depth == 0:
                        break
                elif ch == '"' and c == '"' and depth == 0:
                    break
                j += 1
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and raw[j] != "#" and not raw[j].isspace():
                j += 1
            word = raw[i:j]
            if word.isdigit():
                parts.append(word)
            elif word.lower() in macros:
                parts.append(macros[word.lower()])
            else:
                log.debug("undefined @string macro %r kept as text", word)
                parts.append(word)
            i = j
        while i < n and raw[i].isspace():
            i += 1
        if i < n and raw[i] == "#":
            i += 1
    return "".join(parts)


#: A resolved value may not grow past this (``@string{s1 = s0 # s0}`` doubling 40 times
#: would be a terabyte): the macro or entry is skipped with its line (docs/reliability.md).
MAX_VALUE_CHARS = 1_000_000


class _TooLong(Exception):
    pass


class _Reader:
    """One pass over the blocks: macros, entries with their raw fields, and what was skipped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros: dict[str, str] = dict(_MONTH_MACROS)
        self.entries: list[tuple[BibEntry, dict[str, str]]] = []
        self.skipped: list[Problem] = []
        self.warnings: list[Problem] = []

    def read(self, blocks: list[Block]) -> None:
        for block in blocks:
            if isinstance(block, DuplicateBlockKeyBlock):
                inner = block.ignore_error_block
                if isinstance(inner, BibEntry):
                    self.warnings.append(Problem(_line(inner), f"citation key {inner.key!r} used again; both entries read"))
                block = inner if inner is not None else block
            if isinstance(block, DuplicateFieldKeyBlock):
                entry = block.ignore_error_block
                keys = ", ".join(sorted(block.duplicate_keys))
                self.warnings.append(Problem(_line(entry), f"field {keys} given twice in @{entry.entry_type}"
                                                           f"{{{entry.key}}}; kept the first"))
                block = entry
            if isinstance(block, String):
                self._string(block)
            elif isinstance(block, BibEntry):
                self._entry(block)
            elif isinstance(block, ParsingFailedBlock):
                self.skipped.append(_failure(self.text, block))

    def _resolve(self, raw: Any) -> str:
        value = _scan_value(raw, self.macros) if isinstance(raw, str) else str(raw)
        if len(value) > MAX_VALUE_CHARS:
            raise _TooLong
        return value

    def _string(self, block: String) -> None:
        try:
            self.macros[block.key.lower()] = self._resolve(block.value)
        except _TooLong:
            self.skipped.append(Problem(_line(block), f"@string{{{block.key}}} grows past {MAX_VALUE_CHARS:,} "
                                                      "characters; not defined"))

    def _entry(self, entry: BibEntry) -> None:
        fields: dict[str, str] = {}
        for f in entry.fields:
            key = _field_key(f.key)
            if key in fields:
                continue  # (a case-variant repeat: "Title" and "title")
            try:
                value = self._resolve(f.value)
            except _TooLong:
                self.skipped.append(Problem(_line(entry), f"@{entry.entry_type}{{{entry.key}}}: field {key} grows "
                                                          f"past {MAX_VALUE_CHARS:,} characters"))
                return
            if key in ("author", "editor"):  # "A and B and" (a name lost in editing)
                value = _DANGLING_AND.sub("", value)
            fields[key] = value
        self.entries.append((entry, fields))


def _field_key(raw: str) -> str:
    """A field's name, lower-cased, without comment lines before it (``% note\n  title``)."""
    if "%" in raw:
        raw = "\n".join(ln for ln in raw.split("\n") if not ln.lstrip().startswith("%"))
    return raw.strip().lower()


def _line(block: Block) -> int:
    return (block.start_line or 0) + 1


# ------------------------------------------------------------------- errors
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _failure(text: str, block: ParsingFailedBlock) -> Problem:
    """Why a block is skipped, at its line."""
    line = (block.start_line or 0) + 1
    head = _HEADER_RE.match((block.raw or "").lstrip())
    what = f"entry @{head.group(1)}{{{head.group(2)}" if head else "entry"
    err = block.error
    reason = str(getattr(err, "abort_reason", "") or err or "")
    if "end of file" in reason:
        return Problem(line, f"{what}: an opening brace or quote is never closed (end of file reached)")
    if "Unexpected block start" in reason:
        end = getattr(err, "end_index", None)
        nxt = f" (line {_line_of(text, end + 1)})" if isinstance(end, int) and end >= 0 else ""
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


def _resolve_crossrefs(entries: list[tuple[BibEntry, dict[str, str]]]) -> set[str]:
    """Fill missing fields from crossref'd entries; return the keys used as targets."""
    by_key: dict[str, dict[str, str]] = {}
    for e, fields in entries:
        by_key.setdefault(e.key.lower(), fields)
    targets: set[str] = set()
    for e, fields in entries:
        for key in (fields.get("xdata") or "").split(","):  # biblatex: every field of the @xdata entries
            data = by_key.get(key.strip().lower())
            if data is not None and data is not fields:
                targets.add(key.strip().lower())
                for k, v in data.items():
                    fields.setdefault(k, v)
        ref = fields.get("crossref")
        if ref is None:
            continue
        parent = by_key.get(ref.strip().lower())
        if parent is None or parent is fields:
            log.info("crossref %r of %r not found", ref, e.key)
            continue
        targets.add(ref.strip().lower())
        if "title" in parent and "booktitle" not in fields:
            fields["booktitle"] = parent["title"]
        for k, v in parent.items():
            if k not in fields and k not in _NOT_INHERITED:
                fields[k] = v
    return targets


def _to_entry(e: BibEntry, fields: dict[str, str], warnings: list[Problem]) -> Entry:
    line = _line(e)
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
        places = ("url", "howpublished", "journal", "journaltitle", "eid")
        for text in [_get(fields, k) for k in places] + raw_notes:
            aid, cat = common.find_arxiv(text)
            if aid and (arxiv_id is None or aid == arxiv_id):
                arxiv_id = aid
                category = category or cat
    arxiv_id = arxiv_id or common.arxiv_from_doi(doi)
    if doi is None and (url := _get(fields, "url")) and "doi.org/" in url:
        doi = common.clean_doi(url)
    journal = _get(fields, "journal", "journaltitle")
    if journal is None and e.entry_type.lower() in _IN_TYPES:
        journal = _get(fields, "booktitle")
    if common.is_preprint_venue(journal):
        journal = None
    note = common.join_notes([common.strip_arxiv_lines(common.clean_note(n)) for n in raw_notes])
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
        issue=common.clean_inline(_get(fields, "number", "issue")),
        pages=common.clean_inline(_get(fields, "pages")),
        tags=common.split_keywords(_get(fields, "keywords")),
        note=note,
        citekey=e.key or None,
    )


def _usable(e: Entry) -> bool:
    return bool(e.title or e.doi or e.arxiv_id or e.abstract)


def parse(text: str, **_context: Any) -> ParsedFile:
    text = text.lstrip("\ufeff")
    reader = _Reader(text)
    reader.read(bibtexparser.parse_string(text, parse_stack=[]).blocks)
    targets = _resolve_crossrefs(reader.entries)
    out: list[Entry] = []
    for e, fields in reader.entries:
        kind = e.entry_type.lower()
        if kind == "xdata" or (kind in _CONTAINER_TYPES and e.key.lower() in targets):
            continue  # (fields other entries take, not a paper)
        if kind == "set":
            reader.skipped.append(Problem(_line(e), f"@set{{{e.key}}} groups other entries (biblatex); "
                                                    "they are imported, the set is not a paper"))
            continue
        entry = _to_entry(e, fields, reader.warnings)
        if _usable(entry):
            out.append(entry)
        else:
            reader.skipped.append(Problem(entry.line, f"@{e.entry_type}{{{e.key}}} has no title, identifier or "
                                                      "abstract: nothing to import"))
    skipped = sorted(reader.skipped, key=lambda p: p.line or 0)
    if not out:
        first = next((i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()), 1)
        if skipped:
            raise common.no_usable_record("BibTeX entry", skipped)
        raise ParseError("no BibTeX entries (only comments, @string or @preamble)", line=first)
    return ParsedFile(format=NAME, entries=out, skipped=skipped, warnings=reader.warnings)
