"""Import streaming: where an import's entries come from, and what it reports.

``parse`` parses inputs (here, or in a second process for a large import)
into ``messages``; the store writes them (``store/importing.py``) and fills
a ``report``.
"""

from __future__ import annotations

from .messages import Entries, FileEnded, FileStarted, Message, Rejected
from .parse import BATCH, PARALLEL_MIN_CHARS, input_size, messages, produce, use_child
from .report import FileReport, IdRuns, ImportReport

__all__ = [
    "BATCH", "PARALLEL_MIN_CHARS", "Entries", "FileEnded", "FileReport", "FileStarted", "IdRuns", "ImportReport",
    "Message", "Rejected", "input_size", "messages", "produce", "use_child",
]
