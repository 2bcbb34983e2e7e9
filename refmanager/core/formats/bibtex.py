"""BibTeX (and biblatex) files, read with bibtexparser v2.

What real ``.bib`` files hold and how it is read:

* ``@string`` macros, ``#`` concatenation and the month macros (``jan``...)
  are resolved by ``_ResolveMacros``: bibtexparser's own
  ``ResolveStringReferencesMiddleware`` only replaces a value that is exactly
  one macro name, and JabRef files concatenate (``jmlr # " (special)"``).
* Names are split by bibtexparser (``SeparateCoAuthors``, ``SplitNameParts``)
  *before* LaTeX decoding, so ``{Gemma Team}`` stays one name and
  ``M{\\"u}ller, J.`` splits at the right comma; ``and others`` sets ``et_al``.
* LaTeX accents and commands become Unicode and protective braces go
  (``LatexDecodingMiddleware`` with a few additions, see ``_LatexDecode``);
  identifiers and URLs are left verbatim.
* ``crossref`` fills missing fields from the referenced entry (BibTeX's rule;
  the parent's ``title`` becomes ``booktitle`` as in biblatex), except the
  parent's own identifiers, abstract and notes.  A
  ``@proceedings``/``@periodical`` that is only a crossref target describes a
  venue, not a paper, and is not imported.
* A block bibtexparser could not parse makes the whole file a ``ParseError``
  naming the block's line (one import is one transaction).  A repeated
  citation key is not an error here: keys are not stored, both entries import.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import bibtexparser
from bibtexparser.library import Library as BibLibrary
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.middleware import LibraryMiddleware
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry as BibEntry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    String,
)
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from ..errors import ParseError
from ..models import Entry, ParsedFile
from ..names import is_et_al, join_name
from . import common

log = logging.getLogger(__name__)
# bibtexparser logs every malformed block as a warning; we report it as a ParseError instead.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

NAME = "BibTeX"

_BLOCK_RE = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_DANGLING_AND = re.compile(r"(?i)^\s*and\s+|\s+and\s*$")
_HEADER_RE = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)")

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
     "keywords", "annote", "annotation", "comment", "note", "file"}
)


def detect(text: str) -> bool:
    """A line that starts a block: ``@article{``, ``@String(`` ..."""
    return _BLOCK_RE.search(text) is not None


# ------------------------------------------------------------------ middlewares
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


class _ResolveMacros(LibraryMiddleware):
    """@string macros (defined before use, later definitions win), ``#`` and month macros.

    Also unwraps repeated citation keys: both entries are papers to us, so the
    second one gets a private key and is read like any other.
    """

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)

    def transform(self, library: BibLibrary) -> BibLibrary:
        macros = dict(_MONTH_MACROS)
        blocks: list[Block] = []
        for n, block in enumerate(library.blocks):
            if isinstance(block, DuplicateBlockKeyBlock):
                inner = block.ignore_error_block
                if isinstance(inner, BibEntry):
                    log.info("repeated citation key %r (line %s)", inner.key, (inner.start_line or 0) + 1)
                    inner.key = f"{inner.key}\x00{n}"
                block = inner if inner is not None else block
            if isinstance(block, String):
                if isinstance(block.value, str):
                    block.value = _scan_value(block.value, macros)
                    macros[block.key.lower()] = block.value
            elif isinstance(block, BibEntry):
                for f in block.fields:
                    if isinstance(f.value, str):
                        f.value = _scan_value(f.value, macros)
                        if f.key.lower() in ("author", "editor"):  # "A and B and" (a name lost in editing)
                            f.value = _DANGLING_AND.sub("", f.value)
            blocks.append(block)
        return BibLibrary(blocks, fail_on_duplicate_key=False)


#: What LaTeX decoding changes: macros, groups, ties, math, comments, ligatures (dashes, quotes, ¡ ¿).
_LATEX_SIGNS = re.compile(r"[\\{}~$%]|--|``|''|[!?]`")


def _make_decoder() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    db.add_context_category(
        "refmanager-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
            MacroTextSpec("TeX", simplify_repl="TeX"),
            MacroTextSpec("BibTeX", simplify_repl="BibTeX"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
        ],
    )
    return LatexNodes2Text(latex_context=db, keep_braced_groups=False, math_mode="verbatim")


class _LatexDecode(LatexDecodingMiddleware):
    """LaTeX to Unicode, tolerant of what BibTeX allows and LaTeX does not.

    A bare ``%`` is text in a BibTeX value but a comment to LaTeX, so it is
    escaped first, as is an unpaired ``$``; identifier fields are not decoded
    at all; a value the decoder cannot read is kept (braces removed) rather
    than failing the file.
    """

    def __init__(self) -> None:
        super().__init__(decoder=_make_decoder())
        # LatexWalker builds its default macro table on every call unless given one.
        self._walker_context = latexwalker.get_default_latex_context_db()

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not _LATEX_SIGNS.search(python_string):
            return python_string, ""  # plain text: pylatexenc costs ~1 ms per kB for nothing
        s = re.sub(r"(?<!\\)%", r"\\%", python_string)
        dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", s)]
        if len(dollars) % 2:  # a lone "$" would swallow the rest as math: read it as a dollar sign
            s = s[: dollars[-1]] + "\\" + s[dollars[-1] :]
        try:
            return self._decoder.latex_to_text(s, latex_context=self._walker_context), ""
        except Exception:  # noqa: BLE001 - pylatexenc raises many kinds; keep the text
            log.debug("cannot decode LaTeX in %r", python_string, exc_info=True)
            return python_string.replace("{", "").replace("}", ""), ""

    def transform_entry(self, entry: BibEntry, library: BibLibrary) -> Block:
        keep = [(i, f) for i, f in enumerate(entry.fields) if f.key in _VERBATIM]
        entry.fields = [f for f in entry.fields if f.key not in _VERBATIM]
        out = super().transform_entry(entry, library)
        target = out.ignore_error_block if isinstance(out, MiddlewareErrorBlock) else out
        if isinstance(target, BibEntry):
            # The base class decodes a single NameParts, but SplitNameParts leaves a list of them.
            for f in target.fields:
                if isinstance(f.value, list):
                    for np in f.value:
                        if isinstance(np, NameParts):
                            for part in ("first", "von", "last", "jr"):
                                setattr(np, part, [self._transform_python_value_string(w)[0]
                                                   for w in getattr(np, part)])
            for i, f in keep:
                target.fields.insert(i, f)
        return out


def _parse_stack() -> list[Any]:
    return [_ResolveMacros(), NormalizeFieldKeys(), SeparateCoAuthors(), SplitNameParts(), _LatexDecode()]


# ------------------------------------------------------------------- errors
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _failure(text: str, block: ParsingFailedBlock) -> ParseError:
    line = (block.start_line or 0) + 1
    head = _HEADER_RE.match((block.raw or "").lstrip())
    what = f"entry @{head.group(1)}{{{head.group(2)}" if head else "entry"
    if isinstance(block, DuplicateFieldKeyBlock):
        keys = ", ".join(sorted(block.duplicate_keys))
        return ParseError(f"{what}: field {keys!r} appears twice", line=line)
    err = block.error
    reason = str(getattr(err, "abort_reason", "") or err or "")
    if "end of file" in reason:
        return ParseError(
            f"{what}: an opening brace or quote is never closed (end of file reached)", line=line
        )
    if "Unexpected block start" in reason:
        end = getattr(err, "end_index", None)
        nxt = f" (line {_line_of(text, end + 1)})" if isinstance(end, int) and end >= 0 else ""
        return ParseError(
            f"{what}: an opening brace or quote is never closed before the next entry{nxt}", line=line
        )
    if isinstance(block, MiddlewareErrorBlock):
        return ParseError(f"{what}: cannot read it ({reason})", line=line)
    return ParseError(f"malformed {what}: {reason or 'syntax error'}", line=line)


# ------------------------------------------------------------------ mapping
def _get(fields: dict[str, Any], *keys: str) -> str | None:
    for k in keys:
        v = fields.get(k)
        if isinstance(v, str) and v.strip():
            return v
    return None


def _authors(value: Any) -> tuple[list[str], bool]:
    if isinstance(value, str):  # not split (should not happen): one name per " and "
        value = [NameParts(last=[v]) for v in re.split(r"\s+and\s+", value) if v.strip()]
    names: list[str] = []
    et_al = False
    for np in value or []:
        display = common.clean_inline(
            join_name(" ".join(np.first), " ".join(np.von), " ".join(np.last), " ".join(np.jr))
        )
        if not display:
            continue
        if is_et_al(display):
            et_al = True
            continue
        names.append(display)
    return names, et_al


def _date(fields: dict[str, Any]) -> str | None:
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


def _resolve_crossrefs(entries: list[BibEntry]) -> set[str]:
    """Fill missing fields from crossref'd entries; return the keys used as targets."""
    by_key: dict[str, BibEntry] = {}
    for e in entries:
        by_key.setdefault(e.key.lower(), e)
    targets: set[str] = set()
    for e in entries:
        ref = e.fields_dict.get("crossref")
        if ref is None or not isinstance(ref.value, str):
            continue
        parent = by_key.get(ref.value.strip().lower())
        if parent is None or parent is e:
            log.info("crossref %r of %r not found", ref.value, e.key)
            continue
        targets.add(parent.key.lower())
        have = set(e.fields_dict)
        ptitle = parent.fields_dict.get("title")
        if ptitle is not None and "booktitle" not in have:
            e.set_field(Field(key="booktitle", value=ptitle.value))
            have.add("booktitle")
        for f in parent.fields:
            if f.key not in have and f.key not in _NOT_INHERITED:
                e.set_field(Field(key=f.key, value=f.value))
    return targets


def _to_entry(e: BibEntry) -> Entry:
    fields = {f.key: f.value for f in e.fields}
    authors, et_al = _authors(fields.get("author"))
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
    if journal is None and e.entry_type in _IN_TYPES:
        journal = _get(fields, "booktitle")
    if common.is_preprint_venue(journal):
        journal = None
    note = common.join_notes([common.strip_arxiv_lines(common.clean_note(n)) for n in raw_notes])
    return Entry(
        kind="bibtex",
        line=(e.start_line or 0) + 1,
        title=common.clean_inline(_get(fields, "title")),
        authors=authors,
        et_al=et_al,
        date=_date(fields),
        category=category,
        abstract=common.clean_block(_get(fields, "abstract")),
        arxiv_id=arxiv_id,
        doi=doi,
        journal=common.clean_inline(journal),
        tags=common.split_keywords(_get(fields, "keywords")),
        note=note,
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    text = text.lstrip("\ufeff")
    lib = bibtexparser.parse_string(text, parse_stack=_parse_stack())
    failed = sorted(lib.failed_blocks, key=lambda b: b.start_line or 0)
    if failed:
        raise _failure(text, failed[0])
    entries = list(lib.entries)
    targets = _resolve_crossrefs(entries)
    out = [
        _to_entry(e)
        for e in entries
        if not (e.entry_type in _CONTAINER_TYPES and e.key.lower() in targets)
    ]
    if not out:
        first = next((i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()), 1)
        raise ParseError("no BibTeX entries (only comments, @string or @preamble)", line=first)
    return ParsedFile(format=NAME, entries=out)
