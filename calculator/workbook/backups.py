"""The copies ``aeroi upgrade`` keeps beside an upgraded workbook (``name.v1.xlsx``), told apart
by name alone, so that finding the workbooks of a folder needs nothing of the upgrade itself."""
from __future__ import annotations

import re
from pathlib import Path

BACKUP_PATTERN = re.compile(r"^(?P<stem>.+)\.v(?P<version>\d+)(?:-\d+)?$")


def is_backup(path: Path) -> bool:
    """``name.v1.xlsx`` beside ``name.xlsx``: a copy kept by ``aeroi upgrade``."""
    match = BACKUP_PATTERN.match(path.stem)
    return bool(match) and path.with_name(match.group("stem") + path.suffix).exists()
