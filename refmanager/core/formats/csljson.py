"""CSL-JSON: the citation data Zotero, Pandoc and citeproc use.

Only JSON that looks like CSL is claimed: objects with a ``type`` and CSL
fields such as ``title``, ``author``, ``issued``, or without a ``type`` but
with fields only CSL has (``issued``, ``container-title``, ``author`` as a
list of name objects, ``DOI``, ``URL``) and none only refmanager JSON has.
Any other JSON is left to the refmanager JSON reader, which rejects what it
does not know.  A single CSL object (what doi.org content negotiation
returns) is read as one item.  Each item is a record: one that cannot be used
is skipped and reported, the rest imports.

The whole item is read (``type``, editors, publisher, ISBN, URL...: ``record.py``,
docs/formats.md "The record in RIS and CSL-JSON"); ``id`` is the paper's citation
key; every other variable is kept verbatim (``Entry.extras["csl"]``), and a CSL-JSON
export writes it back.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from typing import Any

from ..errors import ParseError
from ..models import Entry, ParsedFile
from ..names import is_et_al, join_name
from ..record import CSL_RECORD, RECORD_BY_NAME, clean_record, csl_type
from . import common

log = logging.getLogger(__name__)

NAME = "CSL-JSON"

_CSL_FIELDS = frozenset(
    {"title", "author", "issued", "container-title", "DOI", "URL", "editor", "publisher", "abstract", "page",
     "volume", "issue", "accessed"}
)
#: CSL rich-text markup allowed in titles (https://citeproc-js.readthedocs.io, "Rich text").
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")


@functools.lru_cache(maxsize=1)
def _load(text: str) -> Any:
    """Parsed JSON (or None): detect and parse read the same text, decode it once."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _elements(s: str) -> list[tuple[int, Any]]:
    """A top-level array decoded element by element, with the line each one starts on."""
    dec = json.JSONDecoder()
    out: list[tuple[int, Any]] = []
    ws = " \t\r\n"
    pos = len(s) - len(s.lstrip(ws))
    line, counted = 1, 0  # newlines before ``counted``, counted incrementally (files can be large)

    def line_at(p: int) -> int:
        nonlocal line, counted
        line += s.count("\n", counted, p)
        counted = p
        return line

    try:
        if s[pos] != "[":
            raise json.JSONDecodeError("expected a list of CSL items", s, pos)
        pos += 1
        while True:
            while pos < len(s) and s[pos] in ws:
                pos += 1
            if s[pos] == "]" and not out:
                pos += 1
                break
            obj, end = dec.raw_decode(s, pos)
            out.append((line_at(pos), obj))
            pos = end
            while pos < len(s) and s[pos] in ws:
                pos += 1
            if s[pos] == ",":
                pos += 1
                continue
            if s[pos] == "]":
                pos += 1
                break
            raise json.JSONDecodeError("expected ',' or ']'", s, pos)
        if s[pos:].strip(ws):
            raise json.JSONDecodeError("extra data after the list", s, pos)
    except json.JSONDecodeError as e:
        raise ParseError(f"invalid JSON: {e.msg}", line=e.lineno) from None
    except IndexError:
        raise ParseError("invalid JSON: unexpected end of file", line=s.count("\n") + 1) from None
    return out


#: Fields only CSL has (refmanager JSON says "authors", "date", "journal", "doi").
_CSL_ONLY = frozenset({"issued", "container-title", "author", "DOI", "URL", "accessed", "page", "citation-key",
                       "collection-title", "event", "ISSN", "ISBN", "PMID"})
#: Fields only refmanager JSON has.
_OURS_ONLY = frozenset({"authors", "arxiv_id", "orgs", "et_al", "incomplete", "needs_review"})


def _is_csl_item(obj: Any) -> bool:
    if not isinstance(obj, dict) or _OURS_ONLY & obj.keys():
        return False
    if isinstance(obj.get("type"), str):
        return bool(_CSL_FIELDS & obj.keys())
    return bool(_CSL_ONLY & obj.keys())


