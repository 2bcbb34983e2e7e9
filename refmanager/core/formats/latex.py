"""LaTeX in BibTeX values, to Unicode text.

What ``.bib`` files hold is nearly always a small part of LaTeX: accents
(``{\\"u}``, ``\\'{e}``, ``\\c c``), special letters (``\\ss``, ``\\o``, ``\\i``),
escaped characters (``\\&``, ``\\%``), protective braces (``{BERT}``), dashes,
quotes and ties, and a few font commands (``\\emph{..}``, ``{\\em ..}``).
``to_text`` reads that part itself, in one pass: pylatexenc, which reads all
of LaTeX, took ~1 ms per value and was three quarters of a BibTeX import.
Inline math (``$..$``, ``\\(..\\)``) is kept as written, delimiters included.  Values with
display math or environments go to pylatexenc (``_pylatexenc``); its output
for the common part is the same (a test compares the two).

Two deliberate differences from pylatexenc: a command with no Unicode form
and no argument is kept as its name (``\\AmSLaTeX`` → "AmSLaTeX", not an
empty title), and ``\\cite{key}`` is kept as written (a note citing a key
must still say which).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger(__name__)

#: What LaTeX decoding may change: commands, groups, ties, math, comments, ligatures.
SIGNS = re.compile(r"[\\{}~$%]|--|``|''|[!?]`")

#: Accents taking one argument (a letter, ``\i``, or a braced group), as combining marks.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
    "b": "\u0331",
}
#: Commands that stand for a character (or a word: TeX's logos).
_SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
    "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
    "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "guillemotleft": "«",
    "guillemotright": "»", "guilsinglleft": "‹", "guilsinglright": "›", "quotedblbase": "„",
    "textexclamdown": "¡", "textquestiondown": "¿", "dag": "†", "ddag": "‡", "textdagger": "†",
    "textdaggerdbl": "‡", "ldots": "…", "dots": "…", "textellipsis": "…", "textregistered": "®",
    "texttrademark": "™", "copyright": "©", "textcopyright": "©", "S": "§", "P": "¶", "textsection": "§",
    "textparagraph": "¶", "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textunderscore": "_", "textbraceleft": "{", "textbraceright": "}", "textbar": "|", "textless": "<",
    "textgreater": ">", "textbullet": "•",
    "textperiodcentered": "·", "textdegree": "°", "pounds": "£", "textsterling": "£", "euro": "€",
    "texteuro": "€", "textyen": "¥", "textcent": "¢", "textonehalf": "½", "textonequarter": "¼",
    "textthreequarters": "¾", "texttimes": "×", "textdiv": "÷", "textpm": "±", "textmu": "µ",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "AmSTeX": "AmS-TeX",
    "AmSLaTeX": "AmS-LaTeX", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX", "ConTeXt": "ConTeXt", "MF": "Metafont", "MP": "MetaPost", "METAFONT": "METAFONT",
    "METAPOST": "MetaPost", "TUB": "TUGboat", "TUG": "TUG", "PS": "PostScript", "eTeX": "ε-TeX",
    "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "slash": "/", "textslash": "/", "textasteriskcentered": "*",
    "textvisiblespace": "␣", "textordfeminine": "ª", "textordmasculine": "º",
}
#: Commands that change the font or the spacing only: dropped, their argument (if any) kept.
_DROPPED = frozenset({
    "emph", "textit", "textbf", "textsc", "textrm", "texttt", "textsf", "textup", "textsl", "textmd",
    "textnormal", "mbox", "text", "textsuperscript", "textsubscript", "uppercase", "lowercase", "MakeUppercase",
    "MakeLowercase", "url", "href", "em", "it", "bf", "sc", "rm", "tt", "sf", "sl", "up", "md", "normalfont",
    "relax", "protect", "nobreak", "hbox", "noindent", "small", "large", "Large", "footnotesize", "scriptsize",
    "tiny", "normalsize", "itshape", "bfseries", "scshape", "upshape", "mdseries", "rmfamily", "sffamily",
    "ttfamily", "ensuremath", "boldmath", "unboldmath", "displaystyle", "nocorr", "xspace", "allowbreak",
})
#: Control symbols (a backslash and one non-letter) and what they are.
_CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", "\n": " ", ",": " ",
    ";": " ", ":": " ", "!": "", "-": "\u00ad", "/": "", "@": "", "\\": "\n", "|": "|",
}
_TOKEN = re.compile(r"\\([A-Za-z]+)\s*|\\(.)|([{}])|(---?)|(``|''|!`|\?`)|(~)|(\$)", re.DOTALL)
#: The end of inline math: the next unescaped dollar.
_MATH_END = re.compile(r"(?<!\\)\$")
_LIGATURES = {"--": "–", "---": "—", "``": "“", "''": "”", "!`": "¡", "?`": "¿"}
#: What sends a value to pylatexenc: environments, display math, "$$".
_HARD = re.compile(r"\\begin\b|\\\[|(?<!\\)\$\$")
#: The end of inline math opened by "\(".
_PAREN_MATH_END = re.compile(r"\\\)")
#: Kept as written, argument included (a note's citations).
_KEPT_WITH_ARGUMENT = frozenset({"cite", "citep", "citet", "citeauthor", "citeyear", "nocite", "ref", "eqref"})


class _Hard(Exception):
    """The fast reader meets something it does not read (pylatexenc will)."""


def _group(s: str, i: int) -> tuple[str, int]:
    """The braced group starting at ``s[i] == "{"``: its raw content and the index after it."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
        j += 1
    raise _Hard("unbalanced braces")


