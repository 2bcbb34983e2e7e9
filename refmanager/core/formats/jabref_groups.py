"""JabRef's groups in a ``.bib`` file, read as collections and saved searches.

JabRef keeps its group tree in a comment, usually at the end of the file (JabRef 5 and later,
``GroupSerializer`` and ``MetaDataSerializer``)::

    @Comment{jabref-meta: grouping:
    0 AllEntriesGroup:;
    1 StaticGroup:Thesis\\;2\\;1\\;\\;\\;\\;;
    2 StaticGroup:Related work\\;2\\;1\\;\\;\\;\\;;
    1 KeywordGroup:NLP\\;0\\;keywords\\;nlp\\;0\\;0\\;1\\;\\;\\;\\;;
    }

JabRef 2.x/3.x wrote ``groupstree:``, with ``ExplicitGroup:name\\;0\\;key1\\;key2\\;;`` listing the
members' citation keys.  Two levels of quoting: a group is a unit ended by ``;`` (``\\x`` is x),
and inside it the group's own fields are separated by ``;`` and quoted the same way.  The number
before a group is its depth (0: all entries).  JabRef 2 wrapped long lines: line ends inside a
unit are dropped.

* A static group (``StaticGroup``, ``ExplicitGroup``) is a collection.  An entry names the static
  groups it is in in its ``groups`` field (``Thesis, Related work``), by name only: a name that two
  groups share in different branches puts the entry in both, as JabRef shows it.  Names no static
  group has stay the entry's ``groups`` field.  A legacy group's citation keys are members too.
* A keyword or search group is a saved search whose query says the same in refmanager's search
  language as far as it can (``jabref_query``); a warning says when it is not exact, and a group
  whose condition cannot be said at all is not imported (the warning quotes it).  A saved search
  refmanager exported carries its own query in the group's description, read back as it is.
  Automatic groups (one group per keyword, author, date...) are skipped with a warning.
* A group that is not static but holds static subgroups is a collection too (their folder).

The tree is found before the entries are read (one ``find`` over the text), so each entry's
``groups`` field is taken as the entry goes by.  A malformed line is a warning naming it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..models import Entry, FileGroups, GroupPath, Problem
from .jabref_search import Said, jabref_query, keyword_query, term

log = logging.getLogger(__name__)

#: What starts a saved search's description when refmanager wrote it: the query, exactly.
QUERY_MARK = "refmanager query: "
_META = "jabref-meta:"
_HEAD = re.compile(r"@[ \t]*comment[ \t]*\{[ \t\r\n]*", re.IGNORECASE)
_KEY = re.compile(r"[ \t]*(grouping|groupstree)[ \t]*:", re.IGNORECASE)
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)
_UNIT = re.compile(r"(\d+)\s+([A-Za-z]+):(.*)", re.DOTALL)
#: Brace escapes of a name whose braces do not pair up (the writer's; each pairs up itself).
BRACE_ESCAPES = (("\\textbraceleft{}", "{"), ("\\textbraceright{}", "}"))
#: The same and a backslash, in a ``groups`` field (``export/jabref_groups.field_name``).
FIELD_ESCAPES = (*BRACE_ESCAPES, ("\\textbackslash{}", "\\"))
_STATIC = ("StaticGroup", "ExplicitGroup")
#: A group that cannot be read but for its level: its subgroups go to its parent.
_SKIPPED = "skipped"
_AUTOMATIC = ("AutomaticKeywordGroup", "AutomaticPersonsGroup", "AutomaticDateGroup", "TexGroup",
              "DirectoryGroup")
#: Most names of a ``groups`` field joined back into one name that holds ", ".
_MAX_RUN = 8
#: Largest group tree read, in groups and in characters (a bound on work: JabRef trees have
#: tens or hundreds of groups, a few kilobytes).
MAX_GROUPS = 100_000
MAX_TREE_CHARS = 16 * 1024 * 1024


# ------------------------------------------------------------------- finding the tree
def _blocks(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(``grouping``/``groupstree``, where its value starts and ends, the line it starts on)."""
    pos = text.find(_META)
    while pos >= 0:
        at = text.rfind("@", max(0, pos - 40), pos)
        key = _KEY.match(text, pos + len(_META))
        if at >= 0 and key and _HEAD.fullmatch(text, at, pos):
            start = key.end()
            depth, end = 0, -1
            for m in _BRACE_OR_ESCAPE.finditer(text, start):
                c = m.group()
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth < 0:
                        end = m.start()
                        break
            yield key.group(1).lower(), start, end, text.count("\n", 0, start) + 1
            if end < 0:
                return
            pos = end
        pos = text.find(_META, pos + 1)


