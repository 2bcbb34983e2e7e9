"""What a PDF says it is, from what ``metadata`` read of it: plain functions, no Qt.

Each value comes with a confidence (0-1) and where it was found:

* **arXiv id**: the stamp arXiv prints down the left margin (``arXiv:2408.00118v2 [cs.DL]
  1 Aug 2024``; PDFium gives it a character or two per line, so it is looked for in the text
  with the whitespace taken out) 0.95; arXiv's own DOI (``10.48550/arXiv.<id>``) 0.9; a file
  named by the id (``2408.00118v2.pdf``) 0.9, or holding it (``arXiv_2408.00118 (1).pdf``)
  0.7; one ``arXiv:<id>`` or arxiv.org link in the head of the first page 0.75 (lower on the
  page 0.5, not used: a citation; two different ones: none).  The stamp wins over the file name; when they disagree, it is said.
* **DOI**: in the metadata's subject or keywords 0.9; next to a "doi" label or as a doi.org
  link on the first page 0.85; in a file name like ``10.1145_3366423.3380130.pdf`` 0.75.  A DOI
  without a label is taken from nowhere: on a first page it is most often a reference's.
* **title**: the metadata's Title 0.85 (0.95 when the page's largest text says the same),
  unless it is junk ("Untitled", "Microsoft Word - draft.docx", a file name); else the
  largest text in the top half of the first page 0.6 (0.3 when it is hardly larger than the
  rest); else the file name 0.1.
* **authors**: the metadata's Author when every part reads as a name 0.8; else the lines
  right under the title when they read as names (``split.name_score``, no affiliation
  words, footnote marks dropped) 0.5.

``Guess.doubt`` says why a new paper made from it should be reviewed: no id and a title
not from the metadata, or two ids that disagree.  ``ID_CONFIDENCE``: below it an id is not used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.arxivid import normalise
from ..core.models import Entry
from ..core.split import PARTICLES, name_score
from ..core.textnorm import title_key
from ..core.validation import normalise_doi

#: Ids below this confidence are not used (reported as read, not kept).
ID_CONFIDENCE = 0.7
#: Lines of the first page looked at (top to bottom) for the title and authors.
MAX_LINES = 200
#: The head of the first page (a share of its height): an arXiv id there is the paper's own.
HEAD = 0.2

_NEW_ID = r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})"
_OLD_ID = r"(?P<arch>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)[/_](?P<old>\d{7})"
_VERSION = r"(?P<v>v\d+)?"
_FILE_NEW = re.compile(rf"(?<![\d.]){_NEW_ID}{_VERSION}(?![\d])")
_FILE_OLD = re.compile(rf"(?<![A-Za-z]){_OLD_ID}{_VERSION}(?![\d])")
_FILE_WHOLE = re.compile(rf"^(?:arxiv[ _.:-]*)?(?:{_NEW_ID}|{_OLD_ID}){_VERSION}(?:\s*\(\d+\))?$", re.IGNORECASE)
_STAMP = re.compile(rf"arXiv:(?:{_NEW_ID}|{_OLD_ID}){_VERSION}\[[A-Za-z\-]+(?:\.[A-Za-z\-]+)?\]")
_TEXT_ID = re.compile(rf"(?:\barXiv:\s?|arxiv\.org/(?:abs|pdf)/)(?:{_NEW_ID}|{_OLD_ID}){_VERSION}", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
_DOI_LABEL = re.compile(r"(?:\bdoi\s*[:.]?\s*|doi\.org/)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_JUNK_TITLE = re.compile(
    r"^(?:untitled|title|no title|document\d*|paper|main|article|manuscript|draft|slides?(?: \d+)?|presentation"
    r"|microsoft (?:word|powerpoint) ?-.*|.*\.(?:docx?|tex|dvi|pdf|ps|rtf|odt|indd|qxd))$",
    re.IGNORECASE,
)
#: Words that make a line under the title an affiliation, a heading or a notice, not names.
_NOT_NAME_WORDS = frozenset(
    "university universität université institute institut department dept laboratory laboratories lab labs "
    "research school college center centre inc ltd llc corporation company abstract introduction keywords "
    "preprint journal proceedings conference vol volume workshop arxiv submitted accepted published review "
    "draft copyright license email correspondence".split()
)
_MARKS = re.compile(r"[\d*\u2020\u2021\u00a7\u00b6#\u2217\u22c6\u2663\u2660\u2665\u2666\u00b9\u00b2\u00b3\u2070-\u209f]+")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&|\u00b7|\u2022|\s{3,})\s*")
_WORD = re.compile(r"^(?:[A-Z\u00c0-\u00de][\w'\u2019\-.]*|[A-Z]\.(?:-?[A-Z]\.)*)$")


@dataclass
class Read:
    """One value read from a PDF, how sure, and where it was found."""

    value: Any
    confidence: float
    source: str

    def to_json(self) -> list[Any]:
        return [self.value, round(self.confidence, 2), self.source]


@dataclass
class Line:
    """A line of the first page: its text and box (points, top-left origin)."""

    text: str
    top: float
    bottom: float
    left: float
    right: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        """About the font size: the box's height, or the letters' width for a line whose
        letters have no ascenders or descenders (the last line of a title, "Lines")."""
        n = len(self.text.strip())
        return max(self.height, 1.8 * (self.right - self.left) / n) if n else 0.0

    @property
    def horizontal(self) -> bool:
        """Not a piece of a rotated stamp (a character or two per line, taller than wide)."""
        return len(self.text.strip()) >= 2 and (self.right - self.left) >= 1.5 * self.height


@dataclass
class Raw:
    """What the reader process read: the metadata's fields, the first pages' text, the first
    page's lines with their boxes, and its height."""

    info: dict[str, str] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    page_height: float = 0.0
    page_count: int = 0

    def to_wire(self) -> dict[str, Any]:
        return {"info": self.info, "pages": self.pages, "page_height": self.page_height,
                "page_count": self.page_count,
                "lines": [[ln.text, ln.top, ln.bottom, ln.left, ln.right] for ln in self.lines]}

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Raw:
        lines = [Line(str(t), float(a), float(b), float(c), float(d)) for t, a, b, c, d in obj.get("lines") or []]
        info = {str(k): str(v) for k, v in (obj.get("info") or {}).items() if isinstance(v, str)}
        return cls(info, [str(p) for p in obj.get("pages") or []], lines, float(obj.get("page_height") or 0),
                   int(obj.get("page_count") or 0))


