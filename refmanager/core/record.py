"""The bibliographic record beyond the listing entry: item types and the fields a reference
manager keeps, with one mapping table each to and from BibTeX/biblatex, RIS and CSL-JSON.

The internal vocabulary of types is CSL's (``TYPES``).  A paper stores its type in the
``type`` column; the common fields with a column of their own are ``journal`` (the
container title: journal, proceedings, book), ``volume``, ``issue``, ``pages``,
``publisher``, ``doi`` and the dates; every other field of ``RECORD_FIELDS`` lives in the
paper's ``record`` (a JSON object: ``{"isbn": "…", "editors": ["…"]}``).  What no table here
knows is kept as it came, by format, in the paper's ``extras`` (``{"bibtex": {"groups":
"…"}}``), and written back unchanged when the paper is exported to that format.

Pure data and small functions: no database, no format module (the readers and writers
import this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ------------------------------------------------------------------ types
#: CSL item types offered (``type``), with their names in the app.
TYPES: dict[str, str] = {
    "article": "Preprint",
    "article-journal": "Journal article",
    "paper-conference": "Conference paper",
    "chapter": "Book chapter",
    "book": "Book",
    "thesis": "Thesis",
    "report": "Report",
    "manuscript": "Manuscript",
    "webpage": "Web page",
    "dataset": "Dataset",
    "software": "Software",
    "patent": "Patent",
    "article-magazine": "Magazine article",
    "article-newspaper": "Newspaper article",
    "entry-encyclopedia": "Encyclopedia entry",
    "speech": "Presentation",
    "standard": "Standard",
    "document": "Document",
}
DEFAULT_TYPE = "article"

#: BibTeX/biblatex entry type → CSL type (reading).
BIBTEX_TO_CSL: dict[str, str] = {
    "article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
    "incollection": "chapter", "inbook": "chapter", "book": "book", "mvbook": "book", "collection": "book",
    "proceedings": "book", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "unpublished": "manuscript", "manual": "report",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "software": "software",
    "dataset": "dataset", "data": "dataset", "patent": "patent", "misc": "document", "booklet": "book",
    "inreference": "entry-encyclopedia", "standard": "standard",
}
#: CSL type → BibTeX entry type (writing; classic BibTeX types where one exists).
CSL_TO_BIBTEX: dict[str, str] = {
    "article": "misc", "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "paper-conference": "inproceedings", "chapter": "incollection",
    "book": "book", "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished",
    "webpage": "online", "dataset": "dataset", "software": "software", "patent": "patent",
    "entry-encyclopedia": "inbook", "speech": "misc", "standard": "misc", "document": "misc",
}
#: RIS ``TY`` → CSL type (reading).
RIS_TO_CSL: dict[str, str] = {
    "JOUR": "article-journal", "JFULL": "article-journal", "EJOUR": "article-journal",
    "ABST": "article-journal", "INPR": "article-journal", "MGZN": "article-magazine",
    "NEWS": "article-newspaper", "CONF": "paper-conference", "CPAPER": "paper-conference",
    "CHAP": "chapter", "ECHAP": "chapter", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "THES": "thesis", "RPRT": "report", "UNPB": "article", "MANSCPT": "manuscript", "ELEC": "webpage",
    "WEB": "webpage", "BLOG": "webpage", "DATA": "dataset", "DBASE": "dataset", "COMP": "software",
    "PAT": "patent", "GEN": "document", "STAND": "standard", "SLIDE": "speech", "ENCYC": "entry-encyclopedia",
    "DICT": "entry-encyclopedia", "PREPRINT": "article",
}
#: CSL type → RIS ``TY`` (writing).
CSL_TO_RIS: dict[str, str] = {
    "article": "UNPB", "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "paper-conference": "CONF", "chapter": "CHAP", "book": "BOOK", "thesis": "THES", "report": "RPRT",
    "manuscript": "MANSCPT", "webpage": "ELEC", "dataset": "DATA", "software": "COMP", "patent": "PAT",
    "entry-encyclopedia": "ENCYC", "speech": "SLIDE", "standard": "STAND", "document": "GEN",
}
#: (``CSL_TO_RIS`` and ``RIS_TO_CSL`` are inverse on ``TYPES``: a paper's type survives RIS.
#: ``UNPB``, unpublished work, is a preprint; a manuscript is ``MANSCPT`` as Zotero writes it.)
#: RIS types whose ``T2`` is the container title (journal, proceedings, book, encyclopedia, web
#: site); for the others ``T2`` is something else (a book's series, a thesis's subtitle).
RIS_T2_CONTAINER = frozenset({
    "JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "CONF", "CPAPER", "CHAP", "ECHAP", "INPR", "ABST", "GEN",
    "PREPRINT", "ENCYC", "DICT", "ELEC", "WEB", "BLOG",
})
#: Types whose container title is a book or proceedings (BibTeX ``booktitle``, RIS ``T2``).
IN_BOOK = frozenset({"paper-conference", "chapter", "entry-encyclopedia"})
#: Types whose ``SN`` is an ISBN (else an ISSN).
BOOK_LIKE = frozenset({"book", "chapter", "paper-conference", "report", "thesis", "entry-encyclopedia"})


def institution_field(kind: str) -> str:
    """The BibTeX field naming a record's institution for its type (the writer writes it,
    the reader reads it first: a file naming two reads back the same)."""
    return {"thesis": "school", "paper-conference": "organization", "chapter": "organization"}.get(kind, "institution")


def csl_type(value: str | None) -> str | None:
    """A known CSL type, or None."""
    v = (value or "").strip().lower()
    return v if v in TYPES else None


def default_type(*, arxiv_id: str | None, journal: str | None) -> str:
    """The type of a record that names none: a journal article when it has a journal and
    no arXiv id, a preprint otherwise (a listing entry is an arXiv preprint)."""
    return "article-journal" if journal and not arxiv_id else DEFAULT_TYPE


# ----------------------------------------------------------------- fields
@dataclass(frozen=True)
class RecordField:
    """One field of ``record``: its label, CSL variable, BibTeX fields (the first is
    written), RIS tags (the first is written) and kind (``text``, ``names``: a list of
    display names, ``date``: ISO)."""

    name: str
    label: str
    csl: str | None
    bibtex: tuple[str, ...] = ()
    ris: tuple[str, ...] = ()
    kind: str = "text"
    #: only for these types (empty: any); the edit form shows a field for the paper's type
    types: frozenset[str] = frozenset()


def _r(name: str, label: str, csl: str | None, bibtex: str = "", ris: str = "", kind: str = "text",
       types: str = "") -> RecordField:
    return RecordField(name, label, csl, tuple(bibtex.split()), tuple(ris.split()), kind, frozenset(types.split()))


_BOOKISH = "book chapter paper-conference entry-encyclopedia report thesis"
RECORD_FIELDS: tuple[RecordField, ...] = (
    _r("editors", "editors", "editor", "editor", "ED A2", "names", "book chapter paper-conference entry-encyclopedia"),
    _r("translators", "translators", "translator", "translator", "A4", "names"),
    _r("collection_title", "series", "collection-title", "series", "T3", types=_BOOKISH),
    _r("edition", "edition", "edition", "edition", "ET", types=_BOOKISH),
    _r("place", "place", "publisher-place", "address location", "CY", types=_BOOKISH),
    _r("institution", "institution", None, "institution school organization", "", types="report thesis"),
    _r("genre", "kind of work", "genre", "type", "M3", types="thesis report webpage dataset"),
    _r("number", "report number", "number", "", "", types="report patent standard"),
    _r("chapter", "chapter", "chapter-number", "chapter", "", types="chapter"),
    _r("isbn", "ISBN", "ISBN", "isbn", "", types=_BOOKISH),
    _r("issn", "ISSN", "ISSN", "issn", ""),
    _r("url", "URL", "URL", "url", "UR"),
    _r("accessed", "accessed", "accessed", "urldate", "Y2", "date"),
    _r("language", "language", "language", "language langid", "LA"),
    _r("short_journal", "journal abbreviation", "container-title-short", "shortjournal", "J2"),
    _r("pmid", "PMID", "PMID", "pmid", ""),
    _r("pmcid", "PMCID", "PMCID", "pmcid", ""),
    _r("eprint", "e-print", None, "eprint", ""),
    _r("eprinttype", "e-print type", None, "eprinttype archiveprefix", ""),
)
RECORD_BY_NAME: dict[str, RecordField] = {f.name: f for f in RECORD_FIELDS}
#: BibTeX field → record field (reading).
BIBTEX_RECORD: dict[str, RecordField] = {b: f for f in RECORD_FIELDS for b in f.bibtex}
#: CSL variable → record field.
CSL_RECORD: dict[str, RecordField] = {f.csl: f for f in RECORD_FIELDS if f.csl}
#: The formats whose unknown fields ``extras`` keeps.
EXTRA_FORMATS = ("bibtex", "ris", "csl")


def clean_record(record: dict[str, Any] | None) -> dict[str, Any]:
    """Only known fields with a value, in table order (what the library stores)."""
    if not record:
        return {}
    out: dict[str, Any] = {}
    for f in RECORD_FIELDS:
        v = record.get(f.name)
        if f.kind == "names":
            v = [str(n).strip() for n in (v or []) if str(n).strip()] if isinstance(v, list | tuple) else []
            if v:
                out[f.name] = v
        elif v is not None and str(v).strip():
            out[f.name] = str(v).strip()
    return out


def merge_records(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """``kept``'s fields, and ``other``'s where ``kept`` has none (a merge, an import into
    an existing paper: nothing is lost, nothing already there is replaced)."""
    out = dict(kept)
    for k, v in other.items():
        if k not in out or not out[k]:
            out[k] = v
    return clean_record(out)


def merge_extras(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Unknown fields by format, ``kept``'s first."""
    out = {fmt: dict(fields) for fmt, fields in (kept or {}).items()}
    for fmt, fields in (other or {}).items():
        mine = out.setdefault(fmt, {})
        for k, v in fields.items():
            mine.setdefault(k, v)
    return {fmt: fields for fmt, fields in out.items() if fields}
