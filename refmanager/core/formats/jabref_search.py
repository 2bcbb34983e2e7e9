"""JabRef's search expressions (search groups, keyword groups) in refmanager's search language.

JabRef's grammar (``Search.g4``): comparisons ``field OP value`` (``=`` contains, ``==`` is, ``!=``
not, ``=~`` a regular expression, a trailing ``!`` case-sensitive; ``contains``/``matches`` as
words), bare terms (any field), ``not``, ``and``, ``or``, parentheses; an expression the grammar
does not take is a search for its words.  refmanager's language has words (prefixes, in the
title, authors, abstract, tags and notes), phrases, qualifiers (``author: tag: year: key: type:
cat: collection:``), ``-`` and implicit "and".  So each translation says why it is not exact
(nothing: it is), and a condition with nothing refmanager can say is None: an ``or``, a regular
expression, a field the search does not look at.  Exact: ``keywords == x`` (``tag:x``), a year,
``citationkey == k``, a keyword group on ``keywords`` (each word a tag).
"""

from __future__ import annotations

import re

from ..record import BIBTEX_TO_CSL

#: A query (None: nothing of it can be said) and why it is not exact (nothing: it is).
Said = tuple[str | None, list[str]]
#: Deepest nesting of an expression read.
_MAX_DEPTH = 50
_JTOKEN = re.compile(r'\s*(?:(\()|(\))|(!==!|!==|!=!|!=|==!|==|=!|=~|=)|"([^"]*)"|([^\s"()=!]+))')
_WORDS = {"and", "or", "not", "contains", "matches"}
_REGEX_CHARS = re.compile(r"[.^$*+?()\[\]{}|\\]")
#: Fields whose words refmanager's plain search looks at (with the authors and tags).
_FIELDS_AS_WORDS = {"title", "abstract", "note", "comment", "annote", "annotation"}
_ANY_FIELD = {"anyfield", "any", "all"}
_WHERE = "title, authors, abstract, tags and notes"
_QUALIFIERS = {"keywords": "tag", "author": "author", "editor": "author", "year": "year", "groups": "collection",
               "citationkey": "key", "bibtexkey": "key", "entrytype": "type", "primaryclass": "cat"}


class _NotUnderstood(Exception):
    pass