@dataclass
class Guess:
    """What a PDF says it is (each value ``Read`` or None), and why a paper made of it
    should be reviewed (None: it need not)."""

    arxiv_id: Read | None = None
    doi: Read | None = None
    title: Read | None = None
    authors: Read | None = None
    doubt: str | None = None

    def has_id(self) -> bool:
        return any(r is not None and r.confidence >= ID_CONFIDENCE for r in (self.arxiv_id, self.doi))

    def summary(self) -> str:
        """What was read, in words: "arXiv id from the stamp, title from the metadata, 2 authors"."""
        parts = []
        for label, r in (("arXiv id", self.arxiv_id), ("DOI", self.doi), ("title", self.title)):
            if r is not None and (label == "title" or r.confidence >= ID_CONFIDENCE):
                parts.append(f"{label} from {r.source}")
        if self.authors is not None:
            n = len(self.authors.value)
            parts.append(f"{n} author{'s' if n != 1 else ''} from {self.authors.source}")
        return ", ".join(parts)

    def entry(self) -> Entry:
        """The paper it describes: only ids sure enough, and a date from a new-style arXiv id."""
        aid = self.arxiv_id.value if self.arxiv_id and self.arxiv_id.confidence >= ID_CONFIDENCE else None
        aid = normalise(aid) if aid else None
        doi = self.doi.value if self.doi and self.doi.confidence >= ID_CONFIDENCE else None
        m = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", aid or "")
        read = {k: r.to_json() for k, r in (("arxiv_id", self.arxiv_id), ("doi", self.doi), ("title", self.title),
                                            ("authors", self.authors)) if r is not None}
        return Entry(kind="pdf", line=0, title=self.title.value if self.title else None,
                     authors=list(self.authors.value) if self.authors else [], arxiv_id=aid, doi=doi,
                     date=f"20{m.group(1)}-{m.group(2)}" if m else None, needs_review=self.doubt is not None,
                     extra={"pdf": read})


# ------------------------------------------------------------------ arXiv ids
def _id_of(m: re.Match[str]) -> str | None:
    """The id a match names (with its version), or None when it cannot be one (month 13)."""
    if m.groupdict().get("old"):
        return f"{m.group('arch')}/{m.group('old')}{m.group('v') or ''}"
    yy, mm, num = int(m.group("yy")), int(m.group("mm")), m.group("num")
    if not 1 <= mm <= 12 or (yy, mm) < (7, 4) or (len(num) == 5) != ((yy, mm) >= (15, 1)):
        return None
    return f"{m.group('yy')}{m.group('mm')}.{num}{m.group('v') or ''}"


def arxiv_from_filename(name: str) -> Read | None:
    stem = Path(name).stem.strip()
    m = _FILE_WHOLE.match(stem)
    if m and (aid := _id_of(m)):
        return Read(aid, 0.9, "the file name")
    for rx in (_FILE_NEW, _FILE_OLD):
        for m in rx.finditer(stem):
            if aid := _id_of(m):
                return Read(aid, 0.7, "the file name")
    return None


