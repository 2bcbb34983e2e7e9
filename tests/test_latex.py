"""LaTeX in BibTeX values (formats/latex.py): the one-pass reader gives pylatexenc's text
on the part of LaTeX .bib files use, and differs where it means to (hand-written cases)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refmanager.core.formats.latex import _fast, _pylatexenc, to_text

from .conftest import examples

BY_HAND = [
    (r'{\"u}ber M\"{u}ller \"uber', "über Müller über"),
    (r"\'{e}t\'e \c{c}a \c c \v{s} \v s \H{o} \k{a} \r{a} \u{g} \={a} \.{z} \~n \^o \`a", "été ça ç š š ő ą å ğ ā ż ñ ô à"),
    # (a command word eats the spaces after it, as in TeX: "\aa \AE" is "åÆ")
    (r"\ss{} x \ss x \o{} {\o} \aa \AE{} \oe{} \L{}ukasz \i{} \j", "ß x ßx ø ø åÆ œ Łukasz ı ȷ"),
    (r'\"{\i} \'\i{} \v{\i}', "ï í ǐ"),
    (r"a~b 1--10 a---b ``q'' !`a ?`b", "a\u00a0b 1–10 a—b “q” ¡a ¿b"),
    (r"{BERT}: {{Pre}}-training \& 50\% \# \_ \{x\}", "BERT: Pre-training & 50% # _ {x}"),
    (r"\emph{a} \textit{b} {\em c} \textbf{d} {\sc e} \mbox{f g} \url{http://x.org/a_b}", "a b c d e f g http://x.org/a_b"),
    (r"$x^2$ and $\alpha_{1}$ for 5$", r"$x^2$ and $\alpha_{1}$ for 5$"),
    (r"filter and {\(\Sigma\)}{\(\Delta\)} radix-2\({}^{\mbox{k}}\)", r"filter and \(\Sigma\)\(\Delta\) radix-2\({}^{\mbox{k}}\)"),
    # meant differences from pylatexenc: no Unicode form -> the name; \cite kept
    (r"The \AmSLaTeX{} package", "The AmS-LaTeX package"),
    (r"Typesetting with \LaTeX and \TeX", "Typesetting with LaTeX and TeX"),
    (r"A \TUB{} article on \ConTeXt", "A TUGboat article on ConTeXt"),
    (r"An \unknownlogo paper", "An unknownlogo paper"),
    (r"see \cite{knuth:ct} and \citep{a,b}", r"see \cite{knuth:ct} and \citep{a,b}"),
    (r"\noopsort{1973}x", "1973x"),
    ("plain text, no LaTeX", "plain text, no LaTeX"),
]


@pytest.mark.parametrize("value,text", BY_HAND)
def test_by_hand(value: str, text: str) -> None:
    assert to_text(value) == text


def test_environments_and_display_math_go_to_pylatexenc() -> None:
    assert to_text(r"\begin{itemize}\item one\end{itemize}") == _pylatexenc(r"\begin{itemize}\item one\end{itemize}")
    assert to_text(r"a \[x\] b") == _pylatexenc(r"a \[x\] b")


#: Pieces of the LaTeX .bib files hold, on which both readers agree.
PIECES = st.sampled_from([
    "a", "Z", " ", "word", "Müller", ",", ".", ":", "-", "--", "---", "~", "``", "''", "(", ")", "1", "42",
    "{", "}", "{B}", "{BERT}", r"\"u", r'\"{u}', r"\'e", r"\'{E}", r"\`a", r"\^o", r"\~n", r"\=a", r"\.z",
    r"\c{c}", r"\v{s}", r"\u{g}", r"\H{o}", r"\k{a}", r"\r{a}", r"\ss{}", r"\o{}", r"\O{}", r"\ae{}", r"\AA{}",
    r"\l{}", r"\L{}", r"\i{}", r"\&", r"\%", r"\#", r"\_", r"\{", r"\}", r"\emph{x}", r"\textbf{y}",
    r"\textit{z}", "{\\em w}", r"$x$", r"$\alpha$", r"\(x\)", r"\({}^{2}\)",
])


def balanced(s: str) -> bool:
    depth = 0
    for i, c in enumerate(s):
        if c in "{}" and i and s[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join).filter(balanced))
def test_the_fast_reader_gives_pylatexencs_text(value: str) -> None:
    assert _fast(value) == _pylatexenc(value)
