"""Export papers as BibTeX, RIS, CSL-JSON or refmanager JSON.

``papers`` are the ``Paper`` objects ``Library.get_many`` returns.  Every exporter writes
what its importer in ``formats/`` reads back, so export followed by import
into an empty library gives the same papers (field mappings and limits:
docs/formats.md).  Exports are data: every value is escaped so that it cannot
end a field, an entry or a record, or the export is refused (``ExportRefused``:
an identifier that is none; docs/formats.md, "Exports are data").  Qt-free, no
I/O: callers write the returned text.

One module per format (``bibtex``, ``ris``, ``csl``) over what they share (``common``);
citations in a style are ``core/cite``.  ``refmanager export`` writes a library's papers a chunk
at a time (``cli/listing.py``): BibTeX and CSL-JSON through ``keyed_chunks`` (the citation keys and
refusals of all the papers at once) and ``bibtex_pieces``/``csljson_pieces``, the text of
``to_bibtex``/``to_csljson``, which write through them too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..citekeys import DEFAULT_KEY_PATTERN, KEY_STOPWORDS
from ..fields import Paper, paper_json
from ..models import LibraryGroups
from .bibtex import bibtex_pieces, bibtex_title, latex_escape, to_bibtex
from .common import CSL_MARKUP, RIS_NOTE_TAG, ExportRefused, check_values, checked, citation_keys, keyed_chunks
from .csl import csl_items, csljson_pieces, to_csljson
from .ris import ris_records, to_ris

__all__ = [
    "CSL_MARKUP", "DEFAULT_KEY_PATTERN", "EXPORT_FORMATS", "KEY_STOPWORDS", "RIS_NOTE_TAG", "ExportFormat",
    "ExportRefused", "bibtex_pieces", "bibtex_title", "check_values", "checked", "citation_keys", "csl_items",
    "csljson_pieces", "keyed_chunks", "latex_escape", "ris_records", "to_bibtex", "to_csljson", "to_json", "to_ris",
]


def to_json(papers: Sequence[Paper], groups: LibraryGroups | None = None) -> str:
    """refmanager JSON: the documented fields (``fields.JSON_FIELDS``), as ``export --format json``.

    With the library's collections or saved searches (``groups``), an object ``{"papers":
    [...], "collections": [every path], "saved_searches": [{"name", "query"}]}`` whose papers
    each list their collections' paths; without any, the plain list older versions read.  A
    paper with annotations of its PDFs lists them (``"annotations": [...]``, schema v13)."""
    notes = groups.annotations if groups is not None else {}

    def paper(p: Paper) -> dict[str, object]:
        return {**paper_json(p), **({"annotations": notes[p.id or 0]} if notes.get(p.id or 0) else {})}

    if not groups:
        return json.dumps([paper(p) for p in papers], ensure_ascii=False, indent=2) + "\n"
    data = {
        "papers": [{**paper(p), "collections": groups.of.get(p.id or 0, [])} for p in papers],
        "collections": list(groups.paths),
        "saved_searches": [{"name": name, "query": query} for name, query in groups.searches],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class ExportFormat:
    """One way out, as the File → Export menu and ``refmanager export`` offer it."""

    label: str
    suffix: str
    #: the file dialog's filter
    files: str
    #: (papers, citation key pattern, groups=None) -> text; ``groups``: the library's collections
    #: and saved searches (``Library.export_groups``), kept by BibTeX and refmanager JSON
    write: Callable[..., str]


#: Every export format, by the name ``--format`` takes.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    "bibtex": ExportFormat("BibTeX", ".bib", "BibTeX (*.bib)", to_bibtex),
    "ris": ExportFormat("RIS", ".ris", "RIS (*.ris)", lambda papers, _pattern, groups=None: to_ris(papers)),
    "csljson": ExportFormat("CSL-JSON", ".csl.json", "CSL-JSON (*.json)",
                            lambda papers, pattern, groups=None: to_csljson(papers, pattern)),
    "json": ExportFormat("refmanager JSON", ".json", "refmanager JSON (*.json)",
                         lambda papers, _pattern, groups=None: to_json(papers, groups)),
}
