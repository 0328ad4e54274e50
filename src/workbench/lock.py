"""One render per case and period at a time, and no leftovers of killed renders.

A render writes into a hidden scratch folder beside its target
(``reports/<case>/.<period>.rendering-XXXX/``) and renames it into place at the end. Two
renders of the same case and period at once would race for that rename, so
:func:`render_lock` takes an exclusive lock on ``reports/.locks/<case>.<period>.lock``
first: the second render refuses with a message naming the process that holds the
lock, or waits for it (``wait``). The lock is an ``flock`` on an open file, so the operating
system releases it when its process ends in any way, a ``kill -9`` included; the file
itself stays (deleting it would let a third render lock a different file).

A killed render cannot clean up after itself. :func:`clean_stale_scratch` removes the
scratch folders (``.<period>.rendering-*``) and half-swapped old folders
(``.<period>.replaced-*``) of every period whose lock nobody holds; a render calls it
once it holds its own lock. ``<period>.failed/`` folders are evidence, not scratch, and
stay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["RenderLockedError", "clean_stale_scratch", "render_lock"]

_LEFTOVER = re.compile(r"^\.(?P<period>.+?)\.(rendering|replaced)-.+$")


class RenderLockedError(RuntimeError):
    """Another process is rendering the same case and period."""


def _lock_path(folder: Path) -> Path:
    """``reports/.locks/<case>.<period>.lock`` for ``reports/<case>/<period>``."""
    locks = folder.parent.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    return locks / f"{folder.parent.name}.{folder.name}.lock"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return (f"process {info.get('pid')} on {info.get('host')} (started {info.get('started')}, "
            f"command: {info.get('command')})")


@contextlib.contextmanager
def render_lock(folder: str | Path, *, wait: float = 0, poll: float = 0.5) -> Iterator[Path]:
    """Hold the exclusive render lock of one report folder.

    Parameters
    ----------
    folder : path-like
        The report folder, ``reports/<case>/<period>``; its parent is created if needed.
        The lock file is ``reports/.locks/<case>.<period>.lock``.
    wait : float
        Seconds to wait for another render to finish; 0 (the default) refuses at once,
        ``math.inf`` waits as long as it takes.
    poll : float
        Seconds between attempts while waiting.

    Yields
    ------
    pathlib.Path
        The lock file, which records the holder's process id, host, start time and
        command for the message another render gets.

    Raises
    ------
    RenderLockedError
        The lock is held by another render (after ``wait`` seconds when waiting); the
        message names the holder and what to do.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(folder)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g} s" if wait else ""
                raise RenderLockedError(
                    f"{folder.parent.name} {folder.name} is being rendered by {_holder(path)}"
                    f"{waited}; wait until it has finished (or pass --wait to queue behind it). "
                    f"A render that was killed holds no lock: the lock file {path.name} can stay")
            time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(os.sys.argv)[:300]}).encode())
        os.fsync(fd)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def clean_stale_scratch(case_folder: str | Path, *, held: str | None = None) -> list[Path]:
    """Remove what killed renders left in a case's report folder.

    Parameters
    ----------
    case_folder : path-like
        ``reports/<case>/``.
    held : str, optional
        A period whose lock the caller holds: its leftovers are stale by definition
        (they cannot belong to a live render). The leftovers of other periods are
        removed only when their lock can be taken, i.e. no render of them is running.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    case_folder = Path(case_folder)
    if not case_folder.is_dir():
        return []
    removed = []
    for entry in sorted(case_folder.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if not match or not entry.is_dir():
            continue
        period = match["period"]
        if period == held:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
            continue
        with contextlib.suppress(RenderLockedError), render_lock(case_folder / period):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
