"""Export papers as BibTeX, RIS, CSL-JSON or refmanager JSON, and format citations.

``papers`` are the ``Paper`` objects ``Library.get_many`` returns.  Every exporter writes
what its importer in ``formats/`` reads back, so export followed by import
into an empty library gives the same papers (field mappings and limits:
docs/formats.md).  Exports are data: every value is escaped so that it cannot
end a field, an entry or a record, or the export is refused (``ExportRefused``:
an identifier that is none; docs/formats.md, "Exports are data").  Qt-free, no
I/O: callers write the returned text.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .dates import validate_iso_date
from .errors import ParseError, RefManagerError
from .fields import Paper, paper_json
from .names import PersonName, ascii_fold, initials, is_organisation, split_name
from .split import TEAM_WORDS
from .validation import ID_FIELDS, valid_id

log = logging.getLogger(__name__)


#: Words skipped when a citation key takes the first significant word of the title.
KEY_STOPWORDS = frozenset(
    "a an the on of in for to and or with from by at as is are be do does what how why when can "
    "towards toward via into using about".split()
)
_MONTH_MACROS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_LATEX_SPECIALS = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
#: The same for a text whose braces do not pair up: each brace a command of its own.
_UNPAIRED_SPECIALS = {**_LATEX_SPECIALS, "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
#: The same in names, each a braced command (``_name_escape``).
_NAME_SPECIALS = {c: "{" + v.removesuffix("{}") + "}" for c, v in _UNPAIRED_SPECIALS.items()} | {";": "{;}"}
#: Character pairs LaTeX turns into one glyph ("--" is an en dash): kept apart with "{}".
_LIGATURES = {("-", "-"), ("`", "`"), ("'", "'"), ("!", "`"), ("?", "`")}
#: Inline math as pandoc reads it: no space just inside the dollars, no digit right after ("$5 or $6").
_MATH = re.compile(r"\$(?=[^\s$])[^$\n]*?(?<=\S)\$(?!\d)")
_WORD_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


#: CSL rich-text markup, as the CSL-JSON importer removes it (``formats.csljson._MARKUP``,
#: which a test checks is the same).
CSL_MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")
#: What the RIS importer takes for an HTML tag in a note (Zotero writes notes as HTML):
#: ``formats.common._HTML_TAG``, which a test checks is the same.
RIS_NOTE_TAG = re.compile(r"<[^>]+>")


class ExportRefused(RefManagerError):
    """A paper holds a value the format cannot write as data (an identifier that is none,
    from a library written before identifiers were checked on import): nothing is written."""


def check_values(papers: Sequence[Paper]) -> None:
    """Refuse papers whose DOI, arXiv id, category or date is not what ``edit`` would
    store: BibTeX and RIS write these as they are (an identifier is not text to escape),
    so one holding ``}`` or a line break could end its field or record."""
    bad: list[str] = []
    for p in papers:
        for field, what in ID_FIELDS.items():
            v = getattr(p, field)
            if v is not None and not valid_id(field, v):
                bad.append(f"paper {p.id}: {field} {v!r} is not {what}")
        if p.date is not None and not _valid_date(p.date):
            bad.append(f"paper {p.id}: date {p.date!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise ExportRefused(
            "cannot export: " + "; ".join(bad[:3]) + more + ". Correct the value (refmanager edit ID "
            "--doi/--arxiv-id/--category/--date, or clear it with '') and export again"
        )


def _valid_date(date: str) -> bool:
    try:
        return validate_iso_date(date) == date
    except ParseError:
        return False


# ---------------------------------------------------------------- citation keys
def _key_name(p: Paper) -> str:
    """Family name of the first person; a team ("Gemma Team") only when no person is named."""
    authors = [a for a in p.authors or [] if a and a.strip()]
    people = [a for a in authors if not is_organisation(a)]
    if people:
        return ascii_fold(split_name(people[0]).full_family) or "anon"  # "van der Maaten" -> vandermaaten
    if authors:
        words = [w for w in authors[0].split() if w not in TEAM_WORDS and w.casefold() != "the"]
        return ascii_fold(words[0] if words else authors[0]) or "anon"
    return "anon"


def _key_word(title: str | None) -> str:
    for word in re.split(r"[\s\-–—:/]+", title or ""):
        w = ascii_fold(word)
        if w and not w.isdigit() and w not in KEY_STOPWORDS:
            return w
    return ""


def _suffixes() -> Iterator[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for a in letters:
        yield a
    for a in letters:
        for b in letters:
            yield a + b


#: The default citation key pattern (a preference in the app).
DEFAULT_KEY_PATTERN = "{author}{year}{word}"
_KEY_FIELDS = re.compile(r"\{(author|year|word)\}")


def citation_keys(papers: Sequence[Paper], pattern: str = DEFAULT_KEY_PATTERN) -> list[str]:
    """One key per paper (same order): ``mesnard2024gemma``.

    ``pattern`` joins ``{author}`` (first person's family name, ASCII, lower
    case), ``{year}`` and ``{word}`` (first significant title word) with any
    literal text.  Papers sharing a key get ``a``, ``b``... in paper-id order,
    the lowest id keeping the bare key, so keys do not change when later
    papers are added.
    """
    if not _KEY_FIELDS.search(pattern):
        pattern = DEFAULT_KEY_PATTERN
    bases = []
    for p in papers:
        date = p.date or ""
        parts = {"author": _key_name(p), "year": date[:4] if date[:4].isdigit() else "",
                 "word": _key_word(p.title)}
        base = _KEY_FIELDS.sub(lambda m: parts[m.group(1)], pattern)
        bases.append(re.sub(r"[^A-Za-z0-9_:.\-]", "", base) or "anon")
    order = sorted(
        range(len(papers)), key=lambda i: (not papers[i].id, papers[i].id or 0, i)
    )
    taken = set()
    keys = [""] * len(papers)
    for i in order:
        key = bases[i]
        if key in taken:
            key = next(key + s for s in _suffixes() if key + s not in taken and key + s not in bases)
        taken.add(key)
        keys[i] = key
    return keys


# ------------------------------------------------------------------- BibTeX
def latex_escape(text: str, *, protect_case: bool = False) -> str:
    """Plain text to a BibTeX value that reads back as the same text.

    LaTeX specials are escaped, ligature pairs are kept apart, an ``@`` at the
    start of a line is braced (it would start a new entry), ``$...$`` math is
    kept as written.  With ``protect_case`` (titles), words with a capital
    after their first letter ("LLMs", "BYOL-Explore", "2B") are braced so
    styles that lower-case titles keep them.

    The braces of the result always pair up as BibTeX counts them (every brace,
    escaped or not), so no value can end its field or its entry: text braces are
    written ``\\{``/``\\}`` when the text's own braces pair up, else every one as
    ``\\textbraceleft{}``/``\\textbraceright{}``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # (the importer reads a CR as a line end)
    specials = _LATEX_SPECIALS if _balanced(text) else _UNPAIRED_SPECIALS
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        math = m.group(0)
        if (pos and m.start() == pos) or not _plain_math(math):
            continue  # escaped as text with what surrounds it
        out.append(_escape_text(text[pos : m.start()], protect_case, specials))
        out.append(math)
        pos = m.end()
    out.append(_escape_text(text[pos:], protect_case, specials))
    return "".join(out)