def arxiv_from_text(text: str, head: str | None = None) -> Read | None:
    """The stamp (in the text without whitespace), else the one id the page names: sure
    enough when it is in the page's ``head`` (a preprint's header), else a guess too weak to
    use (in the body it is most often a citation)."""
    for m in _STAMP.finditer(re.sub(r"\s+", "", text)):
        if aid := _id_of(m):
            return Read(aid, 0.95, "the arXiv stamp")
    found = [a for m in _TEXT_ID.finditer(text) if (a := _id_of(m))]
    if found and len({normalise(a) for a in found}) == 1:
        at_top = head is None or any(_id_of(m) for m in _TEXT_ID.finditer(head))
        return Read(found[0], 0.75 if at_top else 0.5, "the first page")
    return None


# ---------------------------------------------------------------------- DOIs
def _clean_doi(raw: str) -> str | None:
    d = raw.rstrip(".,;:'\"]}")
    while d.endswith(")") and d.count(")") > d.count("("):
        d = d[:-1]
    return normalise_doi(d)


def dois_in(text: str, *, labelled: bool) -> list[str]:
    """The DOIs of a text (only those after a "doi" label or in a doi.org link: ``labelled``)."""
    out = []
    for m in _DOI.finditer(text):
        if labelled and not _DOI_LABEL.search(text[max(0, m.start() - 16): m.start()]):
            continue
        if (d := _clean_doi(m.group(0))) and d not in out:
            out.append(d)
    return out


def doi_from(info: dict[str, str], first_page: str, filename: str) -> Read | None:
    for key in ("Subject", "Keywords"):
        if found := dois_in(info.get(key) or "", labelled=False):
            return Read(found[0], 0.9, "the PDF's metadata")
    if found := dois_in(first_page, labelled=True):
        return Read(found[0], 0.85 if len(found) == 1 else 0.7, "the first page")
    stem = Path(filename).stem
    if stem.startswith("10.") and (d := _clean_doi(stem.replace("_", "/", 1))):
        return Read(d, 0.75, "the file name")
    return None


# ---------------------------------------------------------------- names
def names_in(line: str) -> list[str] | None:
    """The names a line lists, when every part of it reads as a person's name; else None."""
    if "@" in line or "http" in line.lower():
        return None
    parts = [" ".join(p.split()).strip(" ,;") for p in _NAME_SEPARATORS.split(_MARKS.sub(" ", line))]
    # (a full stop after a family name goes; after an initial, "J.", it stays)
    names = [p[:-1] if p.endswith(".") and len(p.split()[-1]) > 2 else p for p in parts if p.strip(" .")]
    if not names:
        return None
    for n in names:
        words = n.split()
        if not 2 <= len(words) <= 5 or any(w.casefold().strip(".,") in _NOT_NAME_WORDS for w in words):
            return None
        if not all(_WORD.match(w) or w in PARTICLES for w in words) or name_score(n) < 0.9:
            return None
    return names


def authors_from_info(author: str) -> list[str] | None:
    author = " ".join(author.split())
    return names_in(author) if author else None


# ---------------------------------------------------------------- titles
def junk_title(title: str, filename: str) -> bool:
    """A metadata title that is no title: "Untitled", "Microsoft Word - x.docx", a file name."""
    t = " ".join(title.split())
    if len(t) < 4 or _JUNK_TITLE.match(t) or not re.search(r"[^\W\d_]{2}", t):
        return True
    if " " not in t and (len(t) <= 12 or re.search(r"[_\d]", t)):
        return True  # ("paper_final_v3", "acl2023", "main")
    stem = Path(filename).stem
    return (bool(stem) and title_key(t) == title_key(stem)) or bool(normalise(t.removeprefix("arXiv:"))) \
        or t.lower().startswith("10.")


def _candidates(lines: Sequence[Line], page_height: float) -> list[Line]:
    """Lines of the top half that may hold the title (not stamps, ids, addresses, numbers)."""
    limit = 0.55 * page_height if page_height > 0 else float("inf")
    out = []
    for ln in lines[:MAX_LINES]:
        t = ln.text.strip()
        if ln.top > limit or not ln.horizontal or not re.search(r"[^\W\d_]{2}", t):
            continue
        if _TEXT_ID.search(t) or _DOI.search(t) or "@" in t or t.lower().startswith(("http", "www.")):
            continue
        out.append(ln)
    return out


