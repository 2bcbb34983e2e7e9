"""Citation keys: the user's, kept as given; generated only for a paper that has none.

A key from an imported file is kept.  A paper without one gets a generated key when it is
added (``pattern``: ``{author}{year}{word}`` by default, a per-library setting).  Keys are
unique in a library without regard to case (a suffix ``a``, ``b``, ... on collision, as
BibTeX tools do), and a key never changes by itself: not on merge (the other paper's key is
kept as an alias), not on edit, not on re-import; only when the user asks to regenerate it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from functools import lru_cache
from typing import Protocol

from .names import PARTICLES, ascii_fold, is_organisation, split_name

#: Words skipped when a key takes the first significant word of the title.
KEY_STOPWORDS = frozenset(
    "a an the on of in for to and or with from by at as is are be do does what how why when can "
    "towards toward via into using about".split()
)
#: The default pattern (the library's ``citekey_pattern`` setting overrides it).
DEFAULT_KEY_PATTERN = "{author}{year}{word}"
KEY_FIELDS = re.compile(r"\{(author|year|word)\}")
#: What a key may hold: BibTeX and biber accept these everywhere (no spaces, braces,
#: commas, quotes, ``#``, ``%``, ``~``, ``=``, backslashes).
VALID_KEY = re.compile(r"[A-Za-z0-9_:.\-+/!?*&;@<>|$^'`]+")
MAX_KEY_CHARS = 200
#: What a generated key keeps of its parts.
_KEY_CHARS = re.compile(r"[A-Za-z0-9_:.\-]*")
_NOT_KEY_CHAR = re.compile(r"[^A-Za-z0-9_:.\-]")


def author_part(authors: Sequence[str]) -> str:
    """The first author's family name (ASCII, lower case); a team or organisation
    written first gives its whole name ("Gemma Team" → ``gemmateam``)."""
    for a in authors:  # (a loop: a generator cost more than the lookup, for every paper)
        if a and a.strip():
            return _family_part(a)
    return "anon"


@lru_cache(maxsize=1 << 14)
def _family_part(first: str) -> str:
    """``author_part`` of a first author (cached: first authors recur in a large import)."""
    if is_organisation(first):
        words = [w for w in first.split() if w.casefold() != "the"]
        return ascii_fold("".join(words)) or "anon"
    words = first.split()
    if len(words) == 2 and "," not in first and words[0] not in PARTICLES:
        return ascii_fold(words[1]) or "anon"  # (most names: "Given Family")
    return ascii_fold(split_name(first).full_family) or "anon"  # "van der Maaten" -> vandermaaten


_WORD_CUT = re.compile(r"[\s\-–—:/]+")


def word_part(title: str | None) -> str:
    """The first title word that is not a number or a short function word."""
    for word in _WORD_CUT.split(title or "", maxsplit=8)[:8]:  # (the first words: no need to cut it all)
        w = ascii_fold(word)
        if w and not w.isdigit() and w not in KEY_STOPWORDS:
            return w
    for word in _WORD_CUT.split(title or "")[8:]:
        w = ascii_fold(word)
        if w and not w.isdigit() and w not in KEY_STOPWORDS:
            return w
    return ""


def base_key(authors: Sequence[str], date: str | None, title: str | None,
             pattern: str = DEFAULT_KEY_PATTERN) -> str:
    """The key a paper's fields give, before it is made unique: ``mesnard2024gemma``."""
    d = date or ""
    year = d[:4] if d[:4].isdigit() else ""
    if pattern == DEFAULT_KEY_PATTERN:  # (every import's key: no pattern to substitute)
        key = f"{author_part(authors)}{year}{word_part(title)}"
    else:
        if not KEY_FIELDS.search(pattern or ""):
            pattern = DEFAULT_KEY_PATTERN
        parts = {"author": author_part(authors), "year": year, "word": word_part(title)}
        key = KEY_FIELDS.sub(lambda m: parts[m.group(1)], pattern)
    if not _KEY_CHARS.fullmatch(key):
        key = _NOT_KEY_CHAR.sub("", key)
    return key[:MAX_KEY_CHARS] or "anon"


def clean_key(key: str | None) -> str | None:
    """A key as a file gave it, if it can be used as one (else None: one is generated)."""
    k = (key or "").strip()
    if not k or len(k) > MAX_KEY_CHARS or not VALID_KEY.fullmatch(k):
        return None
    return k


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def suffix_at(i: int) -> str:
    """The ``i``-th suffix (from 0): ``a``..``z``, ``aa``..``zz``, then numbers, never running out."""
    if i < 26:
        return _LETTERS[i]
    if i < 26 + 26 * 26:
        a, b = divmod(i - 26, 26)
        return _LETTERS[a] + _LETTERS[b]
    return str(i - 26 - 26 * 26 + 1)


class TakenKeys(Protocol):
    """Keys in use, asked about casefolded: a set, or a library's (``Papers.free_key``)."""

    def __contains__(self, key: object) -> bool: ...

    def add(self, key: str) -> None: ...


def unique(key: str, taken: TakenKeys, memo: dict[str, int] | None = None, also: Container[str] = ()) -> str:
    """``key``, or ``key`` + the first free suffix; ``taken`` holds casefolded keys and
    gets the result.  ``memo`` (base key casefolded -> the suffix to try first), kept over
    calls whose ``taken`` only grows, makes n papers of one key linear, not quadratic.
    ``also``: keys a suffixed key must not be either (casefolded)."""
    out = key
    if out.casefold() in taken:
        base = key.casefold()
        i = memo.get(base, 0) if memo is not None else 0
        while (base + suffix_at(i)) in taken or (base + suffix_at(i)) in also:
            i += 1
        if memo is not None:
            memo[base] = i + 1
        out = key + suffix_at(i)
    taken.add(out.casefold())
    return out


def with_alias(aliases: Sequence[str], key: str | None, current: str | None) -> list[str]:
    """``aliases`` and ``key`` as one more of a paper's other keys, unless it is (case aside)
    the paper's key ``current`` or already among them."""
    out = list(aliases)
    if key and key.casefold() != (current or "").casefold() and key.casefold() not in {a.casefold() for a in out}:
        out.append(key)
    return out
