"""One app per library: a second start brings the first window forward instead.

A library goes by two keys: its path (resolved), and, once the file exists, the
file's identity (device and inode), so that the same file reached through a hard
link is the same library.  The app that has a library open holds an exclusive
lock (``flock``) on a lock file named after each key, in the user's runtime folder
(``$XDG_RUNTIME_DIR/refmanager``, else ``<tmp>/refmanager-<uid>``, mode 0700), and
listens on a local socket named after each.

A start first tries to take those locks, without waiting.  The one that gets
them is the library's app; one that cannot connects to the socket named after the
key it could not lock, sends ``activate`` and exits.  Two starts at the same
moment cannot both win (before, both looked for a socket, found none, and both
opened a window): the loser retries its connection until the winner listens, and
takes over should the winner end meanwhile.  The kernel drops the locks when a
process ends, however it ends, so a crash leaves nothing that blocks the next
start.  Where locks cannot be taken (no ``fcntl``, no private folder), a start
falls back to looking for a socket only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

TIMEOUT_MS = 1000
#: How long a start that lost the lock keeps trying to reach the winner (a safety limit:
#: the winner listens as soon as it has the lock, before it opens the library).
HANDOVER_WAIT_S = 10.0


def _uid() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else "u"


def library_keys(library: Path) -> list[str]:
    """The keys a library goes by: its resolved path, and its file's identity when it exists."""
    p = Path(library).absolute()
    try:
        p = p.resolve()
    except OSError:
        pass
    keys = ["path-" + hashlib.sha1(str(p).encode("utf-8", "surrogateescape")).hexdigest()[:16]]
    try:
        st = os.stat(p)
    except OSError:
        return keys
    if stat.S_ISREG(st.st_mode):
        keys.append(f"file-{st.st_dev:x}-{st.st_ino:x}")
    return keys


def server_name(key: str) -> str:
    """The local socket of the app that holds ``key``."""
    return f"refmanager-{_uid()}-{hashlib.sha1(key.encode()).hexdigest()[:16]}"


def lock_folder() -> Path:
    """The user's private folder for the lock files (made if missing); OSError if it is not private."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        folder = Path(runtime) / "refmanager"
    else:
        folder = Path(tempfile.gettempdir()) / f"refmanager-{_uid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o077:
        raise OSError(f"{folder} is not a folder of this user's alone")
    return folder


def activate_server(name: str) -> bool:
    """Ask the app listening on ``name`` to come forward; False when none answers."""
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(TIMEOUT_MS):
        return False
    sock.write(b"activate\n")
    sock.flush()
    sock.waitForBytesWritten(TIMEOUT_MS)
    sock.disconnectFromServer()
    return True


def try_activate_existing(library: Path) -> bool:
    """True when another instance has this library open (and was asked to come forward)."""
    return any(activate_server(server_name(key)) for key in reversed(library_keys(library)))


class InstanceLock:
    """The locks that make this process the app of its library (held until released or the
    process ends)."""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}  # key -> the locked file's descriptor
        self.folder: Path | None = None
        self.available = fcntl is not None
        if self.available:
            try:
                self.folder = lock_folder()
            except OSError as e:
                log.warning("single-instance locks not available: %s", e)
                self.available = False

    @property
    def keys(self) -> list[str]:
        return list(self.held)

    def claim(self, library: Path) -> str | None:
        """Lock every key of ``library`` not held yet.  None: they are all this process's now;
        else the key another process holds (and no lock is kept from this call)."""
        if not self.available or self.folder is None:
            return None
        taken: list[str] = []
        for key in library_keys(library):
            if key in self.held:
                continue
            fd = os.open(self.folder / f"{key}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                for k in taken:
                    self._release(k)
                return key
            self.held[key] = fd
            taken.append(key)
        return None

    def keep_only(self, library: Path) -> None:
        """Release the locks of keys ``library`` does not go by (another library was opened)."""
        wanted = set(library_keys(library))
        for key in [k for k in self.held if k not in wanted]:
            self._release(key)

    def _release(self, key: str) -> None:
        fd = self.held.pop(key)
        try:
            os.close(fd)  # closing the only descriptor drops the lock
        except OSError:
            pass

    def release(self) -> None:
        for key in list(self.held):
            self._release(key)


def claim_or_hand_over(lock: InstanceLock, library: Path, wait_s: float = HANDOVER_WAIT_S) -> bool | None:
    """True: this process is the app of ``library`` now.  False: another instance has it open
    and was asked to come forward.  None: another instance holds it but did not answer
    within ``wait_s`` seconds."""
    if not lock.available:
        return not try_activate_existing(library)
    deadline = time.monotonic() + wait_s
    while True:
        key = lock.claim(library)
        if key is None:
            return True
        if activate_server(server_name(key)):
            return False
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)  # the winner of a start at the same moment is not listening yet


class InstanceServer(QObject):
    """Listens for later instances (on the sockets of the keys given to ``listen``) and calls
    ``on_activate`` when one starts."""

    def __init__(self, on_activate: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_activate = on_activate
        self.servers: dict[str, QLocalServer] = {}

    def listen(self, keys: Iterable[str]) -> None:
        """Listen on exactly these keys' sockets (call it holding their locks: a socket left
        by an instance that crashed is then removed)."""
        names = {server_name(k) for k in keys}
        for name in [n for n in self.servers if n not in names]:
            self.servers.pop(name).close()
        for name in sorted(names - set(self.servers)):
            server = QLocalServer(self)
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if not server.listen(name):
                QLocalServer.removeServer(name)
                if not server.listen(name):
                    log.warning("single-instance server not available: %s", server.errorString())
                    continue
            server.newConnection.connect(lambda s=server: self._connection(s))
            self.servers[name] = server

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def _connection(self, server: QLocalServer) -> None:
        sock = server.nextPendingConnection()
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
