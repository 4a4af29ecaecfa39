"""`aeroi quote`: one parcel under every plan (domain.md, "Freight per parcel").

750 g to Poland, by hand:
  standard   2.80 + ceil(250 / 100) = 3 steps x 0.45 = 4.15
  economy    4.15 / 1.37 = 3.0291971 -> $3.03
  subsidised min(4.15, 3.0291971 x 1.12 = 3.3927007) -> $3.39; subsidy 4.15 - 3.3927 = 0.7573 -> $0.76
  Shumao     first parcel free $0.00; next 750 x 2.10 / 1000 = 1.575 -> $1.58 (half away from zero)
"""
import json

import pytest
from click.testing import CliRunner

from calculator.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_quote_prints_each_plan():
    result = run("quote", "--weight-g", "750")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "750 g to PL" in lines[0]

    def price(label):
        line = next(line for line in lines if label in line)
        return line.rsplit("$", 1)[1].strip()

    assert price("Standard shipping") == "4.15"
    assert price("Economy shipping") == "3.03"
    assert price("Standard after the GSC subsidy") == "3.39"
    assert price("platform subsidy per parcel") == "0.76"
    assert price("Shumao exclusive, first parcel") == "0.00"
    assert price("Shumao exclusive, next parcels") == "1.58"


def test_quote_json_is_parseable_with_each_plan():
    result = run("quote", "--weight-g", "750", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["market"] == "PL"
    assert data["weight_g"] == 750
    assert data["standard"] == pytest.approx(4.15)
    assert data["economy"] == pytest.approx(4.15 / 1.37)               # 3.0291971
    assert data["subsidised"] == pytest.approx(4.15 / 1.37 * 1.12)     # 3.3927007
    assert data["subsidy"] == pytest.approx(4.15 - 4.15 / 1.37 * 1.12)  # 0.7572993
    assert data["shumao_first_parcel"] == 0
    assert data["shumao_next_parcel"] == pytest.approx(1.575)
    assert isinstance(data["rate_card"], str) and data["rate_card"]


def test_quote_one_kilo():
    # 1000 g: 2.80 + 5 x 0.45 = 5.05; Shumao 1000 x 0.0021 = 2.10
    data = json.loads(run("quote", "--weight-g", "1000", "--json").output)
    assert data["standard"] == pytest.approx(5.05)
    assert data["shumao_next_parcel"] == pytest.approx(2.10)


def test_quote_with_dimensions_charges_volumetric_weight():
    # 300 g in a 40 x 30 x 10 cm box: 12,000 / 8,000 = 1.5 kg -> 2.80 + 10 x 0.45 = 7.30
    result = run("quote", "--weight-g", "300", "--dims-cm", "40", "30", "10")
    assert result.exit_code == 0, result.output
    assert "chargeable 1500 g" in result.output
    assert "7.30" in next(line for line in result.output.splitlines() if "Standard shipping" in line)


def test_quote_other_market_notes_the_polish_card():
    result = run("quote", "--weight-g", "750", "--market", "es")
    assert result.exit_code == 0, result.output
    assert "to ES" in result.output and "Poland" in result.output


@pytest.mark.parametrize("weight, words", [
    ("0", "expected a weight in grams > 0, found 0"),
    ("-5", "found -5"),
    ("nan", "--weight-g"),
    ("heavy", "'heavy' is not a valid float"),
])
def test_bad_weight_exits_2_with_a_message_and_no_traceback(weight, words):
    result = run("quote", "--weight-g", weight)
    assert result.exit_code == 2
    assert words in result.output
    assert "--weight-g" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_unknown_market_exits_2_naming_it_without_traceback():
    result = run("quote", "--weight-g", "750", "--market", "XX")
    assert result.exit_code == 2
    assert "XX" in result.output
    assert "Traceback" not in result.output


def test_unknown_market_lists_the_known_ones():
    result = run("quote", "--weight-g", "750", "--market", "XX")
    assert result.exit_code == 2
    assert "unknown market" in result.output and "PL" in result.output
