"""The rate card: the packaged defaults, their sources, validation and workbook overrides.

Every expected figure is read off domain.md ("Figures from the sources") by hand.
"""
import pytest

from calculator.errors import RateCardError
from calculator.model.freight import quote
from calculator.model.ratecard import RateCard, load_rate_card

SEEDS = {"000_c8cb9e0707c5223d.txt", "001_4a1523759a513ec2.txt", "004_570e7f8241c53819.txt"}


def _card(key="fees.x", value="0.5", unit="fraction", source='"assumption"'):
    """A one-entry TOML rate card; each argument is pasted verbatim into the TOML."""
    return (f'[[rate]]\nkey = "{key}"\nvalue = {value}\nunit = "{unit}"\n'
            f"source = {source}\neffective_from = 2024-04-01\n")


# --- the packaged card -------------------------------------------------------------------

def test_packaged_card_loads_with_the_domain_defaults():
    rates = load_rate_card()
    assert len(rates) > 50
    # domain.md, Logistics (000): 500 g first weight for $2.80, $0.45 a step of 100 g
    # (Known ambiguities: step stored as 100 g), standard 37% dearer, subsidy cap 12%;
    # Shumao $2.10/kg, first parcel free (001)
    assert rates.number("freight.standard.first_weight_g") == 500
    assert rates.number("freight.standard.first_price_usd") == 2.80
    assert rates.number("freight.standard.step_g") == 100
    assert rates.number("freight.standard.step_price_usd") == 0.45
    assert rates.number("freight.economy.standard_premium") == 0.37
    assert rates.number("freight.subsidy.cap_over_economy") == 0.12
    assert rates.number("freight.shumao.price_per_kg_usd") == 2.10
    assert rates.number("freight.shumao.free_parcels") == 1
    # spend: A+ official free, third party ¥800..1,200 (mid = (800 + 1200) / 2 = 1000);
    # interview translation $45, equipment ¥580..1,200, consulting ¥1,800..3,500
    assert rates.number("aplus.official_cny_per_page") == 0
    assert rates.number("aplus.third_party_cny_per_page.low") == 800
    assert rates.number("aplus.third_party_cny_per_page.mid") == 1000
    assert rates.number("aplus.third_party_cny_per_page.high") == 1200
    assert rates.number("interview.translation_usd_per_session") == 45
    assert rates.number("interview.equipment_cny.low") == 580
    assert rates.number("interview.equipment_cny.high") == 1200
    assert rates.number("interview.consulting_cny_per_session.low") == 1800
    assert rates.number("interview.consulting_cny_per_session.high") == 3500
    # fees (001): commission 5%, apparel 8%
    assert rates.number("commission.general") == 0.05
    assert rates.number("commission.apparel") == 0.08
    # GMV effects: +147% both GSC tracks (000), +47% Shumao (001), Super Hot +$10,000 (000);
    # coupons up to $3,000 a quarter (000)
    assert rates.number("lift.gsc_rising") == 1.47
    assert rates.number("lift.gsc_leap") == 1.47
    assert rates.number("lift.shumao") == 0.47
    assert rates.number("super_hot.added_gmv_usd_per_month") == 10000
    assert rates.number("coupons.max_usd_per_quarter") == 3000
    # eligibility and calendar (000): 180 days, $5,000 a month, T+7/30/90, fuse 72 h, GMT+8
    assert rates.number("eligibility.rising_max_store_age_days") == 180
    assert rates.number("eligibility.leap_min_monthly_gmv_usd") == 5000
    assert rates.number("calendar.self_assessment_days") == 7
    assert rates.number("calendar.tasks_days") == 30
    assert rates.number("calendar.resources_days") == 90
    assert rates.number("calendar.fuse_hours") == 72
    assert rates.number("calendar.utc_offset_hours") == 8
    assert rates.code("market.PL") == "PLN"


def test_every_entry_cites_a_seed_file_or_says_assumption():
    rates = load_rate_card()
    bad = {key: r.source for key, r in rates.items()
           if r.source != "assumption" and r.source not in SEEDS}
    assert bad == {}
    # the figures domain.md quotes from a seed are not passed off as assumptions...
    assert rates["freight.standard.first_price_usd"].source == "000_c8cb9e0707c5223d.txt"
    assert rates["freight.shumao.price_per_kg_usd"].source == "001_4a1523759a513ec2.txt"
    assert rates["interview.translation_usd_per_session"].source == "004_570e7f8241c53819.txt"
    # ...and our own readings are not passed off as the seed's: the 100 g step
    # (Known ambiguities) and the ¥1,000 midpoint are assumptions
    assert rates["freight.standard.step_g"].source == "assumption"
    assert rates["aplus.third_party_cny_per_page.mid"].source == "assumption"


# --- validation: the error names the key ---------------------------------------------------

def test_a_good_one_entry_card_loads():
    rates = load_rate_card(_card())
    assert rates.number("fees.x") == 0.5


@pytest.mark.parametrize("key", [" freight.padded", ""])
def test_bad_key_is_refused_naming_it(key):
    with pytest.raises(RateCardError) as info:
        load_rate_card(_card(key=key))
    assert repr(key) in str(info.value)