def _lex(expr: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        m = _JTOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip():
                raise _NotUnderstood
            break
        pos = m.end()
        lp, rp, op, string, word = m.groups()
        if lp or rp:
            out.append(("(", "") if lp else (")", ""))
        elif op:
            out.append(("op", op))
        elif string is not None:
            out.append(("name", string))
        elif word.lower() in ("contains", "matches"):
            out.append(("op", "=" if word.lower() == "contains" else "=="))
        elif word.lower() in _WORDS:
            out.append((word.lower(), ""))
        else:
            out.append(("name", word))
    return out


class _Parser:
    """JabRef's search grammar (``Search.g4``): comparisons ``field OP value`` or bare terms,
    ``not``, ``and``, ``or``, parentheses."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.t[self.i][0] if self.i < len(self.t) else None

    def parse(self) -> tuple:
        node = self.expr(0)
        if self.i != len(self.t):
            raise _NotUnderstood
        return node

    def expr(self, depth: int) -> tuple:
        if depth > _MAX_DEPTH:
            raise _NotUnderstood
        parts = [self.conj(depth)]
        while self.peek() == "or":
            self.i += 1
            parts.append(self.conj(depth))
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conj(self, depth: int) -> tuple:
        parts = [self.unary(depth)]
        while self.peek() == "and":
            self.i += 1
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary(self, depth: int) -> tuple:
        if self.peek() == "not":
            self.i += 1
            return ("not", self.unary(depth + 1))
        if self.peek() == "(":
            self.i += 1
            node = self.expr(depth + 1)
            if self.peek() != ")":
                raise _NotUnderstood
            self.i += 1
            return node
        if self.peek() != "name":
            raise _NotUnderstood
        left = self.t[self.i][1]
        self.i += 1
        if self.peek() == "op":
            op = self.t[self.i][1]
            self.i += 1
            if self.peek() != "name":
                raise _NotUnderstood
            value = self.t[self.i][1]
            self.i += 1
            return ("cmp", left.lower(), op, value)
        return ("cmp", None, "=", left)


def term(qual: str | None, value: str) -> Said:
    """One term of refmanager's search language for ``value`` (quoted when it must be)."""
    why: list[str] = []
    v = " ".join(value.split())
    if '"' in v:
        v = v.replace('"', "")
        why.append("a double quote cannot be searched for")
    if not v or (qual is None and not any(c.isalnum() for c in v)):
        return None, why  # (the search ignores a word without a letter or digit)
    if any(c.isspace() for c in v) or ":" in v or v.startswith("-"):
        v = f'"{v}"'
    return (f"{qual}:{v}" if qual else v), why


def _cmp(fld: str | None, op: str, value: str, regex: bool) -> Said:
    """One JabRef comparison (``fld`` None: any field) as a term, or None."""
    neg = op.startswith("!")
    exact_op = op.strip("!").startswith("==")
    if (op == "=~" or regex) and _REGEX_CHARS.search(value):
        return None, [f"the regular expression {value!r}"]
    qual = _QUALIFIERS.get(fld or "")
    why: list[str] = []
    if fld is None or fld in _ANY_FIELD:
        why.append(f"a word is searched at the start of the words of {_WHERE} (JabRef: inside any field)")
        found, more = term(None, value)
    elif fld in _FIELDS_AS_WORDS:
        why.append(f"{fld} {'is' if exact_op else 'contains'} {value!r} is searched in {_WHERE}")
        found, more = term(None, value)
    elif qual is None:
        return None, [f"refmanager's search does not look at the field {fld!r}"]
    elif qual == "year":
        if not re.fullmatch(r"\d{4}", value.strip()):
            return None, [f"the year {value!r}"]
        found, more = term("year", value.strip())
    elif qual == "type":
        kind = BIBTEX_TO_CSL.get(value.strip().lower())
        if kind is None:
            return None, [f"the entry type {value!r}"]
        found, more = term("type", kind)
        why.append(f"the entry type {value!r} is searched as the type {kind!r}")
    else:
        found, more = term(qual, value)
        if not (exact_op and qual in ("tag", "key")):
            why.append(f"{fld} {'is' if exact_op else 'contains'} {value!r} is searched as {found}")
    why += more
    return (_negate(found) if found is not None and neg else found), why


def _translate(node: tuple, regex: bool) -> Said:
    kind = node[0]
    if kind == "cmp":
        return _cmp(node[1], node[2], node[3], regex)
    if kind == "not":
        inner, why = _translate(node[1], regex)
        if inner is None:
            return None, why
        if len(_split_terms(inner)) != 1:
            return None, [*why, "'not' of more than one condition"]
        return _negate(inner), why
    parts = [_translate(n, regex) for n in node[1]]
    why = [w for _, ws in parts for w in ws]
    if kind == "or":
        terms = {t for t, _ in parts}
        if len(terms) == 1 and None not in terms:
            return parts[0][0], why
        return None, [*why, "refmanager's search has no 'or'"]
    terms = [t for t, _ in parts if t]
    if terms and len(terms) < len(parts):
        why.append("the rest of the condition is left out")
    return (" ".join(terms) or None), why


def _split_terms(query: str) -> list[str]:
    return re.findall(r'-?(?:\w+:)?(?:"[^"]*"|\S+)', query)


def _negate(term: str) -> str:
    return term[1:] if term.startswith("-") else "-" + term


def jabref_query(expr: str, *, case_sensitive: bool = False, regex: bool = False) -> Said:
    """A JabRef search expression in refmanager's search language, and why it is not exact
    (nothing: it is).  None when nothing of it can be said.  An expression JabRef's grammar
    does not take is a plain search for its words, as JabRef does."""
    why = ["refmanager's search ignores case"] if case_sensitive else []
    try:
        node = _Parser(_lex(expr)).parse()
    except _NotUnderstood:
        words = [w for w in expr.split() if any(c.isalnum() for c in w)]
        node = ("and", [("cmp", None, "=", w) for w in words]) if words else ("and", [])
    except RecursionError:  # (bounded by _MAX_DEPTH; a guard)
        return None, ["the expression is nested too deeply"]
    query, more = _translate(node, regex)
    return query, list(dict.fromkeys(why + more))


def keyword_query(fld: str, expr: str, *, case_sensitive: bool = False, regex: bool = False) -> Said:
    """A JabRef keyword group (``fld`` holds the words of ``expr``) as a query: on ``keywords``
    each word is a tag (exact); on another field, as a search of that field."""
    why = ["refmanager's search ignores case"] if case_sensitive else []
    if fld == "keywords" and not regex:
        terms = [term("tag", w.strip()) for w in expr.split(",") if w.strip()]
        query = " ".join(t for t, _ in terms if t) or None
        return query, why + [w for _, ws in terms for w in ws]
    query, more = _cmp(fld, "=~" if regex else "=", expr, regex)
    return query, why + more
