"""The one way we replace a file: write a temporary file in the same folder, flush it to disk,
then rename it over the target, so a crash or a full disk leaves the old file or the new one,
never half of either. Used for store workbooks, the summary and the templates.

Compare-and-swap: a writer that read the file first passes the :class:`FileStamp` of what it
read; just before the rename the path must still hold exactly those bytes, or nothing is
replaced (another program saved it meanwhile: its save is never lost).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from calculator.errors import Kind, WorkbookError

#: Every temporary file we create starts with this (so a killed run's leftovers are ours to
#: clean up, and never mistaken for a user's workbook). The rest of the name says which machine
#: and process made it: ``.~aeroi-tmp-<host>-<pid>-<random><suffix>``.
TEMP_PREFIX = ".~aeroi-tmp-"
#: A temporary file whose process cannot be checked (another machine, an old name) is only
#: removed when older than this.
STALE_AFTER_SECONDS = 3600
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(?P<host>[A-Za-z0-9_.]+)-(?P<pid>\d+)-")

#: Called with the destination just before the final comparison and rename (tests use it to
#: play "another program saves the file now", deterministically). Empty in normal use.
BEFORE_COMPARE_HOOKS: list[Callable[[Path], None]] = []

#: Inside :func:`folder_syncs_at_end`: the folders renamed into, flushed when it ends.
_folders_to_sync: set[str] | None = None


class ChangedOnDisk(WorkbookError):
    """The file is no longer what was read: another program saved it during the run."""
    kind = Kind.CHANGED


@dataclass(frozen=True)
class FileStamp:
    """What a file was when read: identity (device, inode), size, modification time and a hash
    of its bytes. Two stamps are equal only when the same bytes sit in the same file."""
    device: int
    inode: int
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of_fd(cls, fd: int) -> "FileStamp":
        """The stamp of an open file (read with pread: the file's position is not moved)."""
        info = os.fstat(fd)
        digest = hashlib.sha256()
        offset = 0
        while True:
            chunk = os.pread(fd, 1 << 20, offset)
            if not chunk:
                break
            digest.update(chunk)
            offset += len(chunk)
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, digest.hexdigest())

    def describes(self, info: os.stat_result) -> bool:
        """Whether ``info`` (a stat) is of the file this stamp was taken of, unchanged since:
        same file, size and modification time (the bytes are compared just before a
        replace)."""
        return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) == \
            (self.device, self.inode, self.size, self.mtime_ns)

    @classmethod
    def of_path(cls, path: str | os.PathLike) -> "FileStamp | None":
        """The stamp of what ``path`` holds now (None when it is gone)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            return cls.of_fd(fd)
        finally:
            os.close(fd)


def _temp_prefix() -> str:
    host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"
    return f"{TEMP_PREFIX}{host}-{os.getpid()}-"


def write_target(dest: str | os.PathLike) -> Path:
    """Where a write to ``dest`` lands: ``dest`` itself, or for a symbolic link the file it
    points to (replacing the link by a copy would leave its target stale; see
    docs/reliability.md)."""
    dest = Path(dest)
    return Path(os.path.realpath(dest)) if dest.is_symlink() else dest


@contextlib.contextmanager
def atomic_replace(dest: str | os.PathLike, *, mode: int | None = None,
                   before_replace: Callable[[Path], None] | None = None,
                   expected: FileStamp | None = None, label: str | None = None
                   ) -> Iterator[Path]:
    """``with atomic_replace(path) as temp:`` write the whole new file to ``temp``; when the
    block ends without an exception it is fsynced, given ``mode`` (default: the mode of the
    file it replaces, or 0o644 for a new one) and the owner and group of the file it replaces,
    ``before_replace(temp)`` is called (a last check may raise to abandon the write), the
    destination is compared with ``expected`` (ChangedOnDisk when another program changed it),
    and the temp is renamed over it and the folder fsynced (at the end of
    :func:`folder_syncs_at_end` when inside one). A symbolic link is written through
    (its target is replaced). On any exception the temporary file is removed and the
    destination is untouched."""
    dest = write_target(dest)
    folder = dest.parent
    handle, name = tempfile.mkstemp(prefix=_temp_prefix(), suffix=dest.suffix, dir=folder)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
        try:
            old = os.stat(dest)
        except OSError:
            old = None
        if mode is None:
            mode = stat.S_IMODE(old.st_mode) if old is not None else 0o644
        if old is not None and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            # keep who owns the file (a run as root must not take a user's workbook from them)
            with contextlib.suppress(OSError):
                os.chown(temp, old.st_uid, old.st_gid)
        os.chmod(temp, mode)
        if before_replace is not None:
            before_replace(temp)
        for hook in BEFORE_COMPARE_HOOKS:
            hook(dest)
        if expected is not None and FileStamp.of_path(dest) != expected:
            shown = label or dest.name
            raise ChangedOnDisk(f"{shown}: changed by another program during the run; its "
                                f"save was kept and our results were not written",
                                file=shown)
        os.replace(temp, dest)
    except BaseException:
        try:
            temp.unlink()
        except OSError:
            pass
        raise
    if _folders_to_sync is not None:
        _folders_to_sync.add(os.fspath(folder))
    else:
        fsync_folder(folder)


@contextlib.contextmanager
def folder_syncs_at_end() -> Iterator[None]:
    """Within, a replace flushes the file to disk before its rename, as always, but its
    folder only once, when the block ends. A batch replaces a hundred files in one folder:
    each rename is atomic either way (a crash leaves every file whole, old or new); flushing
    the folder makes the renames durable, and once for the whole batch does that for all of
    them (about a millisecond a workbook on a local disk)."""
    global _folders_to_sync
    if _folders_to_sync is not None:            # already inside one: the outer one flushes
        yield
        return
    _folders_to_sync = set()
    try:
        yield
    finally:
        folders, _folders_to_sync = _folders_to_sync, None
        for folder in sorted(folders):
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


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # exists, owned by someone else
        return True
    return True


def is_stale_temp(path: Path, now: float | None = None) -> bool:
    """Whether a temporary file of ours is a leftover: its process (named in the file name) is
    gone on this machine, or, when that cannot be told (another machine, an old name), it is
    older than STALE_AFTER_SECONDS. A live run's temp is never stale."""
    now = time.time() if now is None else now
    match = _TEMP_NAME.match(path.name)
    if match and match["host"] == _temp_prefix()[len(TEMP_PREFIX):].rsplit("-", 2)[0]:
        pid = int(match["pid"])
        if pid == os.getpid() or _process_alive(pid):
            return False
        return True
    try:
        return now - path.stat().st_mtime >= STALE_AFTER_SECONDS
    except OSError:
        return False


def cleanup_stale_temps(folder: str | os.PathLike) -> list[Path]:
    """Remove temporary files left by a run that was killed mid-write (they are never a
    workbook the user made: the name starts with TEMP_PREFIX), and never one a live run is
    still writing. Returns what was removed."""
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
            if is_stale_temp(path, now):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
