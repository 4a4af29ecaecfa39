"""Where the Excel side writes what a user should never see: the traceback of a bug.

A button or a worksheet function shows one short line and this file's path; the details go
here for a bug report. Plain file appends (no logging configuration), so it also works inside
xlwings Lite, where the temp folder is the browser's in-memory one.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

_LIMIT_BYTES = 1_000_000     # keep the last ~1 MB: enough for a bug report, never a disk filler


def log_path() -> Path:
    """``AEROI_LOG`` when set, else aeroi-excel.log in the user's temp folder."""
    return Path(os.environ.get("AEROI_LOG") or Path(tempfile.gettempdir()) / "aeroi-excel.log")


def log_exception(where: str, error: BaseException) -> Path:
    """Append ``error``'s traceback under a heading naming ``where``; return the log's path.
    Never raises: a log that cannot be written must not turn a message into a traceback."""
    path = log_path()
    try:
        if path.exists() and path.stat().st_size > _LIMIT_BYTES:
            path.write_text("", encoding="utf-8")
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {stamp} {where}\n{text}\n")
    except OSError:
        pass
    return path


def short_message(where: str, error: BaseException) -> str:
    """One line for a message box: what failed, the error's own first line, the log's path."""
    path = log_exception(where, error)
    first = (str(error).strip().splitlines() or [""])[0][:200]
    detail = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"aeroi could not finish ({detail}). Details for a bug report: {path}"