def test_duplicate_key_is_refused_naming_it():
    with pytest.raises(RateCardError, match="fees.dup"):
        load_rate_card(_card(key="fees.dup") + _card(key="fees.dup"))


@pytest.mark.parametrize("value, unit", [
    ('"abc"', "USD"),        # not a number
    ("-1.0", "USD"),         # negative money
    ("1.5", "fraction"),     # 150% given as a fraction
    ("0", "ratio"),          # an exchange rate of 0
    ("nan", "USD"),          # not finite
    ("true", "count"),       # a boolean is not a number
])
def test_bad_value_is_refused_naming_the_key(value, unit):
    with pytest.raises(RateCardError) as info:
        load_rate_card(_card(key="fees.bad_value", value=value, unit=unit))
    assert "fees.bad_value" in str(info.value)


@pytest.mark.parametrize("source", ['"wikipedia"', '"002_unknown.txt"', '""'])
def test_bad_source_is_refused_naming_the_key(source):
    with pytest.raises(RateCardError) as info:
        load_rate_card(_card(key="fees.bad_source", source=source))
    message = str(info.value)
    assert "fees.bad_source" in message
    assert "source" in message


def test_missing_field_is_refused_naming_the_key():
    text = '[[rate]]\nkey = "fees.no_unit"\nvalue = 1\nsource = "assumption"\n' \
           "effective_from = 2024-04-01\n"
    with pytest.raises(RateCardError) as info:
        load_rate_card(text)
    assert "fees.no_unit" in str(info.value) and "unit" in str(info.value)


# --- overrides (a workbook's Rates table) ----------------------------------------------------

def test_with_overrides_changes_one_entry_and_leaves_the_rest():
    rates = load_rate_card()
    edited = rates.with_overrides({"freight.standard.first_price_usd": 3.00})
    assert edited.number("freight.standard.first_price_usd") == 3.00
    assert edited["freight.standard.first_price_usd"].source == "workbook"
    assert edited["freight.standard.first_price_usd"].unit == "USD"
    changed = {k for k in rates if rates[k] != edited[k]}
    assert changed == {"freight.standard.first_price_usd"}
    assert set(edited) == set(rates)
    # the packaged card is untouched
    assert rates.number("freight.standard.first_price_usd") == 2.80
    # and the user sees it in a quote: 750 g = $3.00 + ceil(250 / 100) = 3 steps x $0.45
    # = 3.00 + 1.35 = $4.35 (was $4.15)
    assert quote(750, edited).standard == pytest.approx(4.35)
    assert quote(750, rates).standard == pytest.approx(4.15)


def test_with_overrides_refuses_an_unknown_key_naming_it():
    with pytest.raises(RateCardError) as info:
        load_rate_card().with_overrides({"freight.standard.frist_price_usd": 3.0})
    assert "freight.standard.frist_price_usd" in str(info.value)


def test_with_overrides_refuses_a_bad_value_naming_the_key():
    # commission 150% is not a fraction
    with pytest.raises(RateCardError) as info:
        load_rate_card().with_overrides({"commission.general": 1.5})
    assert "commission.general" in str(info.value)


def test_with_overrides_may_add_a_commission_category():
    edited = load_rate_card().with_overrides({"commission.toys": 0.06})
    assert edited.number("commission.toys") == 0.06
    assert isinstance(edited, RateCard)
    assert len(edited) == len(load_rate_card()) + 1


def test_membership_test_of_a_missing_key_is_false():
    assert ("market.XX" in load_rate_card()) is False


def test_the_fingerprint_is_the_hash_of_one_line_per_entry_in_key_order():
    # two entries given out of order: the fingerprint is the first 12 hex digits of the
    # SHA-256 of "a.rate=0.25[fraction]\nb.code='PLN'[code]\n" (keys sorted, value's repr, unit)
    import datetime as dt
    import hashlib
    from calculator.model.ratecard import Rate
    card = RateCard([Rate("b.code", "pln", "code", "assumption", dt.date(2026, 1, 1)),
                     Rate("a.rate", 0.25, "fraction", "assumption", dt.date(2026, 1, 1))])
    text = b"a.rate=0.25[fraction]\nb.code='PLN'[code]\n"
    assert card.fingerprint() == hashlib.sha256(text).hexdigest()[:12]
    assert card.with_overrides({"a.rate": 0.3}).fingerprint() != card.fingerprint()


def test_a_workbooks_card_has_the_fingerprint_of_its_own_lines():
    # the fingerprint of a card with one override is the hash of every line in key order,
    # the edited value's line included ("freight.standard.first_price_usd=3.0[usd]"-style), and differ from the
    # packaged card's
    import hashlib
    packaged = load_rate_card()
    edited = packaged.with_overrides({"freight.standard.first_price_usd": 3.0})
    for card in (packaged, edited, packaged):
        text = "".join(f"{key}={card[key].value!r}[{card[key].unit}]\n" for key in sorted(card))
        assert card.fingerprint() == hashlib.sha256(text.encode()).hexdigest()[:12]
    assert edited.fingerprint() != packaged.fingerprint()
