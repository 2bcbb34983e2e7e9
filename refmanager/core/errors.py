"""Errors a user can cause, each naming the file and line."""

from __future__ import annotations


class RefManagerError(Exception):
    """Base of every error shown to the user as one line, never a traceback."""


class ParseError(RefManagerError):
    """A file cannot be read as any supported format, or is malformed."""

    def __init__(self, message: str, *, line: int | None = None, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class PaperGone(RefManagerError):
    """A paper asked for is not in the library (any more): merged or deleted, perhaps by
    another program.  The app says so and shows the library as it is now."""


class HistoryMoved(RefManagerError):
    """Undo or redo was asked for an action that is no longer the newest (another program
    acted meanwhile): nothing was done; the app shows the history as it is now."""


class LibraryError(RefManagerError):
    """The library file cannot be used (locked, corrupt, newer version...)."""


class LibraryFileGone(LibraryError):
    """The library file was deleted or replaced while it was open: nothing more is written
    to it (what this process holds can still be saved to a new file, ``Library.save_copy``)."""


class ImportCancelled(RefManagerError):
    """The user cancelled an import; the transaction was rolled back."""


class ValidationError(RefManagerError):
    """A value typed by the user is not acceptable for a field (shown next to that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DiskFull(LibraryError):
    """The disk holding the library (or its backups) is full: nothing was changed."""
