"""Text normalisation: what copy-paste does to text, and matching keys.

Two separate jobs live here.  ``clean_text`` applies the only changes we make
to stored text (BOM, line ends, non-breaking and trailing spaces).  The
``*_key`` functions build the normalised columns used to find duplicates;
they are never shown to the user.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ELLIPSIS_CHARS = ("…", "...")

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_KEY_SEP = re.compile(r"[\W_]+")


def clean_text(text: str) -> str:
    """Undo what copy-paste adds: a BOM, CR line ends, NBSPs, trailing spaces."""
    return "\n".join(clean_lines(text))


def clean_lines(text: str) -> list[str]:
    """``clean_text(text).split("\n")`` without the joined copy (a 150 MB listing
    is held two or three times fewer while it is cut into lines)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # (Each step only when it has something to do: looking costs ~1/15 of the
    # replace on a 150 MB listing.)
    return [line.rstrip() for line in spaces_for_no_breaks(lf_line_ends(text)).split("\n")]


def lf_line_ends(text: str) -> str:
    """CR LF and a lone CR as LF (only when the text holds a CR)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def spaces_for_no_breaks(text: str) -> str:
    """No-break spaces (U+00A0, U+202F, U+2007: a web page's) as plain spaces.
    Three ``str.replace``, each only when needed: a regex took 10x longer (0.7 s
    for a 110 MB listing), ``str.translate`` longer still."""
    for c in "\u00a0\u202f\u2007":
        if c in text:
            text = text.replace(c, " ")
    return text


def collapse_ws(text: str) -> str:
    # str.split() and the regex \s agree on what whitespace is (checked for every
    # code point); split/join is ~4x faster on an abstract.
    return " ".join(text.split())


def strip_ellipsis(text: str) -> tuple[str, bool]:
    """Remove a trailing ellipsis; say whether there was one."""
    t = text.rstrip()
    for e in ELLIPSIS_CHARS:
        if t.endswith(e):
            return t[: -len(e)].rstrip(), True
    return t, False


# The keys are cached (small LRU): an import asks for the same entry's keys
# twice in a row (to find a match, then to store them).  ASCII text, most of
# it, skips the Unicode normalisation steps, which cannot change it.
@lru_cache(maxsize=1024)
def abstract_key(text: str | None) -> str | None:
    """Key for prefix matching of abstracts and profile lines.

    Whitespace and quotes normalised, trailing ellipsis removed, case folded.
    Punctuation is kept: prefixes must line up character by character.
    """
    if not text:
        return None
    t, _ = strip_ellipsis(text)
    if t.isascii():
        t = t.replace("`", "'")  # the only ASCII character in _QUOTES
    else:
        t = unicodedata.normalize("NFKC", t).translate(_QUOTES)
    t = collapse_ws(t).casefold()
    return t or None


@lru_cache(maxsize=4096)
def title_key(text: str | None) -> str | None:
    """Key for "same normalised title": letters and digits only, case folded."""
    if not text:
        return None
    t = text
    if not t.isascii():
        t = unicodedata.normalize("NFKD", t)
        t = "".join(c for c in t if not unicodedata.combining(c))
    # One pass: every run of non-word characters and underscores becomes one
    # space (whitespace is non-word, so nothing else is left to collapse).
    t = _KEY_SEP.sub(" ", t.casefold()).strip()
    return t or None


@lru_cache(maxsize=1 << 16)
def person_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for an author name.  (Cached apart from
    titles: a large import's names recur, its titles flushed them out of ``title_key``'s cache.)"""
    return title_key.__wrapped__(name) or ""
