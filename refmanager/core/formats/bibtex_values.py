"""BibTeX values: ``{..}``, ``".."``, numbers and ``@string`` macros joined by ``#``,
resolved as BibTeX does, within limits (``bibtex.py`` reads the blocks).

A macro may use the macros before it, so ``@string{s1 = s0 # s0}`` repeated 40 times
in a 1.5 KB file would need a terabyte: what values take from macros is bounded,
per value and per file (docs/reliability.md).
"""

from __future__ import annotations

import logging

log = logging.getLogger("refmanager.core.formats.bibtex")

#: The characters one value may take from macros: past it the macro (or the entry using
#: it) is skipped, with its line.  What a value holds as written is not counted: the
#: file's own size bounds it.
MAX_VALUE_CHARS = 1_000_000
#: The characters all the values of a file may take from macros, on top of the file's
#: own size (a few hundred ``@string{t = s19 # s18}``, or entries using ``s19 # s18``,
#: each under the limit above, would turn 20 KB into gigabytes): past it the same.
MAX_EXPANSION_CHARS = 10_000_000


class TooLong(Exception):
    """A value would take too much from macros; ``in_all``: past the file's budget
    (``MAX_EXPANSION_CHARS`` + its size) rather than ``MAX_VALUE_CHARS``."""

    def __init__(self, in_all: bool) -> None:
        super().__init__()
        self.in_all = in_all


def scan_value(raw: str, macros: dict[str, str], refused: dict[str, bool] | None = None,
               budget: int | None = None) -> tuple[str, int]:
    """Resolve one raw field value: ``{..}``, ``".."``, numbers, macros, joined by ``#``;
    and the characters taken from macros.  Raises ``TooLong`` as soon as they would pass
    ``MAX_VALUE_CHARS`` (or ``budget``: what is left of the file's), or the value uses a
    macro refused for being too long (``refused``): nothing that large is ever built."""
    if "#" not in raw and len(raw) >= 2 and raw[0] + raw[-1] in ("{}", '""'):
        return raw[1:-1], 0  # the common case, one delimited value: no need to walk it
    parts: list[str] = []
    taken = 0
    i, n = 0, len(raw)
    while i < n:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            break
        c = raw[i]
        if c == "%":  # a comment between values (biber reads them): to the end of its line
            end = raw.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "{\"":
            depth = 0
            j = i + 1 if c == '"' else i
            while j < n:
                ch = raw[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if c == "{" and depth == 0:
                        break
                elif ch == '"' and c == '"' and depth == 0:
                    break
                j += 1
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and raw[j] != "#" and not raw[j].isspace():
                j += 1
            word = raw[i:j]
            name = word.lower()
            if word.isdigit():
                parts.append(word)
            elif name in macros:
                value = macros[name]
                taken += len(value)
                if taken > MAX_VALUE_CHARS:
                    raise TooLong(False)
                if budget is not None and taken > budget:
                    raise TooLong(True)
                parts.append(value)
            elif refused and name in refused:
                raise TooLong(refused[name])
            else:
                log.debug("undefined @string macro %r kept as text", word)
                parts.append(word)
            i = j
        while i < n and raw[i].isspace():
            i += 1
        if i < n and raw[i] == "#":
            i += 1
    return "".join(parts), taken
