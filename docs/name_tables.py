"""Regenerates the tables of defined names in docs/workbook.md from a freshly built English
template, so the page always gives the cells the template really has (tests/test_docs.py checks
that every name is documented).

    .venv/bin/python docs/name_tables.py
"""
import tempfile
from pathlib import Path

from calculator.model import texts as tx
from calculator.workbook import contract as c
from calculator.workbook.template import build_template
from calculator.workbook.xlsxpackage import XlsxPackage

PAGE = Path(__file__).resolve().parent / "workbook.md"


def _where(target) -> str:
    first = f"{target.top_left}"
    cells = first if target.shape == (1, 1) else f"{first}:{_cell(target.max_row, target.max_col)}"
    return f"{target.sheet}!{cells}"


def _cell(row: int, col: int) -> str:
    from calculator.workbook.cellref import column_letter
    return f"{column_letter(col)}{row}"


def _default(spec) -> str:
    value = spec.default
    if value is None:
        shown = ""
    elif spec.kind == c.FRACTION and value:
        shown = f"{value:.0%}"
    else:
        shown = str(value)
    why = tx.INPUT_ASSUMPTIONS.get(spec.name, {}).get("en")
    return f"{shown} ({tx.source_title(spec.source, 'en', why)})"


def tables(package: XlsxPackage) -> dict[str, list[str]]:
    inputs = []
    for spec in c.INPUTS:
        target = package.get_name(spec.name)
        expected = tx.expected_text(spec, "en", spec.choices)
        inputs.append(f"| `{spec.name}` | {_where(target)} | {spec.label_en} — {expected} | "
                      f"{spec.unit} | {'yes' if spec.required else 'no'} | {_default(spec)} |")
    risk = [f"| `{name}` | {_where(package.get_name(name))} |" for name in c.RISK_INPUT_NAMES]
    outputs = []
    for name in list(c.OUTPUTS) + list(c.OPTIONAL_OUTPUTS):
        target = package.get_name(name)
        rows, cols = target.shape
        outputs.append(f"| `{name}` | {_where(target)} | {rows} × {cols} |")
    live = [f"| `{name}` | {_where(package.get_name(name))} |"
            for name in (c.STALE_NAME, c.LIVE_TABLE_NAME)]
    return {"| Name | Cell | What | Unit | Required | Default (source) |": inputs,
            "| Name | Range |": risk,
            "| Name | Range | Shape (rows × columns, header included) |": outputs,
            "| Name | Range |#2": live}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        build_template(path, "en")
        generated = tables(XlsxPackage(path))
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    seen: dict[str, int] = {}
    for header, rows in generated.items():
        plain = header.split("#")[0]
        skip = 1 if header.endswith("#2") else 0
        start = [i for i, line in enumerate(lines) if line == plain][skip]
        end = start + 2
        while end < len(lines) and lines[end].startswith("| `"):
            end += 1
        lines[start + 2:end] = rows
        seen[header] = start
    PAGE.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
