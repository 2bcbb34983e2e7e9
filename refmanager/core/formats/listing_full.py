"""Full listings: three lines per paper, as copied from a listing page.

    CLJul 31, 2024
    Gemma 2: Improving ...Practical SizeGemma Team, Morgane Riviere et al. · deepmind
    In this work, we introduce Gemma 2, ...

Blank lines between entries are ignored.  A line holding nothing but an
arXiv id or URL belongs to the entry it stands in (or, between entries, to
the one before it).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator

from .. import arxivid
from ..categories import code_to_category
from ..errors import ParseError
from ..models import Entry, ParsedFile, Parsing
from ..split import MAX_TITLE_COMMAS, NameScores, split_title_authors
from ..split import _candidates as _cut_points
from ..textnorm import clean_text, lf_line_ends, spaces_for_no_breaks

NAME = "full listing"

#: Entry-size limits (docs/reliability.md).  The split tries every place where a
#: capital letter is glued to the character before it, in the title and first
#: authors (up to the 9th comma); its cost grows with their product, so a
#: title/author line over either limit is refused with its line number.
MAX_TITLE_CHARS = 5_000
MAX_SPLIT_POINTS = 200

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH_ALT = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
HEADER_RE = re.compile(
    rf"^(?P<code>[A-Za-z][A-Za-z.\-]{{0,15}}?)?(?P<mon>{_MONTH_ALT})\.? ?(?P<day>\d{{1,2}}), ?(?P<year>\d{{4}})$"
)
#: Looks like a header but may be invalid (unknown month): used for messages.
LOOSE_HEADER_RE = re.compile(
    r"^(?P<code>[A-Za-z.\-]{0,16}?)(?P<mon>[A-Z][a-z]{2,9})\.? ?(?P<day>\d{1,2}), ?(?P<year>\d{4})$"
)
_ORGS_SEP = re.compile(r"\s+·\s+")
_ET_AL = re.compile(r",?\s*et\s+al\.?$")


#: Longest line HEADER_RE can match: a 16-letter code, a 9-letter month, ". ", "31, 2024".
_HEADER_MAX = 16 + 9 + 2 + 2 + 2 + 4


def strip_et_al(name: str) -> str:
    """``_ET_AL.sub("", name)``, without trying the regex at every position of
    every name of a large listing (0.5 s per 100,000 papers): ``et_al_start``."""
    start = et_al_start(name)
    if start is None:
        return name
    if name.endswith("\n"):
        return _ET_AL.sub("", name)
    return name[:start]


def et_al_start(rest: str) -> int | None:
    """Where ``_ET_AL`` matches in ``rest`` (None: nowhere), found from the end
    instead of trying the regex at every position (5 µs a title line).  The
    match is anchored at the end: "al" or "al.", whitespace, "et", any
    whitespace, an optional comma; leftmost means the whole run of whitespace
    and the comma before it.  (A property test compares it with the regex.)"""
    if rest.endswith("\n"):
        m = _ET_AL.search(rest)  # ($ also matches before a last newline)
        return m.start() if m else None
    e = len(rest) - 1 if rest.endswith(".") else len(rest)
    if e < 2 or rest[e - 2 : e] != "al":
        return None
    k = j = e - 2
    while j > 0 and rest[j - 1].isspace():
        j -= 1
    if j == k or j < 2 or rest[j - 2 : j] != "et":
        return None
    j -= 2
    while j > 0 and rest[j - 1].isspace():
        j -= 1
    if j > 0 and rest[j - 1] == ",":
        j -= 1
    return j


def _is_header(line: str) -> bool:
    """``HEADER_RE`` matches the stripped line (a header is at most ~35 characters: most
    lines need no regex)."""
    return (len(line) <= _HEADER_MAX or line[0].isspace()) and HEADER_RE.match(line.strip()) is not None


def _id_line(line: str) -> str | None:
    """``arxivid.id_line``, skipping the regex for lines far too long to be an id
    (an id line is at most ~60 characters: ``https://export.arxiv.org/abs/...v2.pdf``)."""
    if len(line) > 120 and not line[:1].isspace():
        return None
    return arxivid.id_line(line)


def _preview(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def parse_header(line: str, lineno: int) -> tuple[str | None, str] | None:
    """(category, ISO date) for a header line; None when it is not one."""
    m = HEADER_RE.match(line.strip())
    if not m:
        loose = LOOSE_HEADER_RE.match(line.strip())
        if loose:
            raise ParseError(
                f"unknown month {loose['mon']!r} in {line.strip()!r} (expected e.g. 'CLJul 31, 2024')",
                line=lineno,
            )
        return None
    month = MONTHS[m["mon"].lower()]
    try:
        date = _dt.date(int(m["year"]), month, int(m["day"]))
    except ValueError:
        raise ParseError(f"impossible date {line.strip()!r}", line=lineno) from None
    code = m["code"]
    return (code_to_category(code) if code else None), date.isoformat()


def starts_with_header(text: str) -> bool:
    """The first line is a valid category-and-date line: surely a full listing."""
    head = text.lstrip("\ufeff \t\r\n")[:100].split("\n", 1)[0].strip()
    return HEADER_RE.match(head) is not None


def detect(text: str) -> bool:
    for line in clean_text(text[:20000]).split("\n"):
        if line.strip():
            s = line.strip()
            return bool(HEADER_RE.match(s) or LOOSE_HEADER_RE.match(s))
    return False


def _check_split_size(rest: str) -> None:
    """Refuse a title/author line too big for the split (see MAX_TITLE_CHARS)."""
    if len(rest) < min(MAX_SPLIT_POINTS, MAX_TITLE_CHARS):
        return  # (fewer characters than the limits: nearly every line)
    head = ",".join(rest.split(",", MAX_TITLE_COMMAS + 1)[: MAX_TITLE_COMMAS + 1])
    if len(head) > MAX_TITLE_CHARS:
        raise ParseError(
            f"the title/author line is too long to split: the title and first authors take "
            f"{len(head):,} characters; the limit is {MAX_TITLE_CHARS:,}"
        )
    points = len(_cut_points(head))  # the split's own candidate cuts, counted the same way
    if points > MAX_SPLIT_POINTS:
        raise ParseError(
            f"the title/author line is too hard to split: {points:,} places where the title could "
            f"end (a capital letter glued to the character before it); the limit is {MAX_SPLIT_POINTS:,}"
        )


def parse_title_line(
    line: str, known: Callable[[str], bool] | None = None, scores: NameScores | None = None
) -> dict:
    """Title, authors, et al., orgs and arXiv id from the glued second line (``scores``:
    ``split_title_authors``'s, for the lines of one file)."""
    arxiv_id, rest = arxivid.find_token(line.strip())
    orgs: list[str] = []
    parts = _ORGS_SEP.split(rest) if "·" in rest else [rest]  # (the separator holds one)
    if len(parts) > 1:
        tail = parts[-1]
        cand = [o.strip() for o in tail.split(",") if o.strip()]
        if cand and all(len(o) <= 60 for o in cand):
            orgs = cand
            rest = " · ".join(parts[:-1])
    et_al = False
    start = et_al_start(rest)
    if start is not None:
        et_al = True
        rest = rest[:start].rstrip(" ,")
    _check_split_size(rest)
    res = split_title_authors(rest, known, scores)
    return {
        "title": res.title,
        "authors": res.authors,
        "et_al": et_al,
        "orgs": orgs,
        "arxiv_id": arxiv_id,
        "confidence": res.confidence,
        "alternatives": res.alternatives,
        "needs_review": res.needs_review,
    }


def parse(
    text: str,
    known: Callable[[str], bool] | None = None,
    **_context: object,
) -> ParsedFile:
    entries = iter_parse(text, known).entries
    return ParsedFile(format=NAME, entries=list(entries))


def iter_parse(
    text: str,
    known: Callable[[str], bool] | None = None,
    **_context: object,
) -> Parsing:
    """The entries one by one: a large file is written while the rest of it is
    still being split (``import_stream``).  Whole-file: nothing is skipped.

    The lines are cut from the text as they are read (``_lines``), twice: a list of
    them all held the file a second time beside the text (docs/benchmarks.md, issue 16)."""
    text = text.removeprefix("\ufeff")
    if not text or text.isspace():
        raise ParseError("the file is empty", line=1)
    return Parsing(NAME, _estimate(text), _entries(text, known))


#: Characters the estimate of a file's entries is counted in (then scaled to the whole).
_ESTIMATE_SAMPLE = 1 << 21


def _estimate(text: str) -> int:
    """Entries expected, for progress: the lines that are not blank, three per
    entry, counted in the file's first ``_ESTIMATE_SAMPLE`` characters and scaled
    (two counts over a 150 MB listing took 0.25 s before its first entry)."""
    n = len(text)
    m = min(n, _ESTIMATE_SAMPLE)
    lines = text.count("\n", 0, m) + 1 - text.count("\n\n", 0, m)
    return max(1, lines * n // (3 * m))


#: Characters cut into lines at once (the lines of a chunk are a list; of the file, never).
_CHUNK = 1 << 20


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line that is not blank, as ``clean_lines`` cuts
    and cleans them (CR LF and lone CR end a line, no-break spaces become spaces,
    trailing spaces go), a chunk of about ``_CHUNK`` characters at a time."""
    cr = "\r" in text
    nbsp = "\u00a0" in text or "\u202f" in text or "\u2007" in text
    lineno = pos = 0
    n = len(text)
    while True:
        cut = text.find("\n", pos + _CHUNK) if n - pos > _CHUNK else -1
        final = cut < 0
        chunk = text[pos:] if final else text[pos : cut + 1]  # (with its last line end: a CR LF stays whole)
        if cr:
            chunk = lf_line_ends(chunk)
        if nbsp:
            chunk = spaces_for_no_breaks(chunk)
        lines = chunk.split("\n")
        del chunk
        if not final:
            lines.pop()  # (the empty string after the chunk's last line end)
        for line in lines:
            lineno += 1
            line = line.rstrip()
            if line:
                yield lineno, line
        if final:
            return
        pos = cut + 1


def _entries(text: str, known: Callable[[str], bool] | None) -> Iterator[Entry]:

    # Names after the first comma are unambiguous: use them to judge first authors.
    # Only from title/author lines (the line after a header, past id lines; the
    # last line if only id lines follow): pieces of abstracts between commas are
    # no names.
    title_lines: dict[str, None] = {}  # each distinct line once, in order
    pending = False  # a header was seen, its title line not yet
    prev: str | None = None  # (each line is looked at when the next is read: is it the last?)
    for _no, line in _lines(text):
        if prev is not None:
            if pending and not _id_line(prev):
                title_lines[prev] = None
                pending = False
            # (a header is at most ~35 characters: most lines need no regex)
            if _is_header(prev):
                pending = True
        prev = line
    if pending and prev is not None:
        title_lines[prev] = None  # (only id lines after the last header: the last of them)
    pieces: set[str] = set()  # (authors recur: each distinct piece is cleaned once)
    for ln in title_lines:
        if "," in ln:
            pieces.update(ln.split(",")[1:6])
    del title_lines
    file_names: set[str] = set()
    for name in pieces:
        if "·" in name:
            name = _ORGS_SEP.split(name)[0]
        nm = strip_et_al(name).strip()
        if 0 < len(nm) <= 60:
            file_names.add(nm.casefold())
    del pieces

    def is_known(name: str) -> bool:
        return name.casefold() in file_names or bool(known and known(name))

    # Nothing changes the library while a file is parsed: a name is scored (and
    # asked about) once.
    scores = NameScores(is_known)

    # The entry before the current one: an id line after it still belongs to it.
    last: Entry | None = None
    pending_id: str | None = None
    # A line seen before in this file parses the same way: a file of one entry
    # repeated (50 MB) costs little more than reading it.
    splits: dict[str, dict] = {}
    headers: dict[str, tuple[str | None, str]] = {}
    lines = _lines(text)

    def next_content() -> tuple[int | None, str | None, str | None]:
        """Skip id-only lines; return (lineno, line, id seen)."""
        seen = None
        for no, ln in lines:
            idv = _id_line(ln)
            if idv is None:
                return no, ln, seen
            seen = seen or idv
        return None, None, seen

    for lineno, line in lines:
        # (a header seen before is no id line: the dictionary answers before the regex)
        header = headers.get(line)
        if header is None and (idv := _id_line(line)):
            if last is not None:
                if last.arxiv_id is None:
                    last.arxiv_id = idv
            else:
                pending_id = idv
            continue
        if header is None:
            header = parse_header(line, lineno)
            if header is not None:
                headers[line] = header
        if header is None:
            raise ParseError(
                f"expected a category and date line like 'CLJul 31, 2024', found {_preview(line.strip())!r}",
                line=lineno,
            )
        category, date = header
        t_no, t_line, id1 = next_content()
        if t_line is None:
            raise ParseError(
                f"the last entry (line {lineno}) is truncated: no title/author line and no abstract",
                line=lineno,
            )
        if _is_header(t_line):
            raise ParseError(
                f"the entry starting at line {lineno} has no title/author line or abstract "
                "(a full listing has three lines per paper)",
                line=t_no,
            )
        a_no, a_line, id2 = next_content()
        if a_line is None:
            raise ParseError(
                f"the last entry (line {lineno}) is truncated: no abstract after the title/author line",
                line=t_no,
            )
        if _is_header(a_line):
            raise ParseError(
                f"the entry starting at line {lineno} has only two lines: its title/author line "
                "or its abstract is missing",
                line=a_no,
            )
        info = splits.get(t_line)
        if info is None:
            if len(splits) > 10_000:
                splits.clear()  # bounded: a large file repeats few of its lines
            try:
                info = splits[t_line] = parse_title_line(t_line, is_known, scores)
            except ParseError as e:
                e.line = t_no
                raise
        if not info["title"]:
            raise ParseError(
                f"the title/author line is empty after removing et al. and organisations: {_preview(t_line.strip())!r}",
                line=t_no,
            )
        if not info["authors"]:
            # no place where a name could start: keep the whole line as the title, flag it
            info["needs_review"] = True
        entry = Entry(
            kind="full",
            line=lineno,
            title=info["title"],
            authors=list(info["authors"]),
            et_al=info["et_al"],
            orgs=list(info["orgs"]),
            date=date,
            category=category,
            abstract=a_line.strip(),
            arxiv_id=info["arxiv_id"] or id1 or id2 or pending_id,
            raw_line=t_line.strip(),
            split_confidence=info["confidence"],
            alt_splits=list(info["alternatives"]),
            needs_review=info["needs_review"],
        )
        pending_id = None
        if last is not None:
            yield last
        last = entry
    if last is not None:
        yield last
