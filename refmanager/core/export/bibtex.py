"""BibTeX: entries that read back as the same papers, titles that print as written."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS, base_key, clean_key  # noqa: F401
from ..fields import Paper
from ..models import LibraryGroups
from ..names import split_name
from ..record import CSL_TO_BIBTEX, IN_BOOK, default_type, institution_field
from ..textnorm import lf_line_ends
from .common import check_values, citation_keys
from .jabref_groups import field_name, grouping_comment, written_names

log = logging.getLogger(__name__)

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
    text = lf_line_ends(text)  # (the importer reads a CR as a line end)
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


def _escaping(specials: dict[str, str]) -> re.Pattern[str]:
    """What ``_escape_chars`` changes: a special, an ``@``, the empty place inside a ligature pair."""
    pairs = "|".join(f"(?<={re.escape(a)})(?={re.escape(b)})" for a, b in sorted(_LIGATURES))
    return re.compile(f"[{re.escape(''.join(specials))}@]|{pairs}")


_ESCAPING = {id(d): _escaping(d) for d in (_LATEX_SPECIALS, _UNPAIRED_SPECIALS, _NAME_SPECIALS)}


def _escape_chars(text: str, specials: dict[str, str]) -> str:
    """Each special as ``specials`` writes it, ``{}`` inside a ligature pair, an ``@`` first on
    its line (but for spaces) braced.  By regular expression: a loop over every character
    was 3/4 of a BibTeX export (0.4 ms a paper)."""
    pattern = _ESCAPING.get(id(specials)) or _escaping(specials)
    if not pattern.search(text):
        return text

    def one(m: re.Match[str]) -> str:
        c = m.group()
        if not c:
            return "{}"
        if c == "@":
            before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            return "{@}" if not before or before.isspace() else "@"
        return specials.get(c, c)

    return pattern.sub(one, text)


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




def _bib_entry(p: Paper, key: str, groups: Sequence[str] = ()) -> str:
    """``groups``: the names of the paper's collections as the file's groups have them."""
    fields: list[tuple[str, str]] = []
    extras = dict((p.extras or {}).get("bibtex") or {})
    kind = p.type or default_type(arxiv_id=p.arxiv_id, journal=p.journal)
    entry_type = str(extras.pop("@type", "") or CSL_TO_BIBTEX.get(kind, "misc"))
    record = p.record or {}

    def put(name: str, value: str | None, *, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else "{" + value + "}"))

    def text(value: Any) -> str | None:
        return latex_escape(str(value)) if value else None

    def names(people: Sequence[str] | None, et_al: bool = False) -> str:
        out = [_bib_name(a) for a in people or [] if a and a.strip()]
        if et_al and out:
            out.append("others")
        return " and ".join(out)

    put("title", bibtex_title(p.title) if p.title else None)
    put("author", names(p.authors, p.et_al))
    put("editor", names(record.get("editors")))
    put("translator", names(record.get("translators")))
    date = p.date or ""
    if date[:4].isdigit():
        put("year", date[:4])
        if len(date) >= 7 and date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
            put("month", _MONTH_MACROS[int(date[5:7]) - 1], raw=True)
        put("date", date)  # biblatex reads the full date; BibTeX ignores it
    put("booktitle" if kind in IN_BOOK or entry_type.lower() in _BOOKTITLE_TYPES else "journal", text(p.journal))
    put("series", text(record.get("collection_title")))
    put("edition", text(record.get("edition")))
    put("volume", text(p.volume))
    put("number", text(record.get("number") or p.issue))
    if record.get("number") and p.issue:
        put("issue", text(p.issue))
    put("chapter", text(record.get("chapter")))
    # (as written: BibTeX styles make "12-34" a range themselves, and "--" would come back "–")
    put("pages", text(p.pages))
    put("publisher", text(p.publisher))
    put(institution_field(kind), text(record.get("institution")))
    put("address", text(record.get("place")))
    put("type", text(record.get("genre")))
    put("isbn", record.get("isbn"))
    put("issn", record.get("issn"))
    put("language", text(record.get("language")))
    put("shortjournal", text(record.get("short_journal")))
    put("pmid", record.get("pmid"))
    put("pmcid", record.get("pmcid"))
    if p.arxiv_id:
        put("eprint", p.arxiv_id)
        put("archivePrefix", "arXiv")
        put("primaryClass", p.category)
    else:
        put("eprint", text(record.get("eprint")))
        put("eprinttype", text(record.get("eprinttype")))
        put("primaryClass", p.category)
    put("url", record.get("url") or (f"https://arxiv.org/abs/{p.arxiv_id}" if p.arxiv_id else None))
    put("urldate", record.get("accessed"))
    put("doi", p.doi)
    put("abstract", text(p.abstract))
    # one tag each, braced when it holds a separator the importer cuts at ("," ";"): back whole
    put("keywords", ", ".join("{%s}" % latex_escape(t) if "," in t or ";" in t else latex_escape(t)
                              for t in p.tags or []))
    put("annote", text(p.note))
    if groups:  # (JabRef's membership field; names no collection had when imported stay after them)
        kept = extras.pop("groups", None)
        kept = (kept if _balanced(kept) else latex_escape(kept)) if isinstance(kept, str) and kept.strip() else None
        put("groups", ", ".join([*map(field_name, dict.fromkeys(groups)), *([kept] if kept else [])]))
    written = {name.lower() for name, _ in fields}
    for name, value in extras.items():  # (fields no table knows: as they came, unless written above)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z][\w\-:.+]*", name) and name.lower() not in written:
            put(name, value if _balanced(value) and "\n@" not in value else latex_escape(value))
    body = "".join(f"  {name} = {value},\n" for name, value in fields)
    if not re.fullmatch(r"[A-Za-z]+", entry_type):
        entry_type = "misc"
    return f"@{entry_type}{{{key},\n{body}}}\n"


#: BibTeX entry types whose container is a ``booktitle``.
_BOOKTITLE_TYPES = frozenset({"inproceedings", "conference", "incollection", "inbook", "inreference"})
#: A word bibtex's case change would touch: a capital anywhere but at its start when it
#: opens the title (or a subtitle after ": "), kept as written by a brace group.
_CAPITALISED = re.compile(r"[A-Z]")


def bibtex_title(title: str) -> str:
    """A title for BibTeX: escaped, and every run of words a style would lowercase braced
    (bibtex lowercases all but the first letter of a title in many styles: "Gemini" would
    print "gemini"), so that the title prints as written."""
    if any(c in title for c in "${}\\"):
        return latex_escape(title, protect_case=True)  # (math and braces: words with inner capitals only)
    out: list[str] = []
    run: list[str] = []
    first = True

    def flush() -> None:
        if run:
            out.append("{" + latex_escape(" ".join(run)) + "}")
            run.clear()

    for i, word in enumerate(re.split(r"(\s+)", title)):
        if i % 2:  # (whitespace)
            if run:
                continue
            out.append(word)
            continue
        core = _WORD_CORE.match(word).group(2)  # type: ignore[union-attr]
        opens = first or (out and out[-1].rstrip().endswith(":"))
        if _CAPITALISED.search(core[1:] if opens else core):
            run.append(word)
        else:
            if run:
                flush()
                out.append(" ")
            out.append(latex_escape(word, protect_case=True))
        first = False
    flush()
    return "".join(out).replace("  ", " ")


def to_bibtex(papers: Sequence[Paper], key_pattern: str = DEFAULT_KEY_PATTERN,
              groups: LibraryGroups | None = None) -> str:
    """BibTeX entries (UTF-8; ``@misc`` for preprints, ``@article`` with a journal).
    ``ExportRefused`` for a paper with an identifier that is none (``check_values``).
    ``groups``: the library's collections and saved searches, written as JabRef's groups
    (``jabref_groups``): each paper's ``groups`` field, and the tree in a comment at the end."""
    check_values(papers)
    return "".join(bibtex_pieces([(papers, citation_keys(papers, key_pattern))], groups))


def bibtex_pieces(chunks: Iterable[tuple[Sequence[Paper], Sequence[str]]],
                  groups: LibraryGroups | None = None) -> Iterator[str]:
    """``to_bibtex``'s text a part at a time, from (papers, their citation keys) a part at a
    time (``common.keyed_chunks``; the values already checked): entries one blank line apart,
    then with ``groups`` the groups' comment."""
    names = written_names(groups.paths) if groups else {}
    first = True
    for papers, keys in chunks:
        if not papers:
            continue
        if groups:
            entries = [_bib_entry(p, k, [names.get(c) or c.rsplit("/", 1)[-1] for c in groups.of.get(p.id or 0, ())])
                       for p, k in zip(papers, keys)]
        else:
            entries = [_bib_entry(p, k) for p, k in zip(papers, keys)]
        yield ("" if first else "\n") + "\n".join(entries)
        first = False
    if groups:
        yield ("" if first else "\n") + grouping_comment(groups, names)
