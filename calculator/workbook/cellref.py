"""Cell references: column letters, "C7", "'My sheet'!$A$1:$B$3", and the rectangle a defined
name points at. Pure text handling, no file access."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True)
class NameTarget:
    """Where a defined name points: one rectangle on one sheet."""
    name: str
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    scope: str | None = None          # the sheet a sheet-scoped name belongs to

    def __init__(self, name: str, sheet: str, min_row: int, min_col: int, max_row: int,
                 max_col: int, scope: str | None = None):
        # what the generated __init__ of a frozen dataclass does, without its
        # object.__setattr__ per field (5 µs a target; a run makes one per defined name)
        self.__dict__.update(name=name, sheet=sheet, min_row=min_row, min_col=min_col,
                             max_row=max_row, max_col=max_col, scope=scope)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.max_row - self.min_row + 1, self.max_col - self.min_col + 1)

    @property
    def top_left(self) -> str:
        return f"{column_letter(self.min_col)}{self.min_row}"


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def split_cell(ref: str) -> tuple[int, int]:
    """"C7" -> (row 7, column 3)."""
    match = _CELL_REF.match(ref.strip())
    if not match:
        raise ValueError(ref)
    return int(match.group(2)), column_number(match.group(1))


@functools.lru_cache(maxsize=4096)
def _column_of_letters(letters: str) -> int:
    return column_number(letters)


#: "A" -> 1 ... "ZZ" -> 702: most sheets' columns, looked up without parsing (the reader's and
#: the patch's hot loops look here first; :func:`column_of` handles anything else)
COLUMN_OF_LETTERS = {column_letter(number): number for number in range(1, 703)}
DIGITS = "0123456789"


def column_of(ref: str) -> int:
    """The column number of a cell reference such as "AB12" (fast: the letters are cached)."""
    letters = ref.rstrip(DIGITS)
    col = COLUMN_OF_LETTERS.get(letters)
    if col is not None:
        return col
    if not letters or not letters.isalpha():
        return split_cell(ref)[1]
    return _column_of_letters(letters)


@functools.lru_cache(maxsize=8192)          # a run looks up the same few hundred names per file
def parse_reference(text: str) -> tuple[str, tuple[int, int, int, int]]:
    """"'My sheet'!$A$1:$B$3" -> ("My sheet", (1, 1, 3, 2)). ValueError for anything that is not
    one rectangle on one named sheet (a formula, several areas, #REF!)."""
    text = text.strip()
    if text.startswith("'"):
        end = 1
        sheet_chars = []
        while end < len(text):
            if text[end] == "'":
                if end + 1 < len(text) and text[end + 1] == "'":
                    sheet_chars.append("'")
                    end += 2
                    continue
                break
            sheet_chars.append(text[end])
            end += 1
        sheet, rest = "".join(sheet_chars), text[end + 1:]
    else:
        sheet, _, rest = text.partition("!")
        rest = "!" + rest if _ else ""
    if not rest.startswith("!") or not sheet or "#REF" in sheet.upper():
        raise ValueError(text)
    first, _, last = rest[1:].partition(":")
    row1, col1 = split_cell(first)
    row2, col2 = split_cell(last) if last else (row1, col1)
    return sheet, (min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2))


def quote_sheet(sheet: str) -> str:
    """A sheet name as a reference needs it: 'Q3 ''final'' results' or Results."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) and not _CELL_REF.match(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def range_reference(sheet: str, min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    first = f"${column_letter(min_col)}${min_row}"
    last = f"${column_letter(max_col)}${max_row}"
    return f"{quote_sheet(sheet)}!{first}" + (f":{last}" if last != first else "")
