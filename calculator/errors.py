"""Errors as data: every problem we report to a user is a CalculatorError with a message
that names where it happened (file, sheet, cell, defined name) and what was expected.

No other exception type should reach a user; the CLI turns these into one-line messages.
"""
from __future__ import annotations


class CalculatorError(Exception):
    """Base class of every error this package raises on purpose.

    ``str(error)`` is a complete, user-readable sentence. The optional location fields let a
    batch collect errors as records (file, sheet, cell, name, expected, found) and report them
    together, beancount-style, instead of stopping at the first one.
    """

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None,
                 cell: str | None = None, name: str | None = None,
                 expected: str | None = None, found: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell
        self.name = name
        self.expected = expected
        self.found = found

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

    def as_record(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "name": self.name,
                "expected": self.expected,
                "found": None if self.found is None else str(self.found),
                "message": str(self)}


class RateCardError(CalculatorError):
    """A rate-card entry is missing, malformed or out of range (names the key)."""


class InputError(CalculatorError):
    """A model input has a value the model cannot use (names the input and the value)."""


class WorkbookError(CalculatorError):
    """A file cannot be read or written as one of our workbooks."""
