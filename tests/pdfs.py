"""PDFs the tests make themselves: QPdfWriter for real ones (known text on known pages,
a title and authors in the metadata), and hand-written bytes for the broken kinds
(encrypted with RC4 and the password "secret", an unknown security handler, truncated,
not a PDF at all).  QPdfWriter draws text, so it needs a QGuiApplication (pytest-qt's
``qapp``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

TITLE = "Deep Learning for Citation Graphs"
AUTHORS = "Alice Example, Bob Sample"


def _writer(path: Path, title: str, author: str) -> QPdfWriter:
    """A PDF writer of A4 pages without margins, painter units in PDF points, with its document info."""
    w = QPdfWriter(str(path))
    w.setResolution(72)  # (painter units = PDF points)
    w.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                QMarginsF(0, 0, 0, 0)))
    w.setTitle(title)
    w.setAuthor(author)
    w.setCreator("refmanager tests")
    return w


def make_pdf(path: Path, pages: int = 4, texts: Mapping[int, str] | None = None, *, title: str = TITLE,
             author: str = AUTHORS, filler: bool = True) -> Path:
    """A PDF of ``pages`` A4 pages: ``texts[n]`` written on page n (from 1), and on every
    page a line "Page n filler text" (unless ``filler`` is off)."""
    texts = dict(texts or {})
    w = _writer(path, title, author)
    p = QPainter(w)
    font = QFont("DejaVu Serif")
    font.setPointSizeF(11)
    p.setFont(font)
    for n in range(1, pages + 1):
        if n > 1:
            w.newPage()
        if filler:
            p.drawText(QPointF(72, 72), f"Page {n} filler text about nothing much.")
        for i, line in enumerate(texts.get(n, "").splitlines()):
            p.drawText(QPointF(72, 200 + 16 * i), line)
    p.end()
    return path


# ------------------------------------------------------------------ hand-written PDFs
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


def _hex(b: bytes) -> bytes:
    return b"<" + b.hex().upper().encode() + b">"


def _assemble(objs: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """Objects 1..n into a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer_extra, xref)
    return bytes(out)


def _page_objects(content: bytes) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
         b" /Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def plain_pdf(path: Path, text: str = "Plain hello") -> Path:
    """One page, ``text`` in Helvetica: a PDF without QPdfWriter (no QGuiApplication needed)."""
    path.write_bytes(_assemble(_page_objects(b"BT /F1 24 Tf 72 700 Td (" + text.encode("latin-1") + b") Tj ET")))
    return path


def encrypted_pdf(path: Path, user_pw: str = "secret", owner_pw: str = "owner", text: str = "Encrypted hello") -> Path:
    """PDF 1.4 with the Standard security handler, R2 (RC4, 40 bits): opens only with a password."""
    file_id = hashlib.md5(b"refmanager-test-id").digest()
    perms = -44

    def pad(pw: str) -> bytes:
        return (pw.encode("latin-1") + _PAD)[:32]

    owner = _rc4(hashlib.md5(pad(owner_pw)).digest()[:5], pad(user_pw))
    key = hashlib.md5(pad(user_pw) + owner + (perms & 0xFFFFFFFF).to_bytes(4, "little") + file_id).digest()[:5]
    user = _rc4(key, _PAD)

    def objkey(num: int) -> bytes:
        return hashlib.md5(key + num.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]

    objs = _page_objects(_rc4(objkey(4), b"BT /F1 24 Tf 72 700 Td (" + text.encode("latin-1") + b") Tj ET"))
    objs.append(b"<< /Filter /Standard /V 1 /R 2 /O " + _hex(owner) + b" /U " + _hex(user) + b" /P %d >>" % perms)
    path.write_bytes(_assemble(objs, b"/Encrypt 6 0 R /ID [" + _hex(file_id) + _hex(file_id) + b"] "))
    return path


def unsupported_security_pdf(path: Path) -> Path:
    """An /Encrypt dictionary with a security handler nobody knows."""
    objs = _page_objects(b"BT /F1 24 Tf 72 700 Td (x) Tj ET")
    objs.append(b"<< /Filter /FooBarSecurity /V 9 /R 9 >>")
    fid = _hex(b"0123456789abcdef")
    path.write_bytes(_assemble(objs, b"/Encrypt 6 0 R /ID [" + fid + fid + b"] "))
    return path


def truncated_pdf(src: Path, path: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` of a good PDF's bytes (a download cut short)."""
    data = src.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def garbage_pdf(path: Path) -> Path:
    """Named .pdf, but not a PDF at all."""
    path.write_bytes(b"This is not a PDF at all.\n" * 10)
    return path


def paper_pdf(path: Path, title: str = TITLE, authors: str | None = AUTHORS, *, info_title: str = "",
              info_author: str = "", stamp: str | None = None, doi_line: str | None = None,
              header: str | None = None, title_size: float = 20, pages: int = 2,
              body: str = "Body text that says nothing in particular about {n}.") -> Path:
    """A paper's first page as a paper looks (issue 19, a dropped PDF becomes a paper): a small
    ``header`` line at the top, the ``title`` large and centred (wrapped when long), the
    ``authors`` line under it in 12 pt, an affiliation, ``doi_line`` in the body text, arXiv's
    ``stamp`` rotated down the left margin, then body text; ``info_*``: the metadata
    (empty: none).  Later pages hold body text only."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor

    w = _writer(path, info_title, info_author)
    p = QPainter(w)
    serif = QFont("DejaVu Serif")
    for n in range(1, pages + 1):
        if n > 1:
            w.newPage()
        y = 72.0
        if n == 1:
            if header:
                serif.setPointSizeF(9)
                p.setFont(serif)
                p.drawText(QPointF(72, 40), header)
            f = QFont("DejaVu Sans")
            f.setPointSizeF(title_size)
            f.setBold(True)
            p.setFont(f)
            box = p.boundingRect(QRectF(60, 80, 475, 200), Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                                 title)
            p.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, title)
            y = box.bottom() + 12
            f.setPointSizeF(12)
            f.setBold(False)
            p.setFont(f)
            if authors:
                p.drawText(QRectF(60, y, 475, 20), Qt.AlignmentFlag.AlignHCenter, authors)
                y += 18
            f.setPointSizeF(10)
            p.setFont(f)
            p.drawText(QRectF(60, y, 475, 20), Qt.AlignmentFlag.AlignHCenter, "Department of Examples, University of Tests")
            y += 40
            if stamp:
                p.save()
                p.translate(QPointF(24, 640))
                p.rotate(-90)
                sf = QFont("DejaVu Sans")
                sf.setPointSizeF(14)
                p.setFont(sf)
                p.setPen(QColor("gray"))
                p.drawText(QPointF(0, 0), stamp)
                p.restore()
                p.setPen(QColor("black"))
        serif.setPointSizeF(10)
        p.setFont(serif)
        if n == 1 and doi_line:
            p.drawText(QPointF(72, y), doi_line)
            y += 20
        while y < 780:
            p.drawText(QPointF(72, y), body.format(n=f"page {n}, line {int(y)}"))
            y += 14
    p.end()
    return path
