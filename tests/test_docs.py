"""The docs describe what the code does: every defined name and every rate is documented, and
every page the README links to exists (a user following a link must not hit a missing page)."""
import re
from pathlib import Path

from calculator.model.ratecard import load_rate_card
from calculator.model.texts import source_title
from calculator.workbook import contract as c

ROOT = Path(__file__).resolve().parents[1]


def test_every_defined_name_of_the_contract_is_in_workbook_md():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    names = [s.name for s in c.INPUTS] + list(c.OUTPUTS) + list(c.OPTIONAL_OUTPUTS) \
        + list(c.RISK_INPUT_NAMES) + [c.STALE_NAME, c.LIVE_TABLE_NAME]
    missing = [name for name in names if f"`{name}`" not in text]
    assert not missing, f"docs/workbook.md does not document {missing}"


def test_every_rate_with_its_source_is_in_model_md():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    card = load_rate_card()
    missing = [key for key in card if f"| `{key}` |" not in text]
    assert not missing, f"docs/model.md lacks {missing}: regenerate its rate table"
    for key in card:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{key}` |"))
        # the source as a reader knows it: the article's title (or "assumption")
        source = "assumption" if card[key].source == "assumption" else \
            source_title(card[key].source)
        assert f"| {source} |" in row, f"{key}: source differs from rates.toml"


def test_links_and_pictures_in_the_docs_resolve():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:\s]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
