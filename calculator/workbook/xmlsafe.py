"""XML in and out, safely: no DTDs or entities (entity attacks), no part unpacked beyond a
size limit (zip bombs), and the same parser settings for whole trees and streamed parsing."""
from __future__ import annotations

import os
import re
import threading
from typing import BinaryIO, Callable, Iterator

from lxml import etree

from calculator.errors import Kind, WorkbookError

#: A part larger than this (uncompressed) is refused: a real store workbook is far smaller, and
#: a zip bomb must not take the machine's memory. Override with AEROI_MAX_PART_MB.
MAX_PART_BYTES = int(float(os.environ.get("AEROI_MAX_PART_MB", "256")) * 1024 * 1024)
#: The whole package, uncompressed.
MAX_PACKAGE_BYTES = 4 * MAX_PART_BYTES
CHUNK_BYTES = 1 << 20

#: lxml settings for every parse, tree or streamed: no entities, no network, no DTD; huge_tree
#: because a big SKUs sheet is legitimately deep in text nodes.
PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                      remove_blank_text=False)


def bounded_chunks(handle: BinaryIO, too_big: Callable[[], Exception]) -> Iterator[bytes]:
    """The bytes of an open part in chunks, raising ``too_big()`` once more than
    MAX_PART_BYTES have come out (read in chunks, so a lie in the zip directory cannot make
    us allocate more)."""
    size = 0
    while True:
        chunk = handle.read(CHUNK_BYTES)
        if not chunk:
            return
        size += len(chunk)
        if size > MAX_PART_BYTES:
            raise too_big()
        yield chunk


_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["']([^"']*)["']""")


def declares_utf8(data: bytes) -> bool:
    """Whether a part's XML declaration names UTF-8, or no encoding (UTF-8 then): what a
    reading of its bytes as UTF-8, without the parser, may rely on."""
    declared = _DECLARED_ENCODING.match(data)
    return declared is None or declared[1].lower() in (b"utf-8", b"utf8")


def refuse_dtd(data: bytes, label: str, part: str) -> None:
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise WorkbookError(f"{label}: the part {part} declares a DTD or entities, which "
                            f"workbooks never need (possible XML entity attack); the file was not read",
                            file=label, expected="an Excel workbook", kind=Kind.UNSAFE)


def not_well_formed(label: str, part: str, error: Exception) -> WorkbookError:
    return WorkbookError(f"{label}: the part {part} is not well-formed XML ({error}); open "
                         f"and re-save the file in Excel", file=label,
                         expected="an Excel workbook")


_THIS_THREADS = threading.local()


def parser() -> etree.XMLParser:
    """This thread's parser, for every document parsed whole (parse_xml, a patched row's
    bytes). A parser's first document costs three times its later ones (libxml2 sets up its
    context), and a run parses a dozen small parts a workbook. lxml lets one thread at a time
    use a parser, so workbooks run in threads (an executor given to run_batch) would wait for
    each other on a shared one."""
    made = getattr(_THIS_THREADS, "parser", None)
    if made is None:
        made = _THIS_THREADS.parser = etree.XMLParser(**PARSER_OPTIONS)
    return made


def parse_xml(data: bytes, label: str, part: str) -> etree._Element:
    refuse_dtd(data, label, part)
    try:
        return etree.fromstring(data, parser())
    except etree.XMLSyntaxError as error:
        raise not_well_formed(label, part, error) from None


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
