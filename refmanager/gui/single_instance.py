"""One app per library: a second start activates the first window instead.

The first instance listens on a local socket named after the library path;
a second instance that can connect sends "activate" and exits, so two
windows never write the same library.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

TIMEOUT_MS = 1000


def server_name(library: Path) -> str:
    key = hashlib.sha1(str(Path(library).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"refmanager-{os.getuid() if hasattr(os, 'getuid') else 'u'}-{key}"


def try_activate_existing(library: Path) -> bool:
    """True when another instance has this library open (and was asked to come forward)."""
    sock = QLocalSocket()
    sock.connectToServer(server_name(library))
    if not sock.waitForConnected(TIMEOUT_MS):
        return False
    sock.write(b"activate\n")
    sock.flush()
    sock.waitForBytesWritten(TIMEOUT_MS)
    sock.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later instances and calls ``on_activate`` when one starts."""

    def __init__(self, library: Path, on_activate: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_activate = on_activate
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = server_name(library)
        if not self.server.listen(name):
            # a stale socket from a crashed instance: remove it and try again
            QLocalServer.removeServer(name)
            if not self.server.listen(name):
                log.warning("single-instance server not available: %s", self.server.errorString())
        self.server.newConnection.connect(self._connection)

    def _connection(self) -> None:
        sock = self.server.nextPendingConnection()
        if sock is None:
            return
        sock.readyRead.connect(lambda: self._read(sock))
        if sock.bytesAvailable():
            self._read(sock)

    def _read(self, sock: QLocalSocket) -> None:
        data = bytes(sock.readAll().data())
        if b"activate" in data:
            self.on_activate()
        sock.disconnectFromServer()