def title_lines(lines: Sequence[Line], page_height: float) -> tuple[list[Line], float, int]:
    """The title's lines (the largest text of the top half, wrapped over up to four lines),
    how much larger it is than the page's common text, and where it ends in ``lines``."""
    cand = _candidates(lines, page_height)
    if not cand:
        return [], 0.0, -1
    top = max(ln.size for ln in cand)
    sizes = sorted(ln.size for ln in lines if ln.horizontal)
    common = sizes[len(sizes) // 2] if sizes else top
    first = next(ln for ln in cand if ln.size >= 0.9 * top)
    picked = [first]
    for ln in cand[cand.index(first) + 1:]:
        prev = picked[-1]
        if len(picked) >= 4 or ln.size < 0.8 * top or ln.size < 1.1 * common or ln.top - prev.bottom > 1.0 * top:
            break
        if ln.size < 0.95 * first.size and names_in(ln.text):
            break  # (authors in a font nearly as large as the title's)
        picked.append(ln)
    return picked, top / common if common else 1.0, lines.index(picked[-1])


def join_lines(texts: Sequence[str]) -> str:
    out = ""
    for t in (" ".join(t.split()) for t in texts):
        if not t:
            continue
        out = out + t if out.endswith("-") and t[:1].isalpha() else f"{out} {t}".strip()
    return out


def page_title_and_authors(raw: Raw) -> tuple[Read | None, Read | None]:
    """The first page's title (its largest text) and the names right under it."""
    picked, ratio, end = title_lines(raw.lines, raw.page_height)
    if not picked:
        return None, None
    title = join_lines([ln.text for ln in picked])
    if not 3 <= len(title) <= 400:
        return None, None
    tread = Read(title, 0.6 if ratio >= 1.2 else 0.3, "the first page")
    names: list[str] = []
    prev = picked[-1]
    for ln in raw.lines[end + 1: end + 6]:
        if not ln.horizontal:
            continue
        found = names_in(ln.text)
        if not found or ln.top - prev.bottom > 3 * max(prev.height, 1.0):
            break
        names += found
        prev = ln
    return tread, (Read(names, 0.5, "the first page") if names else None)


# ----------------------------------------------------------------- all of it
def guess(filename: str, raw: Raw | None, problem: str | None = None) -> Guess:
    """What a PDF says it is.  ``raw`` None: its content could not be read (``problem``):
    only the file name speaks."""
    g = Guess()
    by_name = arxiv_from_filename(filename)
    first = raw.pages[0] if raw and raw.pages else ""
    info = raw.info if raw else {}
    head = " ".join(ln.text for ln in raw.lines if ln.top < HEAD * raw.page_height) if raw else ""
    by_text = arxiv_from_text(first, head) if raw else None
    doi = doi_from(info, first, filename)
    if doi is not None and (m := _ARXIV_DOI.match(doi.value)) and normalise(m.group(1)):
        if by_text is None or by_text.confidence < 0.9:
            by_text = Read(m.group(1), 0.9, doi.source)
        doi = None
    g.doi = doi
    found = [r for r in (by_text, by_name) if r is not None]
    g.arxiv_id = max(found, key=lambda r: r.confidence) if found else None  # (the stamp first on a tie)
    doubts = []
    if by_text and by_name and min(by_text.confidence, by_name.confidence) >= ID_CONFIDENCE \
            and normalise(by_text.value) != normalise(by_name.value):
        doubts.append(f"the file name says arXiv:{by_name.value}, {by_text.source} arXiv:{by_text.value}")
    page_title, page_authors = page_title_and_authors(raw) if raw else (None, None)
    info_title = " ".join((info.get("Title") or "").split())
    if info_title and not junk_title(info_title, filename):
        agree = page_title is not None and (title_key(page_title.value) == title_key(info_title)
                                            or title_key(info_title) in (title_key(page_title.value) or ""))
        g.title = Read(info_title, 0.95 if agree else 0.85, "the PDF's metadata")
    elif page_title is not None:
        g.title = page_title
    else:
        stem = " ".join(re.sub(r"[_]+", " ", Path(filename).stem).split())
        g.title = Read(stem or filename, 0.1, "the file name")
    info_names = authors_from_info(info.get("Author") or "")
    if info_names:
        agree = page_authors is not None and title_key(page_authors.value[0]) == title_key(info_names[0])
        g.authors = Read(info_names, 0.9 if agree else 0.8, "the PDF's metadata")
    else:
        g.authors = page_authors
    if problem is not None:
        doubts.append(f"{problem}: only its file name could be read")
    elif not g.has_id() and g.title.source != "the PDF's metadata":
        doubts.append(f"no arXiv id or DOI, and the title was guessed from {g.title.source}")
    g.doubt = "; ".join(doubts) or None
    return g
