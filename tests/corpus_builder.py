"""A corpus of store workbooks that carry what finance users add to a template: buttons bound
to macros, checkboxes, text boxes, pictures, comments, charts, sparklines, dynamic-array
formulas, conditional formats, hidden and protected sheets, header pictures, a background
picture and a VBA project. Built with XlsxWriter (the only writer here that can write them).

    python -m tests.corpus_builder FOLDER [COUNT]
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from calculator.workbook.template import build_template
from tests.stores import STORE

#: What each corpus file carries, in the order they rotate through.
EXTRAS = ("button", "checkbox", "textbox", "picture", "comment", "chart", "sparkline",
          "dynamic_array", "conditional_format", "hidden_sheet", "protection", "header_picture",
          "background")


def png(width: int = 8, height: int = 8, rgb=(200, 30, 30)) -> bytes:
    """A small valid PNG, so the corpus needs no binary files."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _user_things(index: int, folder: Path):
    image = folder / f".corpus-picture-{index}.png"
    image.write_bytes(png(rgb=(20 * (index % 12), 90, 160)))

    def customise(book, sheets):
        results, inputs = sheets["Results"], sheets["Inputs"]
        notes = book.add_worksheet("My notes")
        hidden = book.add_worksheet("Lookups")
        # everything on every file: the test checks each survives
        results.insert_button("H3", {"macro": "AeroiCalculate", "caption": "Calculate"})
        inputs.insert_checkbox("H6", True)
        notes.insert_checkbox("B2", False)
        results.insert_textbox("H30", f"Reviewed by finance #{index}",
                               {"width": 200, "height": 50})
        inputs.insert_textbox("H10", "Fill the yellow cells", {"width": 180, "height": 40})
        notes.insert_image("D2", str(image))
        results.insert_image("N30", str(image))
        results.write_comment("A3", "Status comes from the batch run")
        inputs.write_comment("A5", f"T+0 agreed with the category manager ({index})")
        chart = book.add_chart({"type": "line"})
        chart.add_series({"values": "=Results!$I$8:$I$12", "categories": "=Results!$A$8:$A$12",
                          "name": "my net gain"})
        notes.insert_chart("D10", chart)
        results.add_sparkline("N8", {"range": "Results!D8:F8"})
        notes.write_column("A20", [f"item {index}-{k}" for k in range(5, 0, -1)])
        notes.write_dynamic_array_formula("B20:B24", "=SORT(A20:A24)")
        notes.write_dynamic_array_formula("C20", "=FILTER(Results!A8:A12,Results!I8:I12>0,\"\")")
        results.conditional_format("I8:I12", {"type": "3_color_scale"})
        inputs.conditional_format("C5:C10", {"type": "no_blanks", "format":
                                             book.add_format({"bold": True})})
        hidden.write_column("A1", ["PL", "ES", "FR"])
        hidden.hide()
        notes.protect("secret")
        results.set_header("&L&G&CStore workbook", {"image_left": str(image)})
        notes.set_background(str(image))
        notes.write("A1", "=Results!B3&\" / \"&Results!B4")
        notes.set_landscape()
        notes.set_paper(9)
    return customise


def build_corpus(folder: str | Path, count: int = 12) -> list[Path]:
    """``count`` workbooks, alternately .xlsm (with xlwings' VBA) and .xlsx, English and
    Chinese, each with every extra of :data:`EXTRAS` and its own figures."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        suffix = ".xlsm" if index % 2 == 0 else ".xlsx"
        path = folder / f"store-{index:03d}{suffix}"
        values = dict(STORE, in_gmv_m3=4000 + 250 * index,
                      in_parcel_weight_g=300 + 150 * (index % 8))
        build_template(path, "zh" if index % 3 == 2 else "en", values=values,
                       customise=_user_things(index, folder))
        (folder / f".corpus-picture-{index}.png").unlink()
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build_corpus(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12):
        print(path)
