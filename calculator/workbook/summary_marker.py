"""How an aeroi summary workbook is told from every other workbook: a custom document property
``aeroi_summary`` (set by the summary writer; Excel shows it in File > Info > Properties).
``--summary PATH`` only ever replaces a file for which :func:`is_summary` is true.

Summaries written before the marker existed (sheets exactly Summary and Problems, no aeroi
input names) are recognised too, so a re-run can replace them.
"""
from __future__ import annotations

import os
import zipfile

#: The name of the custom document property (and, if a writer prefers, a defined name).
MARKER = "aeroi_summary"
_CUSTOM_PART = "docProps/custom.xml"
_MAX_PART = 1 << 20


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        return None
    return archive.read(info)


def is_summary(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a summary workbook aeroi wrote (safe to replace with a new one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            custom = _small_part(archive, _CUSTOM_PART) or b""
            if f'name="{MARKER}"'.encode() in custom:
                return True
            workbook = _small_part(archive, "xl/workbook.xml") or b""
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    if f'name="{MARKER}"'.encode() in workbook:
        return True
    if b'name="in_' in workbook:
        # an input name (or a sheet so named): a store workbook, never an old summary. Every
        # workbook of a batch comes through here, so this skips the parse below for them
        return False
    # a summary from before the marker: exactly the sheets Summary and Problems, no inputs
    from lxml import etree
    try:
        root = etree.fromstring(workbook, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    names = [node.get("name") for node in root.iter() if isinstance(node.tag, str)
             and node.tag.endswith("}sheet")]
    defined = [node.get("name", "") for node in root.iter() if isinstance(node.tag, str)
               and node.tag.endswith("}definedName")]
    return names == ["Summary", "Problems"] and not any(n.startswith("in_") for n in defined)


def mark(book) -> None:
    """Mark an XlsxWriter workbook as an aeroi summary (call before ``close()``)."""
    book.set_custom_property(MARKER, True)