def detect(text: str) -> bool:
    s = text.lstrip("\ufeff")
    if not s.lstrip(" \t\r\n").startswith(("[", "{")):
        return False
    data = _load(s)
    if isinstance(data, list):
        return any(_is_csl_item(x) for x in data[:20])
    return _is_csl_item(data)


def _str(obj: dict[str, Any], key: str, line: int) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, list) and all(isinstance(x, str) for x in v):  # some writers use lists
        v = v[0] if v else None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if v is not None and not isinstance(v, str):
        raise ParseError(f"field {key!r} must be a string", line=line)
    return v or None


def _authors(v: Any, line: int, key: str = "author") -> tuple[list[str], bool]:
    if v is None:
        return [], False
    if not isinstance(v, list):
        raise ParseError(f"field {key!r} must be a list of names", line=line)
    names: list[str] = []
    et_al = False
    for a in v:
        if isinstance(a, str):
            name = a
        elif isinstance(a, dict):
            parts = {k: a.get(k) for k in ("given", "dropping-particle", "non-dropping-particle", "family",
                                          "suffix", "literal")}
            if any(x is not None and not isinstance(x, str) for x in parts.values()):
                raise ParseError(
                    "each author's parts ('family', 'given', 'literal') must be strings", line=line
                )
            joined = join_name(
                parts["given"] or "",
                " ".join(p for p in (parts["dropping-particle"], parts["non-dropping-particle"]) if p),
                parts["family"] or "",
                parts["suffix"] or "",
            )
            # (the parts when there is a family name: bolognese writes a literal "Family, Given" too)
            name = joined if parts["family"] else parts["literal"] or joined
        else:
            raise ParseError(
                "each author must be an object like {\"family\": ..., \"given\": ...}", line=line
            )
        name = common.clean_inline(name) or ""
        if not name:
            continue
        if is_et_al(name):
            et_al = True
        else:
            names.append(name)
    return names, et_al


def _date(v: Any, line: int) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return common.parse_date(v)
    if not isinstance(v, dict):
        raise ParseError("field 'issued' must be an object like {\"date-parts\": [[2024, 7, 31]]}", line=line)
    parts = v.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        y, m, d = (list(parts[0]) + [None, None])[:3]
        return common.make_date(y, m, d)
    for k in ("raw", "literal"):
        if isinstance(v.get(k), str):
            return common.parse_date(v[k])
    return None


def _tags(obj: dict[str, Any]) -> list[str]:
    tags: list[str] = []
    for key in ("keyword", "categories"):
        v = obj.get(key)
        if isinstance(v, str):
            tags.extend(common.split_keywords(v))
        elif isinstance(v, list):
            tags.extend(x for x in v if isinstance(x, str))
    return common.dedupe_tags(tags)


def _text(obj: dict[str, Any], key: str) -> str | None:
    """A record variable's text: a string, a number, the first of a list of strings (else
    None: the value stays as it came)."""
    v = obj.get(key)
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        v = v[0]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    return common.clean_inline(v) if isinstance(v, str) else None


