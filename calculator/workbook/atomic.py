"""The one way we replace a file: write a temporary file in the same folder, flush it to disk,
then rename it over the target, so a crash or a full disk leaves the old file or the new one,
never half of either. Used for store workbooks, the summary and the templates."""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

#: Every temporary file we create starts with this (so a killed run's leftovers are ours to
#: clean up, and never mistaken for a user's workbook).
TEMP_PREFIX = ".~aeroi-tmp-"


@contextlib.contextmanager
def atomic_replace(dest: str | os.PathLike, *, mode: int | None = None,
                   before_replace: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """``with atomic_replace(path) as temp:`` write the whole new file to ``temp``; when the
    block ends without an exception it is fsynced, given ``mode`` (default: the mode of the
    file it replaces, or 0o644 for a new one), ``before_replace(temp)`` is called (a last check
    may raise to abandon the write), and it is renamed over ``dest`` and the folder fsynced. On
    any exception the temporary file is removed and ``dest`` is untouched."""
    dest = Path(dest)
    folder = dest.parent
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=dest.suffix, dir=folder)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
        if mode is None:
            try:
                mode = stat.S_IMODE(os.stat(dest).st_mode)
            except OSError:
                mode = 0o644
        os.chmod(temp, mode)
        if before_replace is not None:
            before_replace(temp)
        os.replace(temp, dest)
    except BaseException:
        try:
            temp.unlink()
        except OSError:
            pass
        raise
    fsync_folder(folder)


def fsync_folder(folder: str | os.PathLike) -> None:
    """Make a rename in ``folder`` durable (best effort: not every system can open a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def cleanup_stale_temps(folder: str | os.PathLike, older_than_seconds: float = 0) -> list[Path]:
    """Remove temporary files left by a run that was killed mid-write (they are never a
    workbook the user made: the name starts with TEMP_PREFIX). Returns what was removed."""
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    now = time.time()
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(TEMP_PREFIX):
                continue
            path = Path(root) / name
            try:
                if now - path.stat().st_mtime >= older_than_seconds:
                    path.unlink()
                    removed.append(path)
            except OSError:
                pass
    return removed