def _units(value: str, line: int) -> list[tuple[str, int]]:
    """The ``;``-ended units of a metadata value, with the line each starts on: ``\\x`` is x,
    line ends are dropped (JabRef 2 wrapped long lines; no group name holds one)."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    first: int | None = None
    escape = False
    for c in value:
        if c in "\r\n":
            line += c == "\n"
            continue
        if escape:
            buf.append(c)
            escape = False
        elif c == "\\":
            escape = True
        elif c == ";":
            unit = "".join(buf).strip()
            if unit:
                out.append((unit, first or line))
            buf, first = [], None
            continue
        else:
            buf.append(c)
        if first is None and not c.isspace():
            first = line
    unit = "".join(buf).strip()
    if unit:
        out.append((unit, first or line))
    return out


def _fields(s: str) -> list[str]:
    """A group's fields: split at ``;``, ``\\x`` is x, a brace escape is its brace."""
    out: list[str] = []
    buf: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            seq = next((e for e in BRACE_ESCAPES if s.startswith(e[0], i)), None)
            if seq is not None:
                buf.append(seq[1])
                i += len(seq[0])
            else:
                buf.append(s[i + 1])
                i += 2
            continue
        if c == ";":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    out.append("".join(buf))
    return out


# ------------------------------------------------------------------- the tree
@dataclass
class _Group:
    kind: str
    name: str
    line: int
    level: int
    context: int = 0
    parent: _Group | None = None
    path: GroupPath = ()
    keys: list[str] = field(default_factory=list)
    #: keyword and search groups: (field or None, expression, case sensitive, regex, description)
    search: tuple[str | None, str, bool, bool, str] | None = None
    #: it holds a static group somewhere below it (so it is a collection, their folder)
    holds: bool = False
    children: int = 0

    @property
    def static(self) -> bool:
        return self.kind in _STATIC


def _flag(fields: list[str], i: int) -> bool:
    return len(fields) > i and fields[i].strip() == "1"


def _group(unit: str, line: int, warnings: list[Problem]) -> _Group | None:
    """One unit as a group (``_SKIPPED``, with a warning, when only its level can be read);
    None (with a warning) when not even that."""
    m = _UNIT.fullmatch(unit)
    if not m:
        warnings.append(Problem(line, f"JabRef group {unit[:60]!r} not understood (expected 'LEVEL TYPE:...'); "
                                      "skipped"))
        return None
    level, kind, rest = int(m.group(1)[:6]), m.group(2), m.group(3)
    if kind == "AllEntriesGroup":
        return _Group(kind, "", line, level)
    f = _fields(rest)
    name = " ".join(f[0].split())
    what = f"JabRef group {name or rest[:40]!r}"
    if kind in _AUTOMATIC:
        warnings.append(Problem(line, f"{what} is an automatic group ({kind}): not imported (refmanager's "
                                      "tags and columns show the same)"))
        return _Group(kind, name, line, level)
    skipped = _Group(_SKIPPED, name, line, level)  # (its subgroups go to its parent)
    if kind not in (*_STATIC, "KeywordGroup", "SearchGroup"):
        warnings.append(Problem(line, f"{what}: unknown kind {kind!r}; skipped"))
        return skipped
    if not name:
        warnings.append(Problem(line, f"a JabRef {kind} without a name; skipped (its subgroups go to its parent)"))
        return skipped
    try:
        context = int(f[1])
    except (IndexError, ValueError):
        warnings.append(Problem(line, f"{what}: malformed ({kind} needs a name and a number); skipped"))
        return skipped
    g = _Group(kind, name, line, level, context)
    if kind == "ExplicitGroup":
        g.keys = [k.strip() for k in f[2:] if k.strip()]
    elif kind == "KeywordGroup":
        if len(f) < 4:
            warnings.append(Problem(line, f"{what}: malformed (no field or expression); skipped"))
            return skipped
        g.search = (f[2].strip().lower(), f[3], _flag(f, 4), _flag(f, 5), f[9] if len(f) > 9 else "")
    elif kind == "SearchGroup":
        if len(f) < 3:
            warnings.append(Problem(line, f"{what}: malformed (no search expression); skipped"))
            return skipped
        g.search = (None, f[2], _flag(f, 3), _flag(f, 4), f[8] if len(f) > 8 else "")
    return g


