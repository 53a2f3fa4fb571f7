"""An exclusive lock on an output folder, held by the run that writes into it.

``xhs-nlp score`` takes the lock before it touches the folder, so a second run into the
same ``--out`` is refused with the holder named, and nothing the first run wrote is
deleted. The lock is an ``flock`` on ``FOLDER/.xhs_nlp.lock``: the kernel releases it when
the holding process ends, however it ends (``kill -9`` included), so a lock left by a dead
run is stale by construction and the next run takes it over (and says so). Where ``flock``
does not exist (Windows), the file is created exclusively and a lock whose process is gone
is taken over.

Example:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with FolderLock(d, "demo") as lock:
    ...     try:
    ...         FolderLock(d, "second").acquire()
    ...     except InputError as err:
    ...         print("refused:", "is in use" in str(err))
    refused: True
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["FolderLock", "LOCK_NAME"]

LOCK_NAME = ".xhs_nlp.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderLock:
    """``with FolderLock(folder, "xhs-nlp score"):`` holds the folder for the block.

    Attributes:
        stale: what was recorded by an earlier holder that is gone (its lock was taken
            over), or ``None``.
    """

    def __init__(self, folder: str | os.PathLike[str], what: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.what = what
        self.stale: dict[str, Any] | None = None
        self._fd: int | None = None

    def _holder(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _describe(self, h: dict[str, Any]) -> str:
        if not h:
            return "a process that left no record"
        return (f"{h.get('what', 'a run')} (pid {h.get('pid')} on {h.get('host')}, started "
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(h.get('started', 0)))})")

    def _refuse(self, h: dict[str, Any]) -> InputError:
        return InputError(f"output folder {self.folder} is in use: {self._describe(h)} is writing into it "
                          f"(lock {self.path}); wait for it to finish, or give another --out")

    def acquire(self) -> FolderLock:
        """Take the lock.

        Raises:
            InputError: another live run holds it (the holder is named).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {"what": self.what, "pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        if fcntl is None:  # pragma: no cover
            return self._acquire_exclusive(record)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise self._refuse(self._holder()) from None
            try:  # the file we locked must still be the lock file (not one a releaser unlinked)
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        before = self._holder()
        if before.get("pid") is not None:
            self.stale = before  # its holder is gone, or flock would have refused us
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(record).encode("utf-8"))
        os.fsync(fd)
        self._fd = fd
        return self

    def _acquire_exclusive(self, record: dict[str, Any]) -> FolderLock:  # pragma: no cover - not POSIX
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                h = self._holder()
                if isinstance(h.get("pid"), int) and _alive(h["pid"]) and h.get("host") == socket.gethostname():
                    raise self._refuse(h) from None
                self.stale = h
                self.path.unlink(missing_ok=True)
                continue
            os.write(fd, json.dumps(record).encode("utf-8"))
            self._fd = fd
            return self
        raise self._refuse(self._holder())

    def release(self) -> None:
        """Give the lock up (the lock file is removed)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
