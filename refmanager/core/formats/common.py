"""Helpers shared by the bibliography formats (BibTeX, RIS, CSL-JSON).

Each exporter writes dates, identifiers and notes its own way; these
functions turn what they wrote back into the library's plain values, so every
format agrees on what "2024/07/31/", "arXiv:2408.00118 [cs.CL]" or
"doi:10.1/x" mean.  Not a format: it is not in ``FORMATS``.
"""

from __future__ import annotations

import datetime as _dt
import html
import logging
import re
from collections.abc import Iterable

from .. import arxivid
from ..errors import ParseError
from ..fields import split_tags, unique_tags
from ..models import Entry, ParsedFile, Problem
from ..textnorm import collapse_ws
from ..validation import normalise_doi
from .listing_full import MONTHS

log = logging.getLogger(__name__)

#: arXiv archives that have subject classes: "[cs]" alone is not a category.
_ARCHIVES_WITH_SUBJECTS = frozenset(
    {"cs", "math", "physics", "stat", "q-bio", "q-fin", "eess", "econ", "nlin", "cond-mat", "astro-ph"}
)
_CATEGORY_RE = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$")  # cs.CL, cond-mat.stat-mech
_BRACKET_CAT = re.compile(r"^\s*\[([A-Za-z.\-]+)\]")
_ARXIV_WORDS = re.compile(r"^(?:arxiv|arxiv\.org|arxiv e-?prints?|arxiv preprint|e-?print|preprint|corr)?$")
_DOI_IN_TEXT = re.compile(r'\b10\.\d{4,9}/[^\s"{}\\]+')
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})?(?:[-/.](\d{1,2})?)?)?(?:\D|$)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_HTML_TAG = re.compile(r"<[^>]+>")
_ARXIV_ABS = re.compile(r"https?://(?:www\.|export\.)?arxiv\.org/abs/\S+", re.IGNORECASE)


def record_file(
    fmt: str, what: str, results: Iterable[tuple[int | None, Entry | str]], *, empty: str,
    warnings: list[Problem] | None = None,
) -> ParsedFile:
    """A file of self-delimiting records: each gives an entry, or why it cannot be used
    (skipped and reported, the rest imports); an entry with nothing to import is skipped
    too.  A file with no usable record is rejected whole (``empty``: none at all)."""
    entries: list[Entry] = []
    skipped: list[Problem] = []
    for line, result in results:
        if isinstance(result, str):
            skipped.append(Problem(line, result))
        elif not (result.title or result.doi or result.arxiv_id or result.abstract):
            skipped.append(Problem(line, f"{what} with no title, identifier or abstract: nothing to import"))
        else:
            entries.append(result)
    if not entries:
        if skipped:
            raise no_usable_record(what, skipped)
        raise ParseError(empty, line=1)
    return ParsedFile(format=fmt, entries=entries, skipped=skipped, warnings=warnings or [])


def first_value(fields: dict[str, list[str]], *tags: str) -> str | None:
    """The first non-blank value of the first of ``tags`` a tagged record has."""
    for t in tags:
        for v in fields.get(t, []):
            if v.strip():
                return v.strip()
    return None


def family_first_name(raw: str) -> str | None:
    """"Smith, John A." -> "John A. Smith" (tagged exports write family, given); a name
    without a comma stays as written."""
    if "," not in raw:
        return clean_inline(raw)
    family, given = raw.split(",", 1)
    return clean_inline(f"{given.strip()} {family.strip()}")


def no_usable_record(what: str, skipped: list[Problem]) -> ParseError:
    """The error of a file none of whose records could be used (it is rejected whole):
    the one record's reason, or how many were skipped and the first reason."""
    first = skipped[0]
    if len(skipped) == 1:
        return ParseError(first.message, line=first.line)
    return ParseError(f"no usable {what}: {len(skipped)} skipped, the first: {first.message}", line=first.line)


def clean_inline(text: str | None) -> str | None:
    """One line of text (titles, names, journals): whitespace collapsed."""
    if text is None:
        return None
    t = collapse_ws(text)
    return t or None