def _tree(units: list[tuple[str, int]], warnings: list[Problem]) -> list[_Group]:
    """The groups in file order, each with its parent and path (a skipped group's subgroups
    go to its parent)."""
    out: list[_Group] = []
    stack: list[_Group] = []
    for unit, line in units[:MAX_GROUPS]:
        g = _group(unit, line, warnings)
        if g is None:
            continue
        while stack and stack[-1].level >= g.level:
            stack.pop()
        if g.kind == "AllEntriesGroup":
            stack = [g]
            continue
        parent = stack[-1] if stack and stack[-1].kind != "AllEntriesGroup" else None
        if parent is not None and parent.kind == _SKIPPED:
            parent = parent.parent
        g.parent = parent
        stack.append(g)
        if g.kind == _SKIPPED:
            continue
        g.path = (*(parent.path if parent else ()), g.name)
        if parent is not None:
            parent.children += 1
        out.append(g)
    if len(units) > MAX_GROUPS:
        warnings.append(Problem(units[MAX_GROUPS][1], f"more than {MAX_GROUPS:,} JabRef groups; the rest are not read"))
    for g in out:
        if g.static:
            p = g.parent
            while p is not None and not p.holds and not p.static:
                p.holds = True
                p = p.parent
    return out


# ------------------------------------------------------------------- the file's groups
class JabRefGroups:
    """A file's group tree, and the entries' memberships as the entries go by (``follow``)."""

    def __init__(self, groups: list[_Group], warnings: list[Problem]) -> None:
        self.warnings = warnings
        self.found = FileGroups()
        #: static groups by name (the ``groups`` field names them)
        self.by_name: dict[str, list[GroupPath]] = {}
        #: legacy groups' citation keys -> the groups listing them, and the group's line
        self.by_key: dict[str, list[tuple[GroupPath, int]]] = {}
        self.keys_seen: set[str] = set()
        #: names entries give that no static group has -> how many entries
        self.unknown: dict[str, int] = {}
        self.shared_used: set[str] = set()
        queries: dict[int, Said] = {}
        for g in groups:
            if g.static or g.holds:
                self.found.collections.append((g.path, g.line))
            if g.static:
                self.by_name.setdefault(g.name, []).append(g.path)
                if "," in g.name and _commas(g.name) != g.name:
                    self.by_name.setdefault(_commas(g.name), []).append(g.path)
                for k in g.keys:
                    self.by_key.setdefault(k, []).append((g.path, g.line))
            if g.search is not None:
                queries[id(g)] = self._saved_search(g, queries)

    def _saved_search(self, g: _Group, queries: dict[int, Said]) -> Said:
        """The group's query (its parent's condition too when it refines it), and a saved search."""
        assert g.search is not None
        fld, expr, case, regex, desc = g.search
        if desc.startswith(QUERY_MARK) and desc[len(QUERY_MARK):].strip():
            query: str | None = desc[len(QUERY_MARK):].strip()
            why: list[str] = []
        elif fld is None:
            query, why = jabref_query(expr, case_sensitive=case, regex=regex)
        else:
            query, why = keyword_query(fld, expr, case_sensitive=case, regex=regex)
        p = g.parent
        if g.context == 1 and p is not None:  # refining: its parent's papers only
            if p.static:
                path = "/" + "/".join(library_name(n) for n in p.path)  # (from the top)
                base, more = term("collection", path)
                why += more
            else:
                base = queries.get(id(p), (None, []))[0]
            if base is None:
                why.append(f"it refines the group {p.name!r}, whose condition is left out")
            query = f"{base} {query}" if base and query else query
        if g.context == 2 and g.children:
            why.append("JabRef also shows its subgroups' papers in it (refmanager's search has no 'or')")
        what = f"JabRef {'keyword' if fld else 'search'} group {g.name!r} ({_said(g)})"
        if not query:
            self.warnings.append(Problem(g.line, f"{what} cannot be said in refmanager's search language "
                                                 f"({'; '.join(dict.fromkeys(why))}); not imported"))
            return None, why
        if why:
            self.warnings.append(Problem(g.line, f"{what} saved as the search {query!r}, which is not exactly "
                                                 f"the same: {'; '.join(dict.fromkeys(why))}"))
        self.found.searches.append((g.name, query, g.line))
        return query, why

    # ------------------------------------------------------------- entries
    def take(self, e: Entry) -> None:
        """The entry's memberships: its ``groups`` field (taken out of the fields it keeps,
        but for names no static group has) and the legacy groups listing its key."""
        paths: list[GroupPath] = []
        kept = e.extras.get("bibtex")
        raw = kept.pop("groups", None) if isinstance(kept, dict) else None
        if raw:
            unknown = []
            tokens = split_groups_field(raw)
            i = 0
            while i < len(tokens):
                (token, name), step = tokens[i], 1
                found = self._named(token, name)
                # A name holding ", " written by JabRef (or Better BibTeX) as it is: the longest
                # run of the following names that a group has.
                for j in range(min(len(tokens), i + _MAX_RUN), i + 1, -1) if found is None else ():
                    run = ", ".join(n for _, n in tokens[i:j])
                    if (found := self._named(run, run)) is not None:
                        name, step = run, j - i
                        break
                i += step
                if found is None:
                    unknown.append(token)
                    self.unknown[name] = self.unknown.get(name, 0) + 1
                    continue
                if len(found) > 1:
                    self.shared_used.add(name)
                paths.extend(found)
            if unknown:
                kept["groups"] = ", ".join(unknown)  # type: ignore[index]
        if isinstance(kept, dict) and not kept:
            del e.extras["bibtex"]
        if e.citekey and e.citekey in self.by_key:
            self.keys_seen.add(e.citekey)
            paths.extend(p for p, _ in self.by_key[e.citekey])
        if paths:
            # (n = 0: entries of a .bib are told apart by line and key; JSON counts them, jsonexport)
            self.found.members.setdefault((e.line, e.citekey or "", 0), []).extend(dict.fromkeys(paths))

    def _named(self, token: str, name: str) -> list[GroupPath] | None:
        """The static groups a name of the field means (the name as meant, as written, or a
        list separated by ``;``: JabRef's keyword separator is a preference, not in the file)."""
        found = self.by_name.get(name) or self.by_name.get(token) or self.by_name.get(_commas(name))
        if found is None and ";" in name:
            parts = [self.by_name.get(" ".join(n.split())) for n in name.split(";") if n.strip()]
            if parts and all(parts):
                found = [p for ps in parts for p in ps]  # type: ignore[union-attr]
        return found

    def follow(self, entries: Iterator[Entry]) -> Iterator[Entry]:
        """The entries, each taken as it goes by; the warnings about members at the end."""
        for e in entries:
            self.take(e)
            yield e
        self.finish()

    def finish(self) -> None:
        """What the whole file shows: keys no entry has, shared names, names no group has."""
        missing: dict[tuple[GroupPath, int], list[str]] = {}
        for key, groups in self.by_key.items():
            if key not in self.keys_seen:
                for g in groups:
                    missing.setdefault(g, []).append(key)
        for (path, line), keys in missing.items():
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            self.warnings.append(Problem(line, f"JabRef group {path[-1]!r} lists {len(keys)} citation "
                                               f"key{'s' if len(keys) != 1 else ''} no imported entry of this "
                                               f"file has ({shown})"))
        for name in sorted(self.shared_used):
            paths = " and ".join(repr("/".join(p)) for p in self.by_name[name])
            self.warnings.append(Problem(None, f"the group name {name!r} belongs to {paths}: the entries naming "
                                               "it are put in each, as JabRef shows them"))
        if self.unknown:
            names = sorted(self.unknown, key=str.casefold)
            shown = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            n = sum(self.unknown.values())
            self.warnings.append(Problem(None, f"{n} entr{'ies name' if n != 1 else 'y names'} groups that are not "
                                               f"static groups of this file ({shown}): kept as their 'groups' field"))