def _plain_math(math: str) -> bool:
    """Inline math the importer reads back as written (it reads to the next unescaped
    ``$``, and a value with ``$$``, ``\\[`` or ``\\begin`` as a LaTeX document): braces that
    pair up, no ``%``, no backslash before the closing ``$``, no display math inside.
    (A second math right after another is written as text: ``$a$$b$`` would say ``$$``.)"""
    return (
        _balanced(math) and "%" not in math and not math.endswith("\\$")
        and not any(w in math for w in ("\\[", "\\begin", "\\("))
    )


def _balanced(s: str) -> bool:
    """The braces of ``s`` pair up as BibTeX counts them: every brace, ``\\{`` too."""
    if "{" not in s and "}" not in s:
        return True
    depth = 0
    for c in s:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _escape_chars(text: str, specials: dict[str, str]) -> str:
    out: list[str] = []
    prev = ""
    line_start = True
    for c in text:
        if (prev, c) in _LIGATURES:
            out.append("{}")
        if c == "@" and line_start:
            out.append("{@}")
        else:
            out.append(specials.get(c, c))
        if c == "\n":
            line_start = True
        elif not c.isspace():
            line_start = False
        prev = c
    return "".join(out)


def _escape_text(text: str, protect_case: bool, specials: dict[str, str]) -> str:
    if not protect_case:
        return _escape_chars(text, specials)
    out = []
    for word in re.split(r"(\s+)", text):
        lead, core, trail = _WORD_CORE.match(word).groups()  # type: ignore[union-attr]
        if any(c.isupper() for c in core[1:]):
            out.append(
                _escape_chars(lead, specials) + "{" + _escape_chars(core, specials) + "}"
                + _escape_chars(trail, specials)
            )
        else:
            out.append(_escape_chars(word, specials))
    return "".join(out)


