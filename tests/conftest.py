"""How the suite is spread over the cores; nothing here changes what a test checks.

`make test` runs pytest-xdist with ``-n auto --dist loadfile --no-loadscope-reorder`` (see the
Makefile): each test file runs whole on one worker, so a module-scoped fixture (the corpus
calculated once, the version-1 fixtures upgraded once, the templates rendered once) is built
once. (Grouping single tests with ``--dist loadgroup`` does nothing on pytest 9.2:
pytest-xdist issue #1386.)

Files are handed out in collection order, and this hook puts first the files with the most
tests marked ``slow`` (LibreOffice renders, real processes raced and killed: seconds each), so
the long files start early and the workers finish together instead of one of them starting a
long file when the other has nothing left to do.
"""
from __future__ import annotations

from collections import Counter

import pytest


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    slow = Counter(_file(item) for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[_file(item)])          # stable: order within a file kept
