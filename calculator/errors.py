"""Errors as data: every problem we report to a user is a CalculatorError with a message
that names where it happened (file, sheet, cell, defined name) and what was expected, and a
kind that code tells problems apart by (never by the words of the message).

No other exception type should reach a user; the CLI turns these into one-line messages, the
batch into :class:`Problem` records.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What sort of problem, for code that reacts differently (the batch's status, the summary's
    Problems sheet, a cell's short message). The value is what a report shows."""
    BAD_INPUT = "bad input"           # a value typed in the workbook (or passed) cannot be used
    LAYOUT = "layout"                 # one of our workbooks, but a name, table or block is
                                      # missing, moved or too small for the results
    NOT_OURS = "not ours"             # a readable workbook not made from our template
    OLD_TEMPLATE = "old template"     # ours, made from an older template: `aeroi upgrade` it
    DAMAGED = "damaged"               # not a workbook, or a part cannot be unpacked or parsed
    UNSUPPORTED = "unsupported"       # a workbook in a format we do not read (Strict Open XML)
    UNSAFE = "unsafe"                 # refused on purpose: DTD/entities, beyond a size limit
    NOT_FOUND = "not found"           # no such file or folder
    LOCKED = "locked"                 # read-only, permission denied, or in use by another run
    CHANGED = "changed"               # changed by another program while we worked on it
    NOT_SAVED = "not saved"           # could not be written (disk full, I/O error)
    INTERNAL = "internal"             # a bug of ours; the file was left as it was


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One problem as a record: where (file, sheet, cell, defined name), what was expected and
    found, the full sentence for a person, and its kind for code."""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    name: str | None = None
    expected: str | None = None
    found: str | None = None
    message: str
    kind: Kind
    # the same problem in Chinese, for a Chinese workbook's summary (where it is worded yet:
    # an input the reader could not use); None: the English message is the only one
    message_zh: str | None = None
    expected_zh: str | None = None

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "name": self.name,
                "expected": self.expected, "found": self.found, "message": self.message,
                "kind": self.kind.value}


def shown(value) -> str:
    """A cell's value in a message, as the spreadsheet shows it: TRUE and FALSE, a date as
    2026-01-12, a whole number without ".0", text in quotes (so that "found '1,200'" shows
    it is text). Not Python's spelling (True, datetime.datetime(2026, 1, 12, 0, 0), 45.0)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def found_text(value) -> str | None:
    """What a problem record's ``found`` column holds: :func:`shown`, text as it is."""
    if value is None:
        return None
    return value if isinstance(value, str) else shown(value)


class BadValue(Exception):
    """A value a converter (``to_bool``, ``to_date``...) cannot use; ``found`` is the value.
    Callers turn it into a message of their own (an InputError naming the cell, or a short
    message in a cell)."""

    def __init__(self, found):
        super().__init__(found)
        self.found = found


class CalculatorError(Exception):
    """Base class of every error this package raises on purpose.

    ``str(error)`` is a complete, user-readable sentence. The optional location fields let a
    batch collect errors as records (file, sheet, cell, name, expected, found) and report them
    together, beancount-style, instead of stopping at the first one. ``kind`` says what sort
    of problem it is (each subclass has a default).
    """
    kind: Kind = Kind.BAD_INPUT

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None,
                 cell: str | None = None, name: str | None = None,
                 expected: str | None = None, found: object = None,
                 kind: Kind | None = None) -> None:
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.file = file
        self.sheet = sheet
        self.cell = cell
        self.name = name
        self.expected = expected
        self.found = found
        self.message_zh: str | None = None     # set where the problem is worded in Chinese
        self.expected_zh: str | None = None

    def location(self) -> str:
        """``book.xlsx: Inputs!C7 in_parcel_weight_g`` (the parts that are known)."""
        parts = []
        if self.file:
            parts.append(f"{self.file}:")
        where = ""
        if self.sheet and self.cell:
            where = f"{self.sheet}!{self.cell}"
        elif self.sheet:
            where = self.sheet
        if where:
            parts.append(where)
        if self.name:
            parts.append(self.name)
        return " ".join(parts)

    def __str__(self) -> str:
        # messages often already start with the cell ("Inputs!C7 in_x: ...") or mention the
        # name: say each part of the location once
        body = self.message
        if self.file and body.startswith(f"{self.file}: "):
            body = body[len(self.file) + 2:]
        where = " ".join(p for p in (f"{self.sheet}!{self.cell}" if self.sheet and self.cell
                                     else self.sheet, self.name) if p)
        if where and not body.startswith(where) and not (self.name and self.name in body):
            body = f"{where}: {body}"
        return f"{self.file}: {body}" if self.file else body

    def problem(self) -> Problem:
        return Problem(file=self.file, sheet=self.sheet, cell=self.cell, name=self.name,
                       expected=self.expected,
                       found=found_text(self.found),
                       message=str(self), kind=self.kind,
                       message_zh=None if self.message_zh is None else
                       (f"{self.file}: {self.message_zh}" if self.file else self.message_zh),
                       expected_zh=self.expected_zh)


class RateCardError(CalculatorError):
    """A rate-card entry is missing, malformed or out of range (names the key)."""


class InputError(CalculatorError):
    """A model input has a value the model cannot use (names the input and the value)."""


class WorkbookError(CalculatorError):
    """A file cannot be read or written as one of our workbooks."""
    kind = Kind.DAMAGED