def _name_escape(text: str) -> str:
    """A part of a name: as ``latex_escape``, but every special a braced command (``{\\&}``,
    ``{\\textbraceleft}``) and math escaped too.  The splitter of ``and``-separated names
    (BibTeX's, bibtexparser's) skips a backslash and the character after it, so a bare
    ``\\%`` could vanish next to an ``and``; a braced group is always seen.  A ``;`` is
    braced too (the importer reads ``A; B`` as two names)."""
    return _escape_chars(text, _NAME_SPECIALS)


def _bib_name(name: str) -> str:
    n = split_name(name)
    if n.literal or not n.given or re.search(r"(?i)\band\b", name):
        return "{" + _name_escape(" ".join(name.split())) + "}"
    family = _name_escape(n.full_family)
    parts = [family, _name_escape(n.suffix)] if n.suffix else [family]
    return ", ".join([*parts, _name_escape(n.given)])


def _page_ends(pages: str | None) -> tuple[str | None, str | None]:
    """(first page, last page) of "12-34" / "12–34" / "12--34"; one page: (it, None)."""
    if not pages:
        return None, None
    m = re.fullmatch(r"\s*(\S+?)\s*[-–—]+\s*(\S+)\s*", pages)
    return (m.group(1), m.group(2)) if m else (pages.strip(), None)


def _bib_entry(p: Paper, key: str) -> str:
    fields: list[tuple[str, str]] = []

    def put(name: str, value: str | None, *, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else "{" + value + "}"))

    put("title", latex_escape(p.title, protect_case=True) if p.title else None)
    authors = [_bib_name(a) for a in p.authors or [] if a and a.strip()]
    if p.et_al and authors:
        authors.append("others")
    put("author", " and ".join(authors))
    date = p.date or ""
    if date[:4].isdigit():
        put("year", date[:4])
        if len(date) >= 7 and date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
            put("month", _MONTH_MACROS[int(date[5:7]) - 1], raw=True)
        put("date", date)  # biblatex reads the full date; BibTeX ignores it
    put("journal", latex_escape(p.journal) if p.journal else None)
    put("volume", latex_escape(p.volume) if p.volume else None)
    put("number", latex_escape(p.issue) if p.issue else None)
    # (as written: BibTeX styles make "12-34" a range themselves, and "--" would come back "–")
    put("pages", latex_escape(p.pages) if p.pages else None)
    if p.arxiv_id:
        put("eprint", p.arxiv_id)
        put("archivePrefix", "arXiv")
        put("primaryClass", p.category)
        put("url", f"https://arxiv.org/abs/{p.arxiv_id}")
    elif p.category:
        put("primaryClass", p.category)
    put("doi", p.doi)
    put("abstract", latex_escape(p.abstract) if p.abstract else None)
    put("keywords", latex_escape(", ".join(p.tags or [])))
    put("annote", latex_escape(p.note) if p.note else None)
    kind = "article" if p.journal else "misc"
    body = "".join(f"  {name} = {value},\n" for name, value in fields)
    return f"@{kind}{{{key},\n{body}}}\n"


def to_bibtex(papers: Sequence[Paper], key_pattern: str = DEFAULT_KEY_PATTERN) -> str:
    """BibTeX entries (UTF-8; ``@misc`` for preprints, ``@article`` with a journal).
    ``ExportRefused`` for a paper with an identifier that is none (``check_values``)."""
    check_values(papers)
    keys = citation_keys(papers, key_pattern)
    return "\n".join(_bib_entry(p, k) for p, k in zip(papers, keys))


