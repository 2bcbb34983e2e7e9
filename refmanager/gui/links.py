"""The one place that opens URLs.  Tests patch ``open_url`` (or QDesktopServices)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from ..core.links import is_allowed

log = logging.getLogger(__name__)


def open_url(url: str) -> bool:
    """Open an https URL on an allowed host in the browser; refuse and log anything else."""
    if not is_allowed(url):
        log.warning("refused to open %r: not an https URL on an allowed host", url)
        return False
    return bool(QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode)))


def open_local_file(path: str, lib: object) -> bool:
    """Open an attached file, only from the library's attachments or a path the user attached."""
    allowed = getattr(lib, "attachment_path_allowed", None)
    if allowed is None or not allowed(path):
        log.warning("refused to open %r: not an attachment of this library", path)
        return False
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))
