"""CSL-JSON: one item per paper, with the record's variables and those kept as they came."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS, base_key, clean_key  # noqa: F401
from ..fields import Paper
from ..names import split_name
from ..record import (
    CSL_RECORD,
    TYPES,
)
from .common import CSL_MARKUP, _kept, citation_keys

log = logging.getLogger(__name__)

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


def _csl_date(date: str | None) -> dict[str, Any] | None:
    if not date or not date[:4].isdigit():
        return None
    return {"date-parts": [[int(x) for x in date.split("-") if x.isdigit()]]}


def _csl_item(p: Paper, key: str) -> dict[str, Any]:
    rec = p.record or {}
    kept = _kept(p, "csl")
    kind = p.type if p.type in TYPES else None
    if kind is None:  # (a paper from before types: as it was exported then)
        kind = "article-journal" if p.journal else "article"
    elif kind == "document" and isinstance(kept.get("type"), str) and kept["type"].strip():
        kind = kept["type"]  # (a type no table knows, as it came)
    item: dict[str, Any] = {"id": key, "type": kind}
    if p.title:
        item["title"] = _csl_literal(p.title)
    authors = [_csl_name(a) for a in p.authors or [] if a and a.strip()]
    if p.et_al and authors:
        authors.append({"literal": "others"})  # pandoc's reading of BibTeX "and others"
    if authors:
        item["author"] = authors
    for var, field in (("editor", "editors"), ("translator", "translators")):
        if names := [_csl_name(n) for n in rec.get(field) or [] if n and str(n).strip()]:
            item[var] = names
    if issued := _csl_date(p.date):
        item["issued"] = issued
    for name, value in (("volume", p.volume), ("issue", p.issue), ("page", p.pages)):
        if value:
            item[name] = value
    if p.journal:
        item["container-title"] = _csl_literal(p.journal)
    publisher = p.publisher or (rec.get("institution") if p.type in ("thesis", "report") else None)
    if publisher:
        item["publisher"] = publisher
    elif p.arxiv_id and not p.journal:
        item["publisher"] = "arXiv"
    for var, rf in CSL_RECORD.items():
        if rf.kind == "text" and rec.get(rf.name):
            item[var] = rec[rf.name]
    if accessed := _csl_date(rec.get("accessed")):
        item["accessed"] = accessed
    if p.arxiv_id:
        # as Zotero writes a preprint's archive id, and its page: where the record's own
        # number and URL leave room (else a note line the importer reads and drops)
        if "number" not in item:
            item["number"] = f"arXiv:{p.arxiv_id}"
        if "URL" not in item:
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
    note = p.note
    if p.arxiv_id and item.get("number") != f"arXiv:{p.arxiv_id}" and item.get("URL") != (
            f"https://arxiv.org/abs/{p.arxiv_id}"):
        note = f"{note}\n\narXiv:{p.arxiv_id}" if note else f"arXiv:{p.arxiv_id}"
    if note:
        item["note"] = note
    # the variables no table knows, as they came (never one written above; a list whose first
    # value is the one written, such as two ISSNs, is written whole)
    for var, value in kept.items():
        if var in ("id", "type") or not isinstance(var, str):
            continue
        if var not in item or (isinstance(value, list) and value and value[0] == item[var]):
            item[var] = value
    return item


def csl_items(papers: Sequence[Paper], key_pattern: str = DEFAULT_KEY_PATTERN) -> list[dict[str, Any]]:
    """The CSL-JSON items of ``papers`` (ids are the BibTeX citation keys): what
    ``to_csljson`` writes, and what ``cite`` renders in a citation style."""
    keys = citation_keys(papers, key_pattern)
    return [_csl_item(p, k) for p, k in zip(papers, keys)]


def to_csljson(papers: Sequence[Paper], key_pattern: str = DEFAULT_KEY_PATTERN) -> str:
    """A CSL-JSON array (ids are the BibTeX citation keys), as ``json.dumps(..., indent=2)``
    writes it, and a line end."""
    return "".join(csljson_pieces([(papers, citation_keys(papers, key_pattern))]))


#: ``json.dumps(..., ensure_ascii=False, indent=2)``, made once
_JSON = json.JSONEncoder(ensure_ascii=False, indent=2)


def csljson_pieces(chunks: Iterable[tuple[Sequence[Paper], Sequence[str]]]) -> Iterator[str]:
    """``to_csljson``'s text a part at a time, from (papers, their citation keys) a part at a
    time (``common.keyed_chunks``): the JSON array of each part's items without its brackets
    (the items indented as in the array of all of them), a comma between parts."""
    first = True
    yield "["
    for papers, keys in chunks:
        if not papers:
            continue
        text = _JSON.encode([_csl_item(p, k) for p, k in zip(papers, keys)])
        yield ("" if first else ",") + text[1:-2]  # ("\n  {...},\n  {...}")
        first = False
    yield ("]" if first else "\n]") + "\n"


# --------------------------------------------------------------------- JSON