def clean_block(text: str | None) -> str | None:
    """Abstracts: lines re-joined, paragraph breaks (blank lines) kept."""
    if text is None:
        return None
    paras = [collapse_ws(p) for p in re.split(r"\n[ \t\u00a0]*\n", text.replace("\r\n", "\n"))]
    t = "\n\n".join(p for p in paras if p)
    return t or None


def clean_note(text: str | None) -> str | None:
    """Notes keep their lines and indentation (a user wrote them); only the edges are trimmed."""
    if text is None:
        return None
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\u00a0", " ").split("\n")]
    t = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return t or None


def join_notes(notes: list[str | None]) -> str | None:
    kept = [n for n in notes if n]
    return "\n\n".join(dict.fromkeys(kept)) or None


def split_keywords(text: str | None) -> list[str]:
    """A keyword list given as one text (CSL ``keyword``): "rl; exploration, curiosity" -> two
    tags, "rl; exploration" and "curiosity" (``fields.split_tags``: the comma separates)."""
    return split_tags(text)


def dedupe_tags(tags: Iterable[str]) -> list[str]:
    """Keywords each given whole (a RIS ``KW`` line, a MEDLINE ``OT``): one tag each, a comma
    kept, duplicates as the library compares tag names dropped (``fields.unique_tags``)."""
    return unique_tags(tags)


def split_unbraced(raw: str, separators: str) -> list[str]:
    """A raw BibTeX value cut at the ``separators`` outside braces, a backslash escaping the
    character after it (``{Colitis, Ulcerative}``, JabRef's ``Colitis\\, Ulcerative``: one part
    each); the parts raw (LaTeX), JabRef's escaped separators made braced ones."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and c in separators:
            parts.append(raw[start:i])
            start = i + 1
        i += 1
    parts.append(raw[start:])
    for sep in separators:  # (JabRef escapes a keyword's own separator, "\\,": its pull request 14637)
        parts = [p.replace("\\" + sep, "{" + sep + "}") for p in parts]
    return parts


def html_to_text(text: str) -> str:
    """Zotero writes notes as HTML ("<p>...</p>"); keep the words and the paragraphs."""
    if not _HTML_TAG.search(text):
        return text
    t = re.sub(r"(?i)<br\s*/?>", "\n", text)
    t = re.sub(r"(?i)</(p|div|h\d|li)>\s*", "\n\n", t)
    t = _HTML_TAG.sub("", t)
    return html.unescape(t)


def valid_category(code: str | None) -> str | None:
    """An arXiv category ("cs.CL", "hep-th"); bare archives like "cs" are not categories."""
    if not code:
        return None
    code = code.strip()
    if code in _ARCHIVES_WITH_SUBJECTS or not _CATEGORY_RE.match(code):
        return None
    return code


def find_arxiv(text: str | None) -> tuple[str | None, str | None]:
    """(id, category) from text holding an arXiv URL or ``arXiv:`` token ("[cs.CL]" after it)."""
    if not text:
        return None, None
    m = arxivid.TOKEN_RE.search(text)
    if not m:
        return None, None
    cat = _BRACKET_CAT.match(text[m.end() :])
    return m.group("id"), valid_category(cat.group(1)) if cat else None


def arxiv_from_value(value: str | None) -> str | None:
    """An identifier field ("2408.00118v2", "arXiv:2408.00118", an arXiv URL)."""
    if not value:
        return None
    return arxivid.normalise(value.strip()) or find_arxiv(value)[0]


def arxiv_from_doi(doi: str | None) -> str | None:
    """arXiv's own DOIs: 10.48550/arXiv.2408.00118 -> 2408.00118."""
    if not doi:
        return None
    m = _ARXIV_DOI.match(doi.strip())
    return arxivid.normalise(m.group(1)) if m else None


def is_arxiv_reference(text: str) -> bool:
    """True when a line says nothing but where the paper is on arXiv."""
    m = arxivid.TOKEN_RE.search(text)
    if not m:
        return False
    rest = text[: m.start()] + " " + _BRACKET_CAT.sub("", text[m.end() :], count=1)
    rest = collapse_ws(re.sub(r"[.,;:()\[\]]", " ", rest)).casefold()
    return bool(_ARXIV_WORDS.match(rest))