# ---------------------------------------------------------------------- RIS
def _ris_value(tag: str, value: str) -> list[str]:
    """A tag line; further lines become continuation lines (indented, never a tag)."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # (the importer reads a CR as a line end)
    return [f"{tag}  - {lines[0]}"] + [f"      {ln}" for ln in lines[1:]]


def _ris_name(name: str) -> str:
    n = split_name(name)
    if n.literal or not n.given:
        return " ".join(name.split())
    return ", ".join(x for x in (n.full_family, n.given, n.suffix) if x)




def _ris_note(note: str) -> str:
    """A note the importer reads back as written.  It reads a note holding an HTML tag as
    HTML (as Zotero writes them): a note in which something looks like a tag
    (``x <y> z``) is written as HTML, one ``<p>`` with ``&``, ``<``, ``>`` escaped."""
    if not RIS_NOTE_TAG.search(note):
        return note
    return "<p>" + html.escape(note, quote=False) + "</p>"


def _ris_entry(p: Paper) -> str:
    out: list[str] = []

    def put(tag: str, value: str | None) -> None:
        if value:
            out.extend(_ris_value(tag, value))

    put("TY", "JOUR" if p.journal else "GEN")
    put("TI", " ".join((p.title or "").split()))
    for a in p.authors or []:
        if a and a.strip():
            put("AU", _ris_name(a))
    if p.et_al and p.authors:
        put("AU", "et al.")
    date = p.date or ""
    if date[:4].isdigit():
        put("PY", date[:4])
        y, m, d = (date.split("-") + ["", ""])[:3]
        put("DA", f"{y}/{m}/{d}/")
    put("T2", p.journal)
    put("VL", p.volume)
    put("IS", p.issue)
    first, last = _page_ends(p.pages)
    if first == last:  # "5-5": one SP, as written (the importer reads an SP range as it is)
        first, last = p.pages, None
    put("SP", first)
    put("EP", last)
    put("AB", p.abstract)
    put("DO", p.doi)
    if p.arxiv_id:
        put("UR", f"https://arxiv.org/abs/{p.arxiv_id}")
        put("AN", f"arXiv:{p.arxiv_id}")
    if p.category:  # the arXiv classification, as a call number in the arXiv database
        put("DB", "arXiv")
        put("CN", p.category)
    for t in p.tags or []:
        put("KW", t)
    put("N1", _ris_note(p.note) if p.note else None)
    out.append("ER  - ")
    return "\n".join(out) + "\n"


def to_ris(papers: Sequence[Paper]) -> str:
    """RIS records (``GEN`` for preprints, ``JOUR`` with a journal), one blank line apart.
    ``ExportRefused`` for a paper with an identifier that is none (``check_values``)."""
    check_values(papers)
    return "\n".join(_ris_entry(p) for p in papers)


# ----------------------------------------------------------------- CSL-JSON
def _csl_name(name: str) -> dict[str, str]:
    n = split_name(name)
    if n.literal or not n.given:
        return {"literal": " ".join(name.split())}
    d = {"family": n.full_family, "given": n.given}
    if n.suffix:
        d["suffix"] = n.suffix
    return d


def _csl_literal(text: str) -> str:
    """Text that CSL processors (and the importer) read as markup, kept literal.

    CSL titles are rich text: ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<span ...>``
    are formatting, which the importer removes.  A title that says ``<b>`` as
    text gets an empty ``<i></i>`` after each ``<`` that would start such a
    tag, so a processor shows it and the importer reads it back as written.
    """
    if "<" not in text:
        return text
    starts = [i for i, c in enumerate(text) if c == "<" and CSL_MARKUP.match(text, i)]
    if not starts:
        return text
    out, pos = [], 0
    for i in starts:
        out += [text[pos : i + 1], "<i></i>"]
        pos = i + 1
    out.append(text[pos:])
    return "".join(out)


def _csl_item(p: Paper, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key, "type": "article-journal" if p.journal else "article"}
    if p.title:
        item["title"] = _csl_literal(p.title)
    authors = [_csl_name(a) for a in p.authors or [] if a and a.strip()]
    if p.et_al and authors:
        authors.append({"literal": "others"})  # pandoc's reading of BibTeX "and others"
    if authors:
        item["author"] = authors
    date = p.date or ""
    if date[:4].isdigit():
        item["issued"] = {"date-parts": [[int(x) for x in date.split("-") if x.isdigit()]]}
    for name, value in (("volume", p.volume), ("issue", p.issue), ("page", p.pages)):
        if value:
            item[name] = value
    if p.journal:
        item["container-title"] = _csl_literal(p.journal)
    elif p.arxiv_id:
        item["publisher"] = "arXiv"
    if p.arxiv_id:
        item["number"] = f"arXiv:{p.arxiv_id}"  # as Zotero writes a preprint's archive id
        item["URL"] = f"https://arxiv.org/abs/{p.arxiv_id}"
    if p.category:  # the arXiv listing the paper sits in
        item["archive"] = "arXiv"
        item["archive_location"] = p.category
    if p.doi:
        item["DOI"] = p.doi
    if p.abstract:
        item["abstract"] = p.abstract
    if p.tags:
        item["keyword"] = ", ".join(p.tags)
    if p.note:
        item["note"] = p.note
    return item


def to_csljson(papers: Sequence[Paper], key_pattern: str = DEFAULT_KEY_PATTERN) -> str:
    """A CSL-JSON array (ids are the BibTeX citation keys)."""
    keys = citation_keys(papers, key_pattern)
    items = [_csl_item(p, k) for p, k in zip(papers, keys)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------- JSON
def to_json(papers: Sequence[Paper]) -> str:
    """refmanager JSON: the documented fields (``fields.JSON_FIELDS``), as ``export --format json``."""
    return json.dumps([paper_json(p) for p in papers], ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class ExportFormat:
    """One way out, as the File → Export menu and ``refmanager export`` offer it."""

    label: str
    suffix: str
    #: the file dialog's filter
    files: str
    write: Callable[[Sequence[Paper], str], str]  # (papers, citation key pattern) -> text


#: Every export format, by the name ``--format`` takes.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    "bibtex": ExportFormat("BibTeX", ".bib", "BibTeX (*.bib)", to_bibtex),
    "ris": ExportFormat("RIS", ".ris", "RIS (*.ris)", lambda papers, _pattern: to_ris(papers)),
    "csljson": ExportFormat("CSL-JSON", ".csl.json", "CSL-JSON (*.json)", to_csljson),
    "json": ExportFormat("refmanager JSON", ".json", "refmanager JSON (*.json)", lambda papers, _pattern: to_json(papers)),
}


# ---------------------------------------------------------------- citations
def _cite_name(name: str) -> str:
    n: PersonName = split_name(name)
    if n.literal or not n.given:
        return " ".join(name.split())
    s = f"{n.full_family}, {initials(n.given)}"
    return f"{s}, {n.suffix}" if n.suffix else s


def format_citation(paper: Paper) -> str:
    """One plain-text reference, in refmanager's documented style (docs/formats.md).

    ``Riviere, M., Pathak, S., et al. (2024). Title. Journal. arXiv:2408.00118. https://doi.org/...``

    * Authors are people as "Family, I."; a team byline ("Gemma Team") is left
      out when people are named, and used as written when it is all there is.
    * One author: "A"; two: "A, & B"; three: "A, B, & C".  More than three, or
      a list the library knows is truncated: the first three (or all known,
      if fewer) then "et al.".
    * "(Year)" from the date, "(n.d.)" without one.  The title ends with a
      full stop unless it ends with "?" or "!"; a missing title is "[no title]".
    * Then, when known: the journal, "arXiv:<id>", "https://doi.org/<doi>".
    * With no authors the title comes first: "Title. (2024). arXiv:...".
    """
    raw = [a for a in paper.authors or [] if a and a.strip()]
    people = [a for a in raw if not is_organisation(a)]
    names = [_cite_name(a) for a in (people or raw)]
    truncated = bool(paper.et_al) or len(names) > 3
    if truncated:
        who = ", ".join(names[:3]) + (", et al." if names else "")
    elif len(names) == 1:
        who = names[0]
    elif names:
        who = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        who = ""
    date = paper.date or ""
    year = f"({date[:4]})" if date[:4].isdigit() else "(n.d.)"
    title = " ".join((paper.title or "[no title]").split())
    if not title.endswith((".", "?", "!")):
        title += "."
    head = f"{who} {year}. {title}" if who else f"{title} {year}."
    tail = []
    if paper.journal:
        tail.append(" ".join(paper.journal.split()).rstrip(".") + ".")
    if paper.arxiv_id:
        tail.append(f"arXiv:{paper.arxiv_id}.")
    if paper.doi:
        tail.append(f"https://doi.org/{paper.doi}")
    return " ".join([head, *tail])