def follow(text: str, entries: Iterator[Entry], warnings: list[Problem]) -> tuple[Iterator[Entry], FileGroups | None]:
    """A BibTeX file's entries, each taken (``JabRefGroups.take``) as it goes by, and the
    groups (None: the file has no group tree; its entries' ``groups`` fields stay fields)."""
    groups = read(text, warnings)
    return (entries, None) if groups is None else (groups.follow(entries), groups.found)


def read(text: str, warnings: list[Problem]) -> JabRefGroups | None:
    """The file's group tree (``grouping``; else the older ``groupstree``), or None."""
    found: dict[str, tuple[int, int, int]] = {}
    for key, start, end, line in _blocks(text):
        if end < 0:
            warnings.append(Problem(line, f"the JabRef '{key}' comment is never closed; its groups are not read"))
            continue
        if key in found:
            warnings.append(Problem(line, f"a second JabRef '{key}' comment; only the first is read"))
            continue
        found[key] = (start, end, line)
    if not found:
        return None
    if "grouping" in found and "groupstree" in found:
        warnings.append(Problem(found["groupstree"][2], "JabRef's older 'groupstree' is ignored: the file "
                                                        "also has the 'grouping' that replaces it"))
    start, end, line = found.get("grouping") or found["groupstree"]
    if end - start > MAX_TREE_CHARS:
        warnings.append(Problem(line, f"the JabRef group tree is {end - start:,} characters long; the limit is "
                                      f"{MAX_TREE_CHARS:,}: its groups are not read"))
        return None
    groups = _tree(_units(text[start:end], line), warnings)
    return JabRefGroups(groups, warnings)


