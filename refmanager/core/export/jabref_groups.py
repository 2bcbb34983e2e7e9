"""Collections and saved searches written as JabRef 5 groups, so that JabRef opens them and an
import reads them back (``formats/jabref_groups.py`` reads what this writes).

* The collection tree is a ``@Comment{jabref-meta: grouping: ...}`` of ``StaticGroup`` lines
  (``GroupSerializer``'s syntax: a group's fields separated by ``;``, each unit ended by ``;``,
  ``;`` and ``\\`` quoted at both levels).  Their context is 2, "including": JabRef then shows a
  group's subgroups' papers in it, as refmanager's collection view does.
* Each paper's ``groups`` field names its collections, by name only (JabRef's rule).  Two
  collections with the same name in different branches would be one group to JabRef, so the
  second is written with its parent's name in parentheses ("Related work (Paper B)"), then a
  number: JabRef shows the right papers in each, and an import reads that name.
* A saved search is a ``SearchGroup`` after the tree: its expression is the query in JabRef's
  search syntax as far as it goes (``jabref_expression``), and its description holds the query
  itself (``refmanager query: ...``), which the import reads back exactly.
* A name that JabRef's ``groups`` field cannot hold (a ``,``, a ``\\`` that would be read as an
  escape) is escaped there (``\\,``, ``\\\\``); a name whose braces do not pair up has each brace
  written ``\\textbraceleft{}``/``\\textbraceright{}`` (in the tree too), so that every value's braces
  pair up as BibTeX counts them ("Exports are data").  Other names are written as JabRef writes
  them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from ..models import LibraryGroups
from ..record import CSL_TO_BIBTEX

log = logging.getLogger(__name__)

#: What starts a saved search's description: the query, exactly (``formats.jabref_groups``).
QUERY_MARK = "refmanager query: "
_BRACES = {"{": "\\textbraceleft{}", "}": "\\textbraceright{}"}
#: The commands the reader takes for the character they name (``formats.jabref_groups``).
_COMMANDS = ("\\textbraceleft{}", "\\textbraceright{}", "\\textbackslash{}")
_BACKSLASH_BRACE = re.compile(r"\\[{}]")
#: A backslash the reader would take for an escape, or that bibtexparser would let escape
#: the brace ending the value.
_RISKY_BACKSLASH = re.compile(r"\\(?:[\\,{}]|$)")
#: A query's terms, as refmanager's search reads them (``core/search.py``).
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)("?)|(\S+))')
_YEAR = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


def _braces(quoted: str, raw: str) -> str:
    """A quoted field with each brace as a command when its braces do not pair up, or when
    one follows a backslash (bibtexparser takes ``\\{`` for a brace that does not count,
    BibTeX counts it): then no reader can end the value early."""
    if _balanced(raw) and not _BACKSLASH_BRACE.search(raw):
        return quoted
    return "".join(_BRACES.get(c, c) for c in quoted)


def field_name(name: str) -> str:
    """A name in a ``groups`` field: as JabRef writes it when the import reads that back as
    the same name and every reader counts its braces alike; else a ``,`` is ``\\,``, a
    backslash ``\\textbackslash{}`` and (braces that do not pair up) a brace a command."""
    if ("," not in name and _balanced(name) and not _RISKY_BACKSLASH.search(name)
            and not any(e in name for e in _COMMANDS)):
        return name
    table = {"\\": "\\textbackslash{}", ",": "\\,", **({} if _balanced(name) else _BRACES)}
    return "".join(table.get(c, c) for c in name)


def _quote(s: str) -> str:
    """JabRef's ``StringUtil.quote(s, ";", '\\\\')``."""
    return s.replace("\\", "\\\\").replace(";", "\\;")


def _field(s: str) -> str:
    """A group's field: quoted, one line (the reader drops line ends), braces paired."""
    s = re.sub(r"[\r\n]", " ", s)
    return _braces(_quote(s), s)


def _unit(level: int, kind: str, fields: Sequence[str]) -> str:
    """One line of the tree: the group's fields (quoted once), the whole quoted again, ``;``."""
    return f"{level} {_quote(kind + ''.join(f + ';' for f in fields))};"


def written_names(paths: Sequence[str]) -> dict[str, str]:
    """Each collection's name as written: its own, or (a name another collection has in
    another branch, exactly) the name with its parent's in parentheses, then a number."""
    taken = {p.rsplit("/", 1)[-1] for p in paths}
    seen: set[str] = set()
    out: dict[str, str] = {}
    for p in paths:
        parent, _, name = p.rpartition("/")
        new = name
        if name in seen:
            base = f"{name} ({parent.rpartition('/')[2]})" if parent else name
            new, n = base, 1
            while new in seen or new in taken:
                n += 1
                new = f"{base} ({n})"
        seen.add(new)
        out[p] = new
    return out


def grouping_comment(groups: LibraryGroups, names: dict[str, str]) -> str:
    """The ``jabref-meta: grouping`` comment of the tree and the saved searches ("" for none)."""
    if not groups:
        return ""
    lines = [_unit(0, "AllEntriesGroup:", [])]
    for p in groups.paths:
        lines.append(_unit(p.count("/") + 1, "StaticGroup:", [_field(names[p]), "2", "1", "", "", ""]))
    for name, query in groups.searches:
        lines.append(_unit(1, "SearchGroup:", [_field(name), "0", _field(jabref_expression(query)), "0", "0", "1",
                                               "", "", _field(QUERY_MARK + query)]))
    return "@Comment{jabref-meta: grouping:\n" + "\n".join(lines) + "\n}\n"


def jabref_expression(query: str) -> str:
    """A refmanager query in JabRef's search syntax, as far as it goes (terms JabRef cannot
    say, such as an open year range, are left out; nothing left: the query's words)."""
    parts: list[str] = []
    for m in _TOKEN.finditer(query):
        neg, qual, quoted, _closed, bare = m.groups()
        value = quoted if quoted is not None else bare
        if not value:
            continue
        v = '"' + value.replace('"', "") + '"'
        qual = (qual or "").lower()
        if qual == "author":
            term = f"author = {v}"
        elif qual == "tag":
            term = f"keywords = {v}"
        elif qual == "key":
            term = f"citationkey = {v[:-2]}\"" if value.endswith("*") else f"citationkey == {v}"
        elif qual == "type":
            term = f"entrytype == {CSL_TO_BIBTEX.get(value.lower(), value)}"
        elif qual == "cat":
            term = f"primaryclass = {v}"
        elif qual == "collection":
            term = f'groups = "{value.rsplit("/", 1)[-1].replace(chr(34), "")}"'
        elif qual == "year":
            ym = _YEAR.match(value)
            if not ym or not ym.group(1) or (ym.group(2) and not ym.group(3)):
                continue
            lo, hi = int(ym.group(1)), int(ym.group(3) or ym.group(1))
            years = range(min(lo, hi), max(lo, hi) + 1)
            if len(years) > 50:
                continue
            term = " or ".join(f"year == {y}" for y in years)
            term = f"({term})" if len(years) > 1 else term
        else:  # (a word, a phrase, or a "word:" the search reads as text)
            term = v if not qual else '"' + f"{m.group(2)}:{value}".replace('"', "") + '"'
        parts.append(f"not {term}" if neg else term)
    return " and ".join(parts) or " ".join(query.split()).replace('"', "")