def _to_entry(line: int, obj: Any) -> Entry:
    if not isinstance(obj, dict):
        raise ParseError("each element of a CSL-JSON list must be an object (a CSL item)", line=line)
    # The variables read into the entry; every other one is kept as it came (``extras["csl"]``)
    # and written back by a CSL-JSON export.  A list read as its first string is kept too (an
    # export writes it back whole while its first string is the field's value).
    used = {"id", "citation-key", "author", "title", "abstract", "keyword", "categories", "note", "volume", "issue",
            "page", "DOI"}
    authors, et_al = _authors(obj.get("author"), line)
    title = _str(obj, "title", line)
    journal_raw = _str(obj, "container-title", line)
    journal = common.clean_inline(_MARKUP.sub("", journal_raw)) if journal_raw else None
    doi = common.clean_doi(_str(obj, "DOI", line) or _str(obj, "doi", line))
    if obj.get("DOI") is None and obj.get("doi") is not None:
        used.add("doi")
    note = common.clean_note(_str(obj, "note", line))
    arxiv_id = category = None
    for key in ("number", "URL", "note"):
        aid, cat = common.find_arxiv(_str(obj, key, line))
        if aid and (arxiv_id is None or aid == arxiv_id):
            arxiv_id = aid
            category = category or cat
    arxiv_id = arxiv_id or common.arxiv_from_doi(doi)
    if category is None and "arxiv" in (_str(obj, "archive", line) or "").casefold():
        category = common.valid_category(_str(obj, "archive_location", line))
        if category:
            used.update(("archive", "archive_location"))
    if common.is_preprint_venue(journal):
        journal = None  # (a preprint server named as the journal stays as it came)
    elif journal_raw:
        used.add("container-title")
    raw_type = obj.get("type")
    kind = csl_type(raw_type) if isinstance(raw_type, str) else None
    if kind is not None or raw_type is None:
        used.add("type")
    elif isinstance(raw_type, str):
        kind = "document"  # (the type no table knows stays as it came, and is written back)
    date = _date(obj.get("issued"), line)
    if date:
        used.add("issued")
    key = next((k for k in (obj.get("citation-key"), obj.get("id")) if isinstance(k, (str, int))
                and not isinstance(k, bool) and str(k).strip()), None)
    record: dict[str, Any] = {}
    for var, rf in CSL_RECORD.items():
        if var not in obj:
            continue
        if rf.kind == "names":
            try:
                names, _ = _authors(obj[var], line, var)
            except ParseError:
                continue  # (kept as it came)
            record[rf.name] = names
        elif rf.kind == "date":
            if not (v := _date(obj[var], line) if isinstance(obj[var], dict) else common.parse_date(_text(obj, var))):
                continue
            record[rf.name] = v
        elif (v := _text(obj, var)) is None:
            continue
        else:
            record[rf.name] = v
        if not (isinstance(obj[var], list) and len(obj[var]) > 1 and rf.kind != "names"):
            used.add(var)
    short = obj.get("journalAbbreviation")  # (Zotero's name for container-title-short)
    if "short_journal" not in record and isinstance(short, str) and common.clean_inline(short):
        record["short_journal"] = common.clean_inline(short)
        used.add("journalAbbreviation")
    number = record.pop("number", None)
    if number and arxiv_id and common.is_arxiv_reference(number):
        pass  # (the paper's arXiv id: an export writes it back)
    elif number and kind in RECORD_BY_NAME["number"].types:
        record["number"] = number
    else:
        used.discard("number")  # (another type's number stays as it came)
    url = record.pop("url", None)
    if url and not (arxiv_id and common.is_arxiv_abs_link(url, arxiv_id)):
        record["url"] = url
    publisher = _text(obj, "publisher")
    if publisher is not None:
        used.add("publisher")
        if arxiv_id and journal is None and common.is_preprint_venue(publisher):
            publisher = None  # (what an export writes for a preprint: the arXiv id says it)
    extras = {k: v for k, v in obj.items() if k not in used and v not in (None, "", [], {})}
    return Entry(
        kind="csljson",
        line=line,
        title=common.clean_inline(_MARKUP.sub("", title)) if title else None,
        authors=authors,
        et_al=et_al,
        date=date,
        category=category,
        abstract=common.clean_block(_str(obj, "abstract", line)),
        arxiv_id=arxiv_id,
        doi=doi,
        journal=journal,
        volume=common.clean_inline(_str(obj, "volume", line)),
        issue=common.clean_inline(_str(obj, "issue", line)),
        pages=common.clean_inline(_str(obj, "page", line)),
        tags=_tags(obj),
        note=common.strip_arxiv_lines(note),
        citekey=str(key).strip() if key is not None else None,
        type=kind,
        publisher=publisher,
        record=clean_record(record),
        extras={"csl": extras} if extras else {},
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    s = text.lstrip("\ufeff")
    data = _load(s)
    if isinstance(data, dict):
        first = len(s) - len(s.lstrip())
        items = [(s.count("\n", 0, first) + 1, data)]
    else:
        items = _elements(s)  # the line of every element; raises ParseError on invalid JSON
    return common.record_file(NAME, "CSL item", (_item(line, obj) for line, obj in items),
                              empty="no CSL items (the list is empty)")


def _item(line: int, obj: Any) -> tuple[int, Entry | str]:
    try:
        return line, _to_entry(line, obj)
    except ParseError as err:
        return line, err.message