def strip_arxiv_lines(note: str | None) -> str | None:
    """Drop the note lines that only cite arXiv (the id is kept in its own field)."""
    if not note:
        return None
    kept = [ln for ln in note.split("\n") if not is_arxiv_reference(ln)]
    return clean_note("\n".join(kept))


def is_arxiv_abs_link(url: str, arxiv_id: str) -> bool:
    """True when ``url`` is the arXiv abstract page of ``arxiv_id`` (any version): a link the
    id says, which the exports write back from it (so it is not kept as the paper's URL)."""
    u = url.strip()
    return bool(_ARXIV_ABS.fullmatch(u)) and arxivid.normalise(u) == arxiv_id


def is_preprint_venue(journal: str | None) -> bool:
    """"arXiv preprint arXiv:2408.00118", "CoRR", "arXiv e-prints": not a journal."""
    if not journal:
        return False
    t = arxivid.TOKEN_RE.sub(" ", journal)
    t = re.sub(r"\babs/\S+", " ", t)
    t = collapse_ws(re.sub(r"[.,;:()\[\]]", " ", t)).casefold()
    return bool(_ARXIV_WORDS.match(t))


def clean_doi(value: str | None) -> str | None:
    """A DOI field, as ``edit --doi`` reads it: "https://doi.org/10.1/x", "doi:10.1/x" ->
    "10.1/x".  A value that is not a DOI is returned as it is (on one line), never cut
    down to the DOI it starts with: ``validation.check_ids`` reports it and keeps it out
    of the paper's DOI (``formats.parse_text``)."""
    if not value:
        return None
    t = collapse_ws(value)
    if not t:
        return None
    return normalise_doi(t) or t


def find_doi(text: str | None) -> str | None:
    """A DOI in a text that is not a DOI field (a URL, "doi: 10.1/x."), or None; a short
    DOI ("10/abc") only when it is the whole value."""
    if not text:
        return None
    whole = normalise_doi(text)
    if whole is not None:
        return whole.rstrip(".,;")
    m = _DOI_IN_TEXT.search(text)
    return m.group(0).rstrip(".,;") if m else None


def month_number(text: str | None) -> int | None:
    """"7", "07", "jul", "July", "Jul." -> 7."""
    if not text:
        return None
    t = text.strip().rstrip(".").casefold()
    if t.isdigit():
        n = int(t)
        return n if 1 <= n <= 12 else None
    return MONTHS.get(t)


def make_date(
    year: int | str | None, month: int | str | None = None, day: int | str | None = None
) -> str | None:
    """The most precise valid ISO date ("YYYY-MM-DD", "YYYY-MM" or "YYYY") from parts."""
    try:
        y = int(str(year).strip()) if year is not None and str(year).strip() else None
    except ValueError:
        return None
    if y is None or not 1000 <= y <= 2999:
        return None
    try:
        m = int(str(month).strip()) if month is not None and str(month).strip() else None
        d = int(str(day).strip()) if day is not None and str(day).strip() else None
    except ValueError:
        m = d = None
    if m is None or not 1 <= m <= 12:
        return f"{y:04d}"
    if d is not None:
        try:
            _dt.date(y, m, d)
            return f"{y:04d}-{m:02d}-{d:02d}"
        except ValueError:
            pass
    return f"{y:04d}-{m:02d}"


def parse_date(text: str | None) -> str | None:
    """Dates as exporters write them: "2024-07-31", "2024/07/31/", "2024///", "Jul 2024", "DEC 2017"."""
    if not text:
        return None
    s = text.strip()
    month = next((MONTHS[w] for w in re.findall(r"[A-Za-z]+", s.casefold()) if w in MONTHS), None)
    if month is None:
        m = _NUMERIC_DATE.match(s)
        if m:
            return make_date(m.group(1), m.group(2), m.group(3))
    y = _YEAR.search(s)
    if not y:
        return None
    day = None
    if month:
        d = _DAY.search(s[: y.start()] + " " + s[y.end() :])
        day = d.group(1) if d else None
    return make_date(y.group(1), month, day)