def _accent(s: str, i: int, mark: str) -> tuple[str, int]:
    """The accented argument at ``s[i:]`` (spaces skipped): a letter, ``\\i``/``\\j``, or a group."""
    while i < len(s) and s[i] in " \t\n":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        inner, end = _group(s, i)
        base = _fast(inner) if inner else ""
    elif s[i] == "\\":
        m = re.match(r"\\([A-Za-z]+)\s*", s[i:])
        if not m or m.group(1) not in ("i", "j"):
            raise _Hard("accent on a command")
        base, end = m.group(1), i + m.end()
    else:
        base, end = s[i], i + 1
    if not base:
        return "", end
    if base in ("ı", "ȷ"):
        base = "i" if base == "ı" else "j"
    return unicodedata.normalize("NFC", base[0] + mark + base[1:]), end


def _fast(s: str) -> str:
    out: list[str] = []
    pos = 0
    while True:
        m = _TOKEN.search(s, pos)
        if m is None:
            out.append(s[pos:])
            break
        out.append(s[pos : m.start()])
        pos = m.end()
        word, sym, brace, dash, lig = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
        if word is not None:
            if word in _ACCENTS:
                text, pos = _accent(s, pos, _ACCENTS[word])
                out.append(text)
            elif word in _SYMBOLS:
                text = _SYMBOLS[word]
                out.append(text)
                if s.startswith("{}", pos):
                    pos += 2
                elif len(text) > 1 and pos < len(s) and s[pos - 1].isspace():
                    out.append(" ")  # a logo is a word: "\LaTeX and" keeps its space
            elif word in _KEPT_WITH_ARGUMENT and s.startswith("{", pos):
                inner, pos = _group(s, pos)
                out.append(f"\\{word}{{{inner}}}")
            elif word in _DROPPED:
                pass  # (a following group's braces go like any other's)
            elif s.startswith("{", pos) and not s.startswith("{}", pos):
                pass  # an unknown command with an argument: read as formatting, the argument kept
            else:
                out.append(word)  # no Unicode form and no argument: its name, not nothing
                if s.startswith("{}", pos):
                    pos += 2
                elif pos < len(s) and s[pos - 1].isspace():
                    out.append(" ")  # "\AmSLaTeX paper": the word stays a word
        elif sym is not None:
            if sym in _ACCENTS:
                text, pos = _accent(s, pos, _ACCENTS[sym])
                out.append(text)
            elif sym == "(":  # inline math "\(...\)", kept as written
                end = _PAREN_MATH_END.search(s, pos)
                if end is None:
                    raise _Hard("math never closed")
                out.append(s[m.start() : end.end()])
                pos = end.end()
            elif sym in _CONTROL_SYMBOLS:
                out.append(_CONTROL_SYMBOLS[sym])
            else:
                raise _Hard(f"control symbol \\{sym}")
        elif brace is not None:
            pass
        elif dash is not None:
            out.append(_LIGATURES[dash])
        elif lig is not None:
            out.append(_LIGATURES[lig])
        elif m.group(6) is not None:
            out.append("\u00a0")
        else:  # inline math, kept as written (a lone "$" is a dollar sign)
            end = _MATH_END.search(s, pos)
            if end is None:
                out.append("$")
            else:
                out.append(s[m.start() : end.end()])
                pos = end.end()
    return "".join(out)


@lru_cache(maxsize=1)
def _decoder():  # type: ignore[no-untyped-def]
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db()
    db.add_context_category(
        "refmanager-bibtex",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=text.replace("%", "%%")) for name, text in _SYMBOLS.items()]
        + [MacroTextSpec("url", simplify_repl="%s")],
    )
    return LatexNodes2Text(latex_context=db, keep_braced_groups=False, math_mode="verbatim"), \
        latexwalker.get_default_latex_context_db()


def _pylatexenc(s: str) -> str:
    """All of LaTeX (math kept as written), for the values ``_fast`` does not read."""
    s = re.sub(r"(?<!\\)%", r"\\%", s)  # a bare "%" is text in BibTeX, a comment to LaTeX
    dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", s)]
    if len(dollars) % 2:  # a lone "$" would swallow the rest as math: read it as a dollar sign
        s = s[: dollars[-1]] + "\\" + s[dollars[-1] :]
    decoder, context = _decoder()
    try:
        return decoder.latex_to_text(s, latex_context=context)
    except Exception:  # noqa: BLE001 - pylatexenc raises many kinds; keep the text
        log.debug("cannot decode LaTeX in %r", s, exc_info=True)
        return s.replace("{", "").replace("}", "")


@lru_cache(maxsize=65536)
def to_text(value: str) -> str:
    """A BibTeX value as Unicode text (names and journals repeat: cached)."""
    if not SIGNS.search(value):
        return value
    if not _HARD.search(value):
        try:
            return _fast(value)
        except _Hard:
            pass
    return _pylatexenc(value)