# ------------------------------------------------------------------- the groups field
def split_groups_field(raw: str) -> list[tuple[str, str]]:
    """A ``groups`` field's names: (as written, as meant).  JabRef separates them with ``,``;
    refmanager's export escapes a ``,`` (``\\,``), a backslash (``\\textbackslash{}``; ``\\\\`` is read
    too) and a brace of a name whose braces do not pair up; any other backslash is the name's own."""
    out: list[tuple[str, str]] = []
    raw_buf: list[str] = []
    buf: list[str] = []
    i, n = 0, len(raw)

    def end() -> None:
        token, name = "".join(raw_buf).strip(), " ".join("".join(buf).split())
        if token:
            out.append((" ".join(token.split()), name))

    while i < n:
        c = raw[i]
        if c == "\\" and i + 1 < n:
            seq = next((e for e in FIELD_ESCAPES if raw.startswith(e[0], i)), None)
            if seq is not None:
                raw_buf.append(seq[0])
                buf.append(seq[1])
                i += len(seq[0])
                continue
            nxt = raw[i + 1]
            raw_buf.append(c + nxt)
            buf.append(nxt if nxt in ",\\" else c + nxt)
            i += 2
            continue
        if c == ",":
            end()
            raw_buf, buf = [], []
        else:
            raw_buf.append(c)
            buf.append(c)
        i += 1
    end()
    return out


def _commas(name: str) -> str:
    """A name with one space after each comma and none before (how a run of names is joined)."""
    return re.sub(r"\s*,\s*", ", ", name)


def library_name(name: str) -> str:
    """A group's name as the library stores a collection's (``store.collections.clean_name``
    with ``imported``: spaces collapsed, ``/`` as ``∕``, 200 characters)."""
    return " ".join(name.split()).replace("/", "\u2215")[:200]


def _said(g: _Group) -> str:
    """A group's condition as JabRef says it (for the report)."""
    assert g.search is not None
    fld, expr, _case, regex, _desc = g.search
    text = expr if fld is None else f"{fld} {'matches' if regex else 'contains'} {expr!r}"
    return text if len(text) <= 80 else text[:79] + "…"
