"""Regenerates the rate table at the end of docs/model.md from calculator/rates.toml, so the
page always shows the figures and sources the calculator uses (tests/test_docs.py checks it).

    .venv/bin/python docs/rate_table.py
"""
from pathlib import Path

from calculator.model.ratecard import load_rate_card
from calculator.model.texts import source_title

PAGE = Path(__file__).resolve().parent / "model.md"
HEADER = "| Key | Value | Unit | Source | Note |"


def _value(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"
    return str(value)


def rate_rows() -> list[str]:
    card = load_rate_card()
    rows = []
    for key in card:
        rate = card[key]
        source = "assumption" if rate.source == "assumption" else source_title(rate.source)
        note = (rate.note or "").replace("|", "/")
        rows.append(f"| `{key}` | {_value(rate.value)} | {rate.unit} | {source} | {note} |")
    return rows


def main() -> None:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER)
    end = start + 2
    while end < len(lines) and lines[end].startswith("| `"):
        end += 1
    lines[start + 2:end] = rate_rows()
    PAGE.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
