"""CSL-JSON values through citeproc-py as data, and the output formats.

citeproc-py's HTML formatter escapes the style's own words but not an item's values, and
its case rules and punctuation would change any escaping done beforehand.  So each value's
``& < >`` (and Markdown's specials) go through the processor as private-use characters,
the CSL rich text of titles (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps) as
private-use markers, ``<span class="nocase">`` as citeproc-py reads it; ``finish`` turns
them into the format's escapes and markup.  Markdown is a formatter of our own.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from typing import Any

from ..export import CSL_MARKUP

FORMATS = ("text", "html", "markdown")

# Private-use characters: what the processor must not read or change (case, markup).
_PUA = 0xF0000  # plane 15: no text the library holds uses it (such characters become U+FFFD)
#: characters of user text that mean something in HTML or Markdown
_SPECIALS = "&<>\\`*_[]~"
_SPECIAL_CODE = {c: chr(_PUA + i) for i, c in enumerate(_SPECIALS)}
_PLAIN = {v: k for k, v in _SPECIAL_CODE.items()}
_MARKUP = ("i", "b", "sup", "sub", "sc")
_OPEN = {m: chr(_PUA + 0x100 + 2 * i) for i, m in enumerate(_MARKUP)}
_CLOSE = {m: chr(_PUA + 0x101 + 2 * i) for i, m in enumerate(_MARKUP)}
#: the literal name ``others`` (a list the listing cut: BibTeX's "and others") becomes "et al."
ET_AL = chr(_PUA + 0x200)
_OWN = re.compile("[\U000f0000-\U000fffff]")
_MARKER = re.compile("[" + "".join(_OPEN.values()) + "".join(_CLOSE.values()) + "]")
_EMPTY = re.compile("|".join(_OPEN[m] + _CLOSE[m] for m in _MARKUP))
#: Markdown: what a backslash keeps literal ("&" only before an entity's name, ">" only
#: at the start of a line, where it would begin a quote)
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<~]|&(?=#?[A-Za-z0-9]+;)")
_MD_CODES = re.compile("[" + "".join(_SPECIAL_CODE.values()) + "]")
_MD_AMP_ENTITY = re.compile(_SPECIAL_CODE["&"] + "(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = re.compile(r"^([#>+=-])")

_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_MARKUP = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"),
                "sub": ("<sub>", "</sub>"), "sc": ('<span style="font-variant:small-caps;">', "</span>")}
_MD_MARKUP = {"i": ("*", "*"), "b": ("**", "**"), "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
              "sc": ("", "")}
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")


def _protect(text: str) -> str:
    return "".join(_SPECIAL_CODE.get(c, c) for c in _OWN.sub("\ufffd", text))


def _rich(text: str) -> str:
    """CSL rich text for the processor: markup as markers (balanced), ``nocase`` spans as
    citeproc-py reads them, everything else protected text."""
    out: list[str] = []
    stack: list[str] = []  # open markup; "span" a span that marks nothing, "nocase" a nocase span
    pos = 0
    for m in CSL_MARKUP.finditer(text):
        out.append(_protect(text[pos : m.start()]))
        pos = m.end()
        tag = m.group(0)
        name = re.match(r"</?([a-z]+)", tag).group(1)  # type: ignore[union-attr]
        if tag.startswith("</"):
            want = name if name != "span" else None
            for j in range(len(stack) - 1, -1, -1):
                if stack[j] == want or (want is None and stack[j] in ("span", "nocase", "sc")):
                    for k in reversed(stack[j:]):
                        out.append(_end(k, stack))
                    del stack[j:]
                    break
            continue
        if name == "span":
            kind = ("nocase" if "nocase" in tag and "nocase" not in stack else
                    "sc" if "small-caps" in tag else "span")
        else:
            kind = name
        stack.append(kind)
        out.append('<span class="nocase">' if kind == "nocase" else _OPEN.get(kind, ""))
    out.append(_protect(text[pos:]))
    for k in reversed(stack):
        out.append(_end(k, stack))
    return "".join(out)


def _end(kind: str, stack: list[str]) -> str:
    return "</span>" if kind == "nocase" else _CLOSE.get(kind, "")


#: not for a reference list: the user's own notes and tags (a few styles print "note"), the abstract
_LEFT_OUT = frozenset({"note", "annote", "keyword", "abstract"})


def prepare(item: dict[str, Any], key: str) -> dict[str, Any]:
    """One CSL-JSON item as citeproc-py reads it, without a warning: the variables it
    knows, names and dates it can take, every text protected."""
    from citeproc import DATES, NAMES, VARIABLES

    out: dict[str, Any] = {"id": key, "type": str(item.get("type") or "article")}
    for k, v in item.items():
        var = k.replace("-", "_")
        if k in ("id", "type") or k in _LEFT_OUT or var not in VARIABLES or v is None or v == "":
            continue
        if var in NAMES:
            names = _names(v)
            if names:
                out[k] = names
        elif var in DATES:
            date = _date(v)
            if date:
                out[k] = date
        elif k == "language":
            out[k] = str(v)
        elif isinstance(v, (str, int, float)):
            out[k] = _rich(str(v)) if isinstance(v, str) and "<" in v else _protect(str(v))
    return out


def _names(value: Any) -> list[dict[str, str]]:
    names = []
    for n in value if isinstance(value, list) else []:
        if not isinstance(n, dict):
            continue
        if n.get("literal"):
            lit = str(n["literal"])
            names.append({"literal": ET_AL if lit == "others" else _protect(lit)})
            continue
        parts = {p: _protect(str(n[p])) for p in ("family", "given", "dropping-particle",
                                                 "non-dropping-particle", "suffix") if n.get(p)}
        if parts:
            names.append(parts)
    return names


def _date(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    dates = []
    for parts in value.get("date-parts") or []:
        nums = []
        for x in parts if isinstance(parts, list) else []:
            if not str(x).strip().lstrip("-").isdigit():
                break
            nums.append(int(x))
        if nums:
            dates.append(nums[:3])
    if dates:
        out: dict[str, Any] = {"date-parts": dates[:2]}
        if value.get("season"):
            out["season"] = value["season"]
        return out
    if value.get("literal"):
        return {"literal": _protect(str(value["literal"]))}
    return None


def finish(text: str, fmt: str, et_al: tuple[re.Pattern[str], str]) -> str:
    """The processor's output in ``fmt``: "et al.", markup balanced, user text escaped."""
    pattern, term = et_al
    text = pattern.sub(lambda m: " " + term + ("." if m.group("dot") and not term.endswith(".") else ""), text)
    if ET_AL in text:
        text = text.replace(ET_AL, term)
    while _EMPTY.search(text):  # (such as the "<i></i>" that keeps a literal "<b>" literal)
        text = _EMPTY.sub("", text)
    markup = {"html": _HTML_MARKUP, "markdown": _MD_MARKUP}.get(fmt)
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        c = m.group(0)
        kind = next((k for k, v in _OPEN.items() if v == c), None)
        if kind is not None:
            stack.append(kind)
            out.append(markup[kind][0] if markup else "")
        else:
            kind = next(k for k, v in _CLOSE.items() if v == c)
            if kind in stack:
                while stack:
                    k = stack.pop()
                    out.append(markup[k][1] if markup else "")
                    if k == kind:
                        break
    out.append(text[pos:])
    out.extend(markup[k][1] if markup else "" for k in reversed(stack))
    text = "".join(out)
    if fmt == "html":
        text = _BARE_AMP.sub("&amp;", text)  # (a style's own affixes are not escaped either)
    if fmt == "markdown":
        text = _MD_LINE_START.sub(r"\\\1", _MD_AMP_ENTITY.sub("\\\\&", text))
        return _MD_CODES.sub(lambda m: md_escape(_PLAIN[m.group(0)]), text)
    for c, code in _SPECIAL_CODE.items():
        if code in text:
            text = text.replace(code, _HTML_SPECIAL.get(c, c) if fmt == "html" else c)
    return text


# ------------------------------------------------------------------ formatters
def md_escape(text: Any) -> str:
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), str(text))


def _md_wrap(mark: str) -> Callable[[Any], str]:
    def wrap(text: Any) -> str:
        s = str(text)
        core = s.strip()
        if not core:
            return s
        lead, trail = s[: len(s) - len(s.lstrip())], s[len(s.rstrip()) :]
        return f"{lead}{mark}{core}{mark}{trail}"
    return wrap


def _md_tag(tag: str) -> Callable[[Any], str]:
    return lambda text: f"<{tag}>{text}</{tag}>"


_MARKDOWN = types.SimpleNamespace(
    preformat=md_escape, Italic=_md_wrap("*"), Oblique=_md_wrap("*"), Bold=_md_wrap("**"), Light=str,
    Underline=str, Superscript=_md_tag("sup"), Subscript=_md_tag("sub"), SmallCaps=str,
)


def formatter(fmt: str) -> Any:
    from citeproc import formatter

    if fmt == "html":
        return formatter.html
    if fmt == "markdown":
        return _MARKDOWN
    if fmt == "text":
        return formatter.plain
    raise ValueError(f"no citation format {fmt!r} (one of {', '.join(FORMATS)})")
