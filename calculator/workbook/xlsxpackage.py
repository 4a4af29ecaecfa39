"""Read an .xlsx/.xlsm file as the zip package it is: its parts, sheets, defined names,
Excel tables and cell values, parsing only what is asked for.

Why not openpyxl: it loads (and a save would rewrite) everything; here a read parses only the
parts that hold the names asked for, and a write (see writer.py) copies every other part
through byte for byte. Safety: see xmlsafe.py (no DTDs, bounded reads) and the package-size
check below (zip bombs).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Iterator

from lxml import etree

from calculator.errors import Kind, WorkbookError
from calculator.workbook import ooxml, xmlsafe
from calculator.workbook.io import Uncalculated  # noqa: F401 (re-exported: readers met it here)
from calculator.workbook.cellref import (COLUMN_OF_LETTERS, DIGITS, NameTarget, column_of,
                                         parse_reference, split_cell)
from calculator.workbook.dates import BUILTIN_DATE_FORMATS, from_serial, is_date_format
from calculator.workbook.ooxml import (M, NS_PKG_REL, NS_STRICT_MAIN, R, REL_SHARED_STRINGS,
                                       REL_STYLES, REL_TABLE)


class ErrorValue(str):
    """A cell holding an Excel error such as #N/A or #REF! (a str, so messages can show it)."""


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Decode the ``_xHHHH_`` escapes of OOXML strings (``_x000D_`` is a carriage return,
    ``_x005F_`` a literal underscore that protects what follows)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject)."""
    name: str
    display_name: str
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    columns: tuple[str, ...]
    header_row_count: int
    totals_row_count: int
    part: str | None = None       # the table part, e.g. xl/tables/table1.xml


#: A sheet read for its values keeps its parsed tree below this size, so that a write which
#: follows patches that tree instead of parsing the sheet again (our output sheets are tens of
#: kilobytes). A bigger one, such as a long SKUs table the write does not touch, keeps only its
#: values: its tree would hold ten times its size in memory for nothing.
KEEP_SHEET_TREE_BELOW_BYTES = 1024 * 1024
#: A part up to this size (unpacked and packed) is inflated in one call (read_part).
SMALL_PART_BYTES = 1024 * 1024


class XlsxPackage:
    """Read access to the parts of one workbook package, parsing only what is asked for."""

    def __init__(self, path: str | os.PathLike, label: str | None = None):
        self.path = os.fspath(path)
        self.label = label or os.path.basename(self.path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise WorkbookError(f"{self.label}: no such file", file=self.label,
                                kind=Kind.NOT_FOUND) from None
        except PermissionError:
            raise WorkbookError(f"{self.label}: cannot be read (permission denied)",
                                file=self.label, kind=Kind.LOCKED) from None
        except (zipfile.BadZipFile, OSError, ValueError):
            other = _other_format(self.path)
            if other is not None:
                raise WorkbookError(f"{self.label}: {other}", file=self.label,
                                    kind=Kind.UNSUPPORTED,
                                    expected="an .xlsx or .xlsm workbook") from None
            raise WorkbookError(f"{self.label}: not an Excel workbook (the file is not a zip "
                                f"package; it may be empty, damaged or another format)",
                                file=self.label, expected="an .xlsx or .xlsm workbook") from None
        try:
            self._members = {info.filename: info for info in self._zip.infolist()}
            total = sum(info.file_size for info in self._members.values())
            if total > xmlsafe.MAX_PACKAGE_BYTES:
                raise WorkbookError(f"{self.label}: the package would unpack to {total >> 20} MB,"
                                    f" more than the {xmlsafe.MAX_PACKAGE_BYTES >> 20} MB limit "
                                    f"(possible zip bomb); the file was not read",
                                    file=self.label, kind=Kind.UNSAFE)
            if "xl/workbook.xml" not in self._members:
                raise WorkbookError(f"{self.label}: not an Excel workbook (a zip file without "
                                    f"xl/workbook.xml)", file=self.label,
                                    expected="an .xlsx or .xlsm workbook")
            self._xml_cache: dict[str, etree._Element] = {}
            # per sheet: (values decoded so far, rows not yet wholly decoded by number, and
            # the column spans decoded of those; both None for a sheet decoded whole)
            self._sheet_cells: dict[str, tuple[dict, dict | None, dict | None]] = {}
            self._lone_cells: dict[NameTarget, tuple] = {}     # read_lone_cell's answers
            self._load_workbook()
        except BaseException:
            self._zip.close()
            raise

    # --- parts ---------------------------------------------------------------------------
    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stamp(self):
        """The FileStamp of the file this package was opened from (what was read)."""
        from calculator.workbook.atomic import FileStamp
        return FileStamp.of_fd(self._zip.fp.fileno())

    def same_file_as(self, stamp) -> bool:
        """Whether the opened file is the one ``stamp`` was taken of (same file, size and
        modification time; the bytes are compared again just before a replace)."""
        return stamp.describes(os.fstat(self._zip.fp.fileno()))

    def part_names(self) -> list[str]:
        return list(self._members)

    def read_part(self, part: str) -> bytes:
        """A part's bytes, refusing one that unpacks beyond the size limit."""
        info = self._members.get(part)
        if info is not None and info.file_size <= min(SMALL_PART_BYTES,
                                                      xmlsafe.MAX_PART_BYTES):
            data = self._read_small(info)
            if data is not None:
                return data
        return b"".join(self.iter_part(part))

    def _read_small(self, info: zipfile.ZipInfo) -> bytes | None:
        """A small part inflated in one call from its stored bytes (zipfile's reader costs
        more than the inflating for the few kilobytes of most parts: a run reads about
        twenty). None, having read nothing usable, for anything but a plain stored or deflated
        part whose size and CRC check out: the caller then reads it as any other."""
        offset = self._data_offset(info)
        if offset is None or info.compress_size > SMALL_PART_BYTES:
            return None
        try:
            source = self._zip.fp
            source.seek(offset)
            raw = source.read(info.compress_size)
            if len(raw) != info.compress_size:
                return None
            if info.compress_type == zipfile.ZIP_STORED:
                data = raw
            else:
                # at most one byte more than the directory says: a lie shows, and costs nothing
                data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, info.file_size + 1)
        except (OSError, ValueError, zlib.error):
            return None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return None
        return data

    def _data_offset(self, info: zipfile.ZipInfo) -> int | None:
        """Where a plain (stored or deflated, not encrypted) member's bytes start, from its
        local header; None when it is not plain or its header does not check out."""
        source = self._zip.fp
        if (info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                or info.flag_bits & 0x1 or source is None):
            return None
        try:
            source.seek(info.header_offset)
            header = source.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                return None
            name_length, extra_length = struct.unpack("<HH", header[26:30])
        except (OSError, ValueError, struct.error):
            return None
        return info.header_offset + 30 + name_length + extra_length

    def part_size(self, part: str) -> int:
        """A part's size unpacked, as the zip directory gives it (reads stay bounded anyway)."""
        return self._members[part].file_size

    def iter_part(self, part: str) -> Iterator[bytes]:
        """A part's bytes in chunks, refusing one that unpacks beyond the size limit and naming
        a damaged one."""
        info = self._members.get(part)
        if info is None:
            raise KeyError(part)
        if info.file_size > xmlsafe.MAX_PART_BYTES:
            raise self._too_big(part)
        try:
            with self._zip.open(info) as handle:
                yield from xmlsafe.bounded_chunks(handle, lambda: self._too_big(part))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            raise WorkbookError(f"{self.label}: the part {part} cannot be unpacked ({error}); the "
                                f"file is damaged", file=self.label) from None

    def copy_part(self, part: str, out: zipfile.ZipFile,
                  data: bytes | list[bytes] | None = None) -> None:
        """Write ``part`` into the zip ``out`` under the same name, date, compression and
        attributes: ``data`` if given (bytes, or a list of pieces written in turn), else its
        own bytes. Those are copied still compressed
        (nothing to inflate and deflate again: a big data sheet costs only its I/O), or, where
        that cannot be done safely, streamed through bounded as when read."""
        info = self._members[part]
        if data is None and self._copy_compressed(info, out):
            return
        clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
        clone.compress_type = info.compress_type
        clone.external_attr = info.external_attr
        clone.create_system = info.create_system
        if isinstance(data, bytes):
            out.writestr(clone, data)
            return
        pieces = self.iter_part(part) if data is None else data
        size = info.file_size if data is None else sum(len(piece) for piece in data)
        with out.open(clone, "w", force_zip64=size > 2**31) as sink:
            for piece in pieces:
                sink.write(piece)

    def _copy_compressed(self, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
        """Copy a member's compressed bytes as they are, with a new local header (CRC and sizes
        from the directory). False, having written nothing, when the member is not a plain
        stored/deflated one, its local header does not check out, or ``out`` is not a plain
        zip being written (then the caller streams it)."""
        source = self._zip.fp
        sink = getattr(out, "fp", None)
        if (sink is None or out.mode != "w" or getattr(out, "_writing", True)
                or not hasattr(out, "start_dir")):
            return False
        offset = self._data_offset(info)
        if offset is None:
            return False
        try:
            source.seek(offset)
        except (OSError, ValueError):
            return False
        clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
        clone.compress_type = info.compress_type
        clone.external_attr = info.external_attr
        clone.create_system = info.create_system
        clone.flag_bits = info.flag_bits & 0x800          # UTF-8 names; sizes are in the header
        clone.CRC, clone.compress_size, clone.file_size = \
            info.CRC, info.compress_size, info.file_size
        zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
        clone.header_offset = sink.tell()
        sink.write(clone.FileHeader(zip64))
        left = info.compress_size
        while left:
            chunk = source.read(min(left, xmlsafe.CHUNK_BYTES))
            if not chunk:
                raise WorkbookError(f"{self.label}: the part {info.filename} is cut short; the "
                                    f"file is damaged", file=self.label)
            sink.write(chunk)
            left -= len(chunk)
        out.filelist.append(clone)
        out.NameToInfo[clone.filename] = clone
        out.start_dir = sink.tell()
        out._didModify = True                                 # so close() writes the directory
        return True

    @property
    def comment(self) -> bytes:
        """The zip archive's comment (kept when the package is rewritten)."""
        return self._zip.comment

    def _too_big(self, part: str) -> WorkbookError:
        return WorkbookError(f"{self.label}: the part {part} unpacks to more than "
                             f"{xmlsafe.MAX_PART_BYTES / 1048576:g} MB, the size limit (possible "
                             f"zip bomb); the file was not read. A genuine workbook this big: set "
                             f"AEROI_MAX_PART_MB higher", file=self.label,
                             expected="a part under the size limit", kind=Kind.UNSAFE)

    def xml(self, part: str, data: bytes | None = None) -> etree._Element:
        """A part's tree, parsed once and kept (``data``: its bytes, when already read)."""
        root = self._xml_cache.get(part)
        if root is None:
            root = xmlsafe.parse_xml(self.read_part(part) if data is None else data,
                                     self.label, part)
            self._xml_cache[part] = root
        return root

    def parsed(self, part: str) -> etree._Element | None:
        """A part's tree if a read has already parsed it (kept for the writer), else None:
        nothing is parsed here."""
        return self._xml_cache.get(part)

    def take_xml(self, part: str) -> etree._Element:
        """A part's tree for a writer to change: the one already parsed by a read (which
        then no longer holds it), else a new parse."""
        root = self._xml_cache.pop(part, None)
        if root is None:
            root = xmlsafe.parse_xml(self.read_part(part), self.label, part)
        return root

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, resolved part name) for the relationships of ``part``."""
        rels = ooxml.rels_part(part)
        if rels not in self._members:
            return {}
        found = {}
        for rel in self.xml(rels).iter("{%s}Relationship" % NS_PKG_REL):
            if rel.get("TargetMode") == "External":
                continue
            found[rel.get("Id")] = (rel.get("Type", ""),
                                    ooxml.resolve(part, rel.get("Target", "")))
        return found

    # --- workbook ------------------------------------------------------------------------
    def _load_workbook(self) -> None:
        root = self.xml("xl/workbook.xml")
        if root.tag.startswith("{%s}" % NS_STRICT_MAIN):
            raise WorkbookError(f"{self.label}: saved as 'Strict Open XML', which we do not read;"
                                f" save it as 'Excel Workbook (.xlsx)'", file=self.label,
                                kind=Kind.UNSUPPORTED)
        if root.tag != M + "workbook":
            raise WorkbookError(f"{self.label}: not an Excel workbook (xl/workbook.xml holds "
                                f"{root.tag})", file=self.label)
        rels = self.relationships("xl/workbook.xml")
        self.sheet_parts: dict[str, str] = {}
        self.sheet_order: list[str] = []
        for sheet in root.iterfind(f"{M}sheets/{M}sheet"):
            name = sheet.get("name")
            rel = rels.get(sheet.get(R + "id"))
            self.sheet_order.append(name)
            if rel is not None:
                self.sheet_parts[name] = rel[1]
        props = root.find(M + "workbookPr")
        self.date1904 = props is not None and props.get("date1904") in ("1", "true")
        self._shared_part = next((p for t, p in rels.values() if t == REL_SHARED_STRINGS), None)
        self._styles_part = next((p for t, p in rels.values() if t == REL_STYLES), None)
        self._shared: Sequence[str] | None = None
        self._date_styles: set[int] | None = None
        self._names: list[tuple[str, int | None, str]] = []
        self._names_by_key: dict[str, list[tuple[str, int | None, str]]] = {}
        self._targets: dict[tuple[str, str | None], NameTarget] = {}     # get_name's answers
        for node in root.iterfind(f"{M}definedNames/{M}definedName"):
            local = node.get("localSheetId")
            entry = (node.get("name", ""), int(local) if local is not None else None,
                     (node.text or "").strip())
            self._names.append(entry)
            self._names_by_key.setdefault(entry[0].lower(), []).append(entry)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_order)

    @property
    def defined_names(self) -> dict[str, str]:
        """Workbook-scoped names and what they refer to (as written in the file)."""
        return {name: text for name, local, text in self._names if local is None}

    def defined_name_targets(self) -> list[tuple[str, str]]:
        """Every defined name (any scope) and what it refers to, as written in the file."""
        return [(name, text) for name, _local, text in self._names]

    def get_name(self, name: str, sheet: str | None = None) -> NameTarget | None:
        """Where ``name`` points; None when the workbook has no such name. A name that exists
        but does not point at one rectangle of cells raises WorkbookError saying so."""
        key = (name.lower(), sheet)
        known = self._targets.get(key)
        if known is not None:
            return known
        candidates = self._names_by_key.get(key[0])
        if not candidates:
            return None
        if len(candidates) == 1:        # the usual name, defined once: the rules below agree
            chosen = candidates[0]
        else:
            scope_index = self.sheet_order.index(sheet) if sheet in self.sheet_order else None
            chosen = next((c for c in candidates if c[1] is not None and c[1] == scope_index),
                          None) or next((c for c in candidates if c[1] is None), None) \
                or candidates[0]
        actual, local, text = chosen
        try:
            sheet_name, (r1, c1, r2, c2) = parse_reference(text)
        except ValueError:
            raise WorkbookError(f"{self.label}: the defined name {actual} refers to {text!r}, "
                                f"not to cells on a sheet (was a sheet deleted?)", file=self.label,
                                name=actual, expected="a cell or range on a sheet",
                                found=text, kind=Kind.LAYOUT) from None
        if sheet_name not in self.sheet_parts:
            # (a sheet renamed by its tab: Excel moves the names with it, other tools may not)
            raise WorkbookError(f"{self.label}: the sheet {sheet_name!r} is missing (renamed or "
                                f"deleted?): {actual} and the other inputs and results are "
                                f"looked up on it. Rename the sheet back to {sheet_name!r} "
                                f"(deleted: copy it from a new workbook, aeroi new)",
                                file=self.label, name=actual, expected="an existing sheet",
                                found=sheet_name, kind=Kind.LAYOUT)
        scope = self.sheet_order[local] if local is not None and local < len(self.sheet_order) \
            else None
        target = self._targets[key] = NameTarget(actual, sheet_name, r1, c1, r2, c2, scope)
        return target

    # --- cells ---------------------------------------------------------------------------
    def _shared_strings(self) -> Sequence[str]:
        """The shared strings by index. A small table is read as its strings are asked for
        (a run reads the value columns, not the hundreds of labels and notes), found in its
        bytes when they are plainly written (:func:`_shared_items`), else in its tree; a big
        one (a long SKUs table's names) in one pass, its tree dropped."""
        if self._shared is None:
            self._shared = []
            part = self._shared_part
            if part and part in self._members:
                if self.part_size(part) >= KEEP_SHEET_TREE_BELOW_BYTES:
                    self._shared = [text_of(item) for item in self.xml(part).findall(M + "si")]
                    self._xml_cache.pop(part, None)
                else:
                    data = self.read_part(part)
                    found = _shared_items(data)
                    if found is None:
                        self._shared = _SharedStrings(self.xml(part, data).findall(M + "si"))
                    else:
                        items, start_tag = found
                        self._shared = _SharedStrings(
                            items, functools.partial(_item_text, start_tag, self.label, part))
        return self._shared

    def date_style_ids(self) -> set[int]:
        """Indexes of cell formats (the ``s`` of a cell) that show a date or time."""
        if self._date_styles is None:
            self._date_styles = set()
            if self._styles_part and self._styles_part in self._members:
                root = self.xml(self._styles_part)
                custom = {int(f.get("numFmtId")): f.get("formatCode", "")
                          for f in root.iterfind(f"{M}numFmts/{M}numFmt")}
                for index, xf in enumerate(root.iterfind(f"{M}cellXfs/{M}xf")):
                    fmt = int(xf.get("numFmtId", "0"))
                    if fmt in BUILTIN_DATE_FORMATS or (fmt in custom
                                                       and is_date_format(custom[fmt])):
                        self._date_styles.add(index)
        return self._date_styles

    def is_date_style(self, style: int) -> bool:
        return style in self.date_style_ids()

    def sheet_part(self, sheet: str) -> str:
        part = self.sheet_parts.get(sheet)
        if part is None or part not in self._members:
            raise WorkbookError(f"{self.label}: the sheet {sheet!r} is missing from the file",
                                file=self.label, sheet=sheet)
        return part

    def _cells(self, sheet: str, rows: range | None = None,
               columns: range | None = None) -> dict[tuple[int, int], object]:
        """The values of ``sheet`` by (row, column), holding at least ``rows`` (every row
        when None) in ``columns`` (every column when None). A sheet small enough to keep its
        tree (most of ours) is decoded as cells are asked for: a run reads a few dozen cells
        of the Results sheet, not all of them, and the value column of the Inputs and Rates
        sheets, not their labels and notes. A big one (a long SKUs table) is decoded whole in
        one pass and its tree dropped."""
        found = self._sheet_cells.get(sheet)
        if found is None:
            part = self.sheet_part(sheet)
            root = self._rows_tree(part)
            data = root.find(M + "sheetData")
            if self.part_size(part) >= KEEP_SHEET_TREE_BELOW_BYTES:
                self._xml_cache.pop(part, None)     # the values are all we keep of it
                cells = self._decode_rows(_numbered_rows(data)) if data is not None else {}
                found = self._sheet_cells[sheet] = (cells, None, None)
            else:
                pending: dict[int, list] = {}
                for number, row in _numbered_rows(data) if data is not None else ():
                    pending.setdefault(number, []).append(row)   # a number twice: both rows
                # per row still pending: the column spans already decoded from it
                found = self._sheet_cells[sheet] = ({}, pending, {})
        cells, pending, partly = found
        if pending:
            wanted = list(pending) if rows is None else [n for n in rows if n in pending]
            if not wanted:
                return cells
            if columns is None:
                cells.update(self._decode_rows([(n, row) for n in wanted
                                                for row in pending.pop(n)]))
                return cells
            span = (columns.start, columns.stop - 1)
            todo = [n for n in wanted if n not in partly         # the usual case: none yet
                    or not any(lo <= span[0] and span[1] <= hi for lo, hi in partly[n])]
            if todo:
                cells.update(self._decode_rows([(n, row) for n in todo for row in pending[n]],
                                               span))
                for n in todo:
                    partly.setdefault(n, []).append(span)
        return cells

    def _rows_tree(self, part: str) -> etree._Element:
        """A tree holding the sheet's rows: the whole sheet's (kept for a write that patches
        it), or, for a small sheet whose rows are the lesser part of it, a tree of only what
        comes before their end (:func:`_rows_only`), not kept: a writer asking for the
        sheet's tree must find the whole sheet or nothing."""
        if part in self._xml_cache or self.part_size(part) >= KEEP_SHEET_TREE_BELOW_BYTES:
            return self.xml(part)
        data = self.read_part(part)
        cut = _rows_only(data)
        if cut is not None:
            try:
                return xmlsafe.parse_xml(cut, self.label, part)
            except WorkbookError:         # cut wrongly: the whole sheet says what is wrong
                pass
        return self.xml(part, data)

    def _decode_rows(self, rows, span: tuple[int, int] | None = None
                     ) -> dict[tuple[int, int], object]:
        """The values of (row number, row element) pairs, by (row, column); only those of
        the columns ``span`` (first, last) when given."""
        cells = {}
        # the hot loop of a read (every cell of a big sheet): one pass over each cell's
        # children, shared strings and date styles fetched once
        cell_tag, value_tag, inline_tag, formula_tag = M + "c", M + "v", M + "is", M + "f"
        shared = None
        date_styles = None
        first, last = span if span is not None else (0, math.inf)
        column_of_letters = COLUMN_OF_LETTERS.get
        for number, row in rows:
            next_col = 1
            for cell in row.iterchildren(cell_tag):
                ref = cell.get("r")
                if ref:
                    # column_of's table, looked up here: this runs for every cell of the rows
                    # read, wanted or not (a table's two columns of six, a whole SKUs sheet)
                    col = column_of_letters(ref.rstrip(DIGITS)) or column_of(ref)
                else:
                    col = next_col
                next_col = col + 1
                if col < first or col > last:
                    continue
                text = node = formula = None
                has_value = False
                for child in cell:
                    if child.tag == value_tag:
                        text = child.text
                        has_value = True
                    elif child.tag == inline_tag:
                        node = child
                    elif child.tag == formula_tag:
                        formula = child
                if formula is not None and not has_value and node is None:
                    cells[(number, col)] = Uncalculated("=" + (formula.text or ""))
                    continue
                kind = cell.get("t")
                if kind is None or kind == "n":
                    if text is None:
                        continue
                    try:
                        value = float(text)
                    except ValueError:
                        value = text
                    else:
                        style = cell.get("s")
                        if style is not None:
                            if date_styles is None:
                                date_styles = self.date_style_ids()
                            if int(style) in date_styles:
                                value = self.from_serial(value)
                elif kind == "s":
                    if text is None:
                        continue
                    if shared is None:
                        shared = self._shared_strings()
                    try:
                        value = shared[int(text)]
                    except (ValueError, IndexError):
                        value = ErrorValue("#REF!")
                elif kind == "inlineStr":
                    if node is None:
                        continue
                    value = text_of(node)
                elif text is None:
                    continue
                else:
                    value = self._typed(kind, text)
                cells[(number, col)] = value
        return cells

    def from_serial(self, serial: float) -> dt.datetime | float:
        if not math.isfinite(serial) or serial < 0 or serial > 2958466:
            return serial
        return from_serial(serial, self.date1904)

    def cell_value(self, cell) -> object:
        """The value of one cell element (``<c>``) as :meth:`read_range` gives it (a date as
        its serial number); None for a blank cell or a formula without a cached value."""
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            node = cell.find(M + "is")
            return text_of(node) if node is not None else None
        v = cell.find(M + "v")
        if v is None or v.text is None:
            return None
        if kind == "s":
            try:
                return self._shared_strings()[int(v.text)]
            except (ValueError, IndexError):
                return ErrorValue("#REF!")
        return self._typed(kind, v.text)

    @staticmethod
    def _typed(kind: str, text: str) -> object:
        """The value of a cell of type str (a formula's text), b, e or d from its <v> text."""
        if kind == "str":
            return unescape(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return ErrorValue(text)
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
            except ValueError:
                return text
        try:
            return float(text)
        except ValueError:
            return text

    def read_range(self, target: NameTarget) -> list[list[object]]:
        """The values of a rectangle, row by row: None for blank cells; numbers as float, text
        as str, booleans as bool, errors as ErrorValue, date-formatted numbers as datetime."""
        columns = range(target.min_col, target.max_col + 1)
        cells = self._cells(target.sheet, range(target.min_row, target.max_row + 1), columns)
        return [[cells.get((row, col)) for col in columns]
                for row in range(target.min_row, target.max_row + 1)]

    def read_lone_cell(self, target: NameTarget) -> list[list[object]]:
        """What read_range gives for ``target``, for a single cell on a sheet the run reads
        nothing else of (the language cell on the Results sheet): found in the sheet's bytes
        and only its row parsed, instead of parsing (and later freeing) the whole sheet.
        Anything short of a plainly written sheet goes through read_range."""
        known = self._lone_cells.get(target)          # the write asks again for the language
        if known is not None:
            return [list(row) for row in known]
        if (target.min_row == target.max_row and target.min_col == target.max_col
                and target.sheet not in self._sheet_cells):
            part = self.sheet_part(target.sheet)
            if part not in self._xml_cache and self.part_size(part) < KEEP_SHEET_TREE_BELOW_BYTES:
                row = _lone_row(self.read_part(part), target.min_row)
                try:
                    root = xmlsafe.parse_xml(row, self.label, part) if row is not None else None
                except WorkbookError:          # cut wrongly: the whole sheet says what is wrong
                    root = None
                if root is not None:
                    cells = self._decode_rows(_numbered_rows(root.find(M + "sheetData")),
                                              (target.min_col, target.min_col))
                    self._lone_cells[target] = ((cells.get((target.min_row, target.min_col)),),)
                    return [[cells.get((target.min_row, target.min_col))]]
        return self.read_range(target)

    def read_name(self, name: str) -> list[list[object]]:
        target = self.get_name(name)
        if target is None:
            raise KeyError(name)
        return self.read_range(target)

    # --- tables --------------------------------------------------------------------------
    def tables(self) -> dict[str, TableInfo]:
        """Every Excel table, by name."""
        if hasattr(self, "_tables"):
            return self._tables
        found: dict[str, TableInfo] = {}
        for sheet in self.sheet_order:
            part = self.sheet_parts.get(sheet)
            if part is None or part not in self._members:
                continue
            for kind, table_part in self.relationships(part).values():
                if kind != REL_TABLE or table_part not in self._members:
                    continue
                root = self.xml(table_part)
                try:
                    first, _, last = root.get("ref", "").partition(":")
                    r1, c1 = split_cell(first)
                    r2, c2 = split_cell(last or first)
                except ValueError:
                    continue
                columns = tuple(col.get("name", "") for col in
                                root.iterfind(f"{M}tableColumns/{M}tableColumn"))
                info = TableInfo(root.get("name") or root.get("displayName", ""),
                                 root.get("displayName") or root.get("name", ""), sheet,
                                 r1, c1, r2, c2, columns,
                                 int(root.get("headerRowCount", "1")),
                                 int(root.get("totalsRowCount", "0")), table_part)
                found[info.display_name] = info
        self._tables = found
        return found

    def find_table(self, name: str) -> TableInfo | None:
        wanted = name.lower()
        return next((info for key, info in self.tables().items()
                     if key.lower() == wanted or info.name.lower() == wanted), None)

    def read_table(self, name: str, span: tuple[int, int] | None = None
                   ) -> tuple[list[str], list[list[object]]]:
        """A table's column names and its data rows (header and totals rows left out); only
        its columns ``span`` (first, last: 0-based positions in the table) when given."""
        info = self.find_table(name)
        if info is None:
            raise KeyError(name)
        first = info.min_row + info.header_row_count
        last = info.max_row - info.totals_row_count
        columns = list(info.columns)
        if not any(columns) and info.header_row_count:
            columns = [str(v or "") for v in self.read_range(NameTarget(
                name, info.sheet, info.min_row, info.min_col, info.min_row, info.max_col))[0]]
        low, high = span if span is not None else (0, info.max_col - info.min_col)
        columns = columns[low:high + 1]
        if last < first:
            return columns, []
        rows = self.read_range(NameTarget(name, info.sheet, first, info.min_col + low, last,
                                          info.min_col + high))
        return columns, rows

    def rows_below(self, info: TableInfo) -> list[list[object]]:
        """Rows typed directly under a table (LibreOffice does not grow a table as Excel
        does): each row right below the last one with a value in one of the table's columns,
        up to the first empty row. None for a table with a totals row (rows under it are not
        its data)."""
        if info.totals_row_count:
            return []
        columns = range(info.min_col, info.max_col + 1)
        found = []
        number = info.max_row + 1
        while True:
            cells = self._cells(info.sheet, range(number, number + 1), columns)
            line = [cells.get((number, col)) for col in columns]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in line):
                return found
            found.append(line)
            number += 1


class _SharedStrings(Sequence):
    """Shared string items, each read into text by ``read`` the first time it is asked for
    (a run reads a hundred of a template's five hundred strings)."""

    def __init__(self, items: list, read: Callable[[object], str] | None = None):
        self._items, self._read = items, read or text_of
        self._texts: list[str | None] = [None] * len(items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        text = self._texts[index]
        if text is None:
            text = self._texts[index] = self._read(self._items[index])
        return text


def _item_text(start_tag: bytes, label: str, part: str, item: bytes) -> str:
    """The text of a shared string item cut from the table's bytes (:func:`_shared_items`):
    the commonest item, one plain <t>, decoded here; any other parsed alone, as the whole
    table's tree would have it."""
    plain = _PLAIN_ITEM.fullmatch(item)
    if plain is not None and not _NOT_PLAIN_TEXT.search(plain[1]):
        try:
            return unescape(plain[1].decode("utf-8"))
        except UnicodeDecodeError:
            pass                              # the parser names what is wrong with it
    return text_of(xmlsafe.parse_xml(start_tag + item + b"</si></sst>", label, part)[0])


#: a shared string item (less its </si>) holding one plain text; any other (rich text, an
#: entity, an empty or a preserved-space text) is parsed
_PLAIN_ITEM = re.compile(rb"<si><t>([^<&]+)</t>")
#: what the parser would change or refuse in a text: line ends (normalised), control
#: characters, "]]>", the two non-characters U+FFFE and U+FFFF
_NOT_PLAIN_TEXT = re.compile(rb"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]|]]>|\xef\xbf[\xbe\xbf]")


def _shared_items(data: bytes) -> tuple[list[bytes], bytes] | None:
    """(the bytes of each item less its </si>, the table's start tag) when the bytes plainly
    hold a shared string table: UTF-8, spreadsheetml its default namespace, no comments,
    CDATA or processing instructions after the declaration (which could hide an item's end),
    and its items written <si>...</si> one after the other. None for anything else (the
    table is then parsed whole). Cut in C (bytes.split): a pattern scanning for each item's
    end cost more than parsing the table."""
    if not xmlsafe.declares_utf8(data):
        return None
    root_start = data.find(b"<sst")
    root_end = data.find(b">", root_start)
    close = data.rfind(b"</sst>")
    if (root_start < 0 or root_end < 0 or close < root_end or data[close + 6:].strip()
            or _DEFAULT_MAIN_NAMESPACE not in data[root_start:root_end]
            or b"<!" in data or b"<?" in data[root_start:]):
        return None
    body = data[root_end + 1:close]
    items = body.split(b"</si>")
    # items one after the other from the first byte to the last: no other element among
    # them (an item parsed alone must be the one its piece holds)
    if not body.startswith(b"<si>") or items.pop() \
            or body.count(b"</si><si>") != len(items) - 1:
        return None
    return items, data[root_start:root_end + 1]


def _numbered_rows(sheet_data):
    """(row number, row element) of each row of a sheetData; a row without its number is the
    one after the row before it."""
    next_row = 1
    for row in sheet_data.iterchildren(M + "row"):       # (iterfind's path costs twice this)
        raw = row.get("r")
        number = int(raw) if raw else next_row
        next_row = number + 1
        yield number, row


_ROW_START = re.compile(rb"<row[\s>/]")
_NUMBERED_ROW_START = re.compile(rb'<row r="[1-9][0-9]*"[\s>/]')
_MAIN_NAMESPACE = ooxml.NS_MAIN.encode()
#: spreadsheetml declared as a start tag's default namespace
_DEFAULT_MAIN_NAMESPACE = b' xmlns="' + _MAIN_NAMESPACE + b'"'


def _plain_sheet(data: bytes) -> tuple[int, int, int] | None:
    """(end of the sheet's start tag, start of its sheetData, end of it) when the bytes
    plainly hold one sheetData: spreadsheetml the sheet's default namespace and declared only
    there (no prefixed elements), no comments or CDATA (which could hide a tag), one
    sheetData written with a start and an end tag. None for anything else."""
    root_start = data.find(b"<worksheet")
    root_end = data.find(b">", root_start)
    if (root_start < 0 or root_end < 0
            or _DEFAULT_MAIN_NAMESPACE not in data[root_start:root_end]
            or data.count(_MAIN_NAMESPACE) != 1 or b"<!--" in data or b"<![CDATA[" in data
            or data.count(b"<sheetData") != 1):
        return None
    rows_begin, rows_end = data.find(b"<sheetData"), data.find(b"</sheetData>")
    if rows_end < rows_begin or rows_begin < root_end:
        return None
    return root_end + 1, rows_begin, rows_end


def _lone_row(data: bytes, number: int) -> bytes | None:
    """The bytes of a sheet cut down to its row ``number`` (the sheet's own start tag, with
    its namespaces, around that row's element), to read a cell of that row without parsing
    the sheet; None unless the bytes plainly hold that row once (:func:`_plain_sheet`, every
    row numbered, one row ``number``). The row is then decoded as the whole sheet's would be
    (its cells however they are written: lower case, $, no reference)."""
    plain = _plain_sheet(data)
    if plain is None:
        return None
    root_end, rows_begin, rows_end = plain
    body = data[rows_begin:rows_end]
    if len(_ROW_START.findall(body)) != len(_NUMBERED_ROW_START.findall(body)):
        return None                       # a row without its number is the one after
    found = [m.start() for m in re.finditer(rb'<row r="%d"[\s>]' % number, body)]
    if len(found) != 1:
        return None
    start = found[0]
    end = body.find(b"</row>", start)
    if end < 0 or _ROW_START.search(body, start + 1, end) is not None:
        return None                       # a row written <row .../>: not this one's end
    row = body[start:end + len(b"</row>")]
    return data[:root_end] + b"<sheetData>" + row + b"</sheetData></worksheet>"


def _rows_only(data: bytes) -> bytes | None:
    """The bytes of a sheet cut down to what comes before the end of its rows (its start tag,
    properties, columns and sheetData), closed there, when what follows them is the bigger
    part: a template's Inputs sheet holds three fifths of its bytes in data validations after
    its rows, which a read never looks at. None when the rows are the bigger part (a sheet the
    write patches next would then be parsed twice, cut and whole, to save little) or the bytes
    are not plainly one sheetData (:func:`_plain_sheet`)."""
    plain = _plain_sheet(data)
    if plain is None:
        return None
    _, rows_begin, rows_end = plain
    rows_end += len(b"</sheetData>")
    if len(data) - rows_end < rows_end - rows_begin:
        return None
    return data[:rows_end] + b"</worksheet>"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _other_format(path: str) -> str | None:
    """What a workbook that is not a zip package is, when we can tell: a password-protected
    workbook (Excel encrypts it into an OLE container with an EncryptionInfo stream) or an
    older binary .xls. None for anything else."""
    try:
        with open(path, "rb") as handle:
            if handle.read(8) != _OLE_MAGIC:
                return None
            handle.seek(0)
            tail = b""
            for _ in range(64):            # the stream names sit in the first sectors
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                if _ENCRYPTION_INFO in tail + chunk:
                    return ("password-protected: save it without a password (File > Info > "
                            "Protect Workbook > Encrypt with Password, clear it) and run again")
                tail = chunk[-64:]
    except OSError:
        return None
    return "an older or binary Excel format (.xls): save it as an Excel Workbook (.xlsx)"


_PLAIN_TEXT = M + "t"


def text_of(node) -> str:
    """The text of a string item: plain <t>, or the runs <r><t> of rich text (phonetic runs
    <rPh> left out, as Excel shows them)."""
    if len(node) == 1 and node[0].tag == _PLAIN_TEXT:
        # the usual item, one plain <t>: read directly (ElementPath's find costs 5 µs, which
        # every shared string of every workbook read paid)
        return unescape(node[0].text or "")
    plain = node.find(_PLAIN_TEXT)
    if plain is not None:
        return unescape(plain.text or "")
    return unescape("".join(t.text or "" for r in node.iterfind(M + "r")
                            for t in r.iterfind(M + "t")))
