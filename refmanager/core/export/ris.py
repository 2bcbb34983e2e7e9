"""RIS: one record per paper, its type and every field, continuation lines that never start a tag."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS, base_key, clean_key  # noqa: F401
from ..fields import Paper
from ..names import split_name
from ..record import (
    CSL_TO_RIS,
    RECORD_BY_NAME,
    RIS_T2_CONTAINER,
)
from ..textnorm import lf_line_ends
from .common import RIS_NOTE_TAG, _kept, _kept_values, _page_ends, check_values

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------- RIS
def _ris_value(tag: str, value: str) -> list[str]:
    """A tag line; further lines become continuation lines (indented, never a tag)."""
    lines = lf_line_ends(value).split("\n")  # (the importer reads a CR as a line end)
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


#: A tag the RIS importer reads as a tag (``formats.ris``): a field kept as it came is
#: written back only under such a name (any other could end the record or start one).
_RIS_TAG = re.compile(r"[A-Z][A-Z0-9]")




def _ris_date(date: str | None) -> str | None:
    """``2024/07/31/``, ``2020/05//``, ``2024///``: RIS's date, as Zotero writes it."""
    if not date or not date[:4].isdigit():
        return None
    y, m, d = (date.split("-") + ["", ""])[:3]
    return f"{y}/{m}/{d}/"


def _ris_entry(p: Paper) -> str:
    out: list[str] = []

    def put(tag: str, value: str | None) -> None:
        if value:
            out.extend(_ris_value(tag, value))

    rec = p.record or {}
    kept = _kept(p, "ris")
    kind = p.type if p.type in CSL_TO_RIS else None
    if kind is None:  # (a paper from before types: as it was exported then)
        ty = "JOUR" if p.journal else "GEN"
    else:
        ty = CSL_TO_RIS[kind]
        given = _kept_values(kept.get("TY"))
        if kind == "document" and given and "\n" not in given[0] and "\r" not in given[0]:
            ty = given[0].strip()  # (a TY no table knows, as it came)
    put("TY", ty)
    put("TI", " ".join((p.title or "").split()))
    for a in p.authors or []:
        if a and a.strip():
            put("AU", _ris_name(a))
    if p.et_al and p.authors:
        put("AU", "et al.")
    for tag, field in (("ED", "editors"), ("A4", "translators")):
        for n in rec.get(field) or []:
            put(tag, _ris_name(n))
    date = p.date or ""
    if date[:4].isdigit():
        put("PY", date[:4])
        put("DA", _ris_date(date))
    # the container: T2 where RIS says T2 is one (journals, proceedings, books), else JF, which
    # the importer reads first (and so also when a JF is kept below)
    put("T2" if ty in RIS_T2_CONTAINER and "JF" not in kept else "JF", p.journal)
    put("J2", rec.get("short_journal"))
    put("T3", rec.get("collection_title"))
    put("VL", p.volume)
    put("IS", p.issue)
    first, last = _page_ends(p.pages)
    if first == last:  # "5-5": one SP, as written (the importer reads an SP range as it is)
        first, last = p.pages, None
    put("SP", first)
    put("EP", last)
    put("ET", rec.get("edition"))
    put("PB", p.publisher or (rec.get("institution") if kind in ("thesis", "report") else None))
    put("CY", rec.get("place"))
    put("SN", rec.get("isbn"))
    put("SN", rec.get("issn"))
    if kind in RECORD_BY_NAME["number"].types:
        put("SN", rec.get("number"))  # (as Zotero writes a report's or a patent's number)
    put("M3", rec.get("genre"))
    put("AB", p.abstract)
    put("DO", p.doi)
    url = rec.get("url")
    if p.arxiv_id:
        put("UR", url or f"https://arxiv.org/abs/{p.arxiv_id}")
        put("AN", f"arXiv:{p.arxiv_id}")
    else:
        put("UR", url)
    if p.category:  # the arXiv classification, as a call number in the arXiv database
        put("DB", "arXiv")
        put("CN", p.category)
    put("Y2", _ris_date(rec.get("accessed")))
    put("LA", rec.get("language"))
    for t in p.tags or []:
        put("KW", t)
    put("N1", _ris_note(p.note) if p.note else None)
    for tag, values in kept.items():  # the tags no table knows, as they came
        if isinstance(tag, str) and _RIS_TAG.fullmatch(tag) and tag not in ("TY", "ER"):
            for v in _kept_values(values):
                put(tag, v)
    out.append("ER  - ")
    return "\n".join(out) + "\n"


def to_ris(papers: Sequence[Paper]) -> str:
    """RIS records (``TY`` by the paper's type, ``record.CSL_TO_RIS``; every record field RIS has,
    then the tags kept as they came: docs/formats.md), one blank line apart.
    ``ExportRefused`` for a paper with an identifier that is none (``check_values``)."""
    check_values(papers)
    return ris_records(papers)


def ris_records(papers: Sequence[Paper]) -> str:
    """``to_ris`` of papers already checked (``common.checked``: ``export`` a chunk at a time)."""
    return "\n".join(_ris_entry(p) for p in papers)
