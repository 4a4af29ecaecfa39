"""Freight per parcel under each logistics plan, vectorised over weights.

A plan card prices a parcel as a first-weight band plus continued-weight steps:

    cost(w) = p + f + ceil(max(0, w - F) / S) * s        for w > 0 grams

(domain.md, "Freight per parcel"). Weights are compared in whole milligrams, so that float
noise such as 600.0000001 g does not buy an extra step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.errors import InputError
from calculator.model.arrays import scalar_or_array
from calculator.model.ratecard import RateCard

_MG_PER_G = 1000


@dataclass(frozen=True)
class PlanCard:
    """One logistics price card.

    first_weight_g / first_price_usd: the first-weight band ``F`` and its price ``f``;
    step_g / step_price_usd: each continued step ``S`` and its price ``s``;
    parcel_fee_usd: a per-parcel fee ``p``; max_weight_g: heaviest parcel accepted (0 = no limit).
    """

    name: str
    first_weight_g: float
    first_price_usd: float
    step_g: float
    step_price_usd: float
    parcel_fee_usd: float = 0.0
    max_weight_g: float = 0.0

    def __post_init__(self):
        if not self.step_g > 0:
            raise InputError(f"freight plan {self.name}: the continued-weight step must be "
                             f"more than 0 g, found {self.step_g!r}", name=self.name)


def chargeable_weight_g(weight_g, length_cm=None, width_cm=None, height_cm=None,
                        divisor_cm3_per_kg: float = 8000.0):
    """Chargeable weight: the larger of the actual and the volumetric weight.

    Notes
    -----
    ``chargeable = max(actual, L * W * H / divisor * 1000)`` grams, with L, W, H in cm and the
    divisor in cm³ per kg. Without dimensions the actual weight is charged.

    Examples
    --------
    >>> float(chargeable_weight_g(300, 40, 30, 10, 8000))   # 12,000 cm³ / 8000 = 1.5 kg
    1500.0
    """
    weight = np.asarray(weight_g, dtype=float)
    if length_cm is None or width_cm is None or height_cm is None:
        return weight
    volume = (np.asarray(length_cm, dtype=float) * np.asarray(width_cm, dtype=float)
              * np.asarray(height_cm, dtype=float))
    return np.maximum(weight, volume / divisor_cm3_per_kg * 1000.0)


#: Not a plan's limit but a sanity bound (1,000 tonnes): a weight beyond it is a typing
#: mistake, and would overflow the whole-milligram arithmetic below.
MAX_WEIGHT_G = 1e9


def check_weights(weight_g, what: str = "weight_g") -> np.ndarray:
    """The weights as a float array, or an InputError naming the first unusable value."""
    try:
        weight = np.asarray(weight_g, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{what}: expected a weight in grams > 0, found {weight_g!r}",
                         name=what, expected="a weight in grams > 0", found=weight_g) from None
    bad = ~np.isfinite(weight) | (weight <= 0) | (weight > MAX_WEIGHT_G)
    if bad.any():
        found = weight.flat[int(np.flatnonzero(bad)[0])]
        shown = "missing" if np.isnan(found) else repr(float(found))
        raise InputError(f"{what}: expected a weight in grams > 0 and at most "
                         f"{MAX_WEIGHT_G:,.0f}, found {shown}", name=what,
                         expected="a weight in grams > 0", found=shown)
    return weight


def plan_freight_usd(weight_g, card: PlanCard):
    """Price of one parcel of ``weight_g`` grams on ``card`` (vectorised).

    Notes
    -----
    ``cost(w) = p + f + ceil(max(0, w - F) / S) * s``, with ``w``, ``F`` and ``S`` rounded to
    whole milligrams before the ceiling.

    Examples
    --------
    Standard shipping to Poland (F = 500 g at $2.80, then $0.45 per 100 g):

    >>> card = PlanCard("standard", 500, 2.80, 100, 0.45)
    >>> [round(float(x), 2) for x in plan_freight_usd([500, 501, 750], card)]
    [2.8, 3.25, 4.15]
    """
    weight = check_weights(weight_g)
    if card.max_weight_g and (weight > card.max_weight_g).any():
        heaviest = float(weight.max())
        raise InputError(f"weight_g: {heaviest:g} g is over the {card.name} plan's maximum of "
                         f"{card.max_weight_g:g} g", name="weight_g",
                         expected=f"at most {card.max_weight_g:g} g", found=heaviest)
    # whole milligrams held in float64 (exact below 2**53 mg), computed in place: one array
    # for the whole column instead of a temporary per step
    price = np.multiply(weight.reshape(-1), _MG_PER_G)      # 1-D, so the ops below are in place
    np.rint(price, out=price)
    price -= round(card.first_weight_g * _MG_PER_G)
    np.maximum(price, 0.0, out=price)
    price /= round(card.step_g * _MG_PER_G)
    np.ceil(price, out=price)                       # continued-weight steps
    price *= card.step_price_usd
    price += card.parcel_fee_usd + card.first_price_usd
    price = price.reshape(weight.shape)
    return scalar_or_array(price)


def standard_card(rates: RateCard) -> PlanCard:
    """The standard plan's card (built once per rate card: every plan prices from it)."""
    return rates.derived("freight.standard_card", _standard_card)


def economy_card(rates: RateCard) -> PlanCard | None:
    """The economy plan's own card, or None when economy is derived from standard / 1.37."""
    return rates.derived("freight.economy_card", _economy_card)


def shumao_card(rates: RateCard) -> PlanCard:
    return rates.derived("freight.shumao_card", _shumao_card)


def _standard_card(rates: RateCard) -> PlanCard:
    return PlanCard("standard",
                    rates.number("freight.standard.first_weight_g"),
                    rates.number("freight.standard.first_price_usd"),
                    rates.number("freight.standard.step_g"),
                    rates.number("freight.standard.step_price_usd"),
                    rates.number("freight.standard.parcel_fee_usd"),
                    rates.number("freight.standard.max_weight_g"))


def _economy_card(rates: RateCard) -> PlanCard | None:
    if rates.number("freight.economy.first_price_usd") <= 0:
        return None
    return PlanCard("economy",
                    rates.number("freight.economy.first_weight_g"),
                    rates.number("freight.economy.first_price_usd"),
                    rates.number("freight.economy.step_g"),
                    rates.number("freight.economy.step_price_usd"),
                    0.0,
                    rates.number("freight.economy.max_weight_g"))


def _shumao_card(rates: RateCard) -> PlanCard:
    # $2.10 per kg (001) charged per step of freight.shumao.step_g (assumption: 1 g):
    # F = 0, f = 0, S = step, s = 2.10 × step / 1000.
    step = rates.number("freight.shumao.step_g") if "freight.shumao.step_g" in rates else 1.0
    return PlanCard("shumao", 0.0, 0.0, step,
                    rates.number("freight.shumao.price_per_kg_usd") * step / 1000.0,
                    0.0, rates.number("freight.shumao.max_weight_g"))


def economy_freight_usd(weight_g, rates: RateCard):
    """Economy price: its own card if given, else ``standard / (1 + premium)`` (000: +37%).

    Examples
    --------
    >>> from calculator.model.ratecard import load_rate_card
    >>> round(float(economy_freight_usd(750, load_rate_card())), 4)   # 4.15 / 1.37
    3.0292
    """
    own = economy_card(rates)
    if own is not None:
        return plan_freight_usd(weight_g, own)
    premium = rates.number("freight.economy.standard_premium")
    return plan_freight_usd(weight_g, standard_card(rates)) / (1.0 + premium)


def subsidised_freight_usd(standard_usd, economy_usd, cap_over_economy: float = 0.12):
    """Standard shipping after the platform subsidy: ``min(standard, economy * (1 + cap))``.

    Examples
    --------
    750 g to Poland: standard $4.15, economy $4.15 / 1.37 = $3.0292, cap 3.0292 × 1.12 = $3.3927.

    >>> round(float(subsidised_freight_usd(4.15, 4.15 / 1.37)), 4)
    3.3927
    """
    standard = np.asarray(standard_usd, dtype=float)
    capped = np.minimum(standard, np.asarray(economy_usd, dtype=float) * (1.0 + cap_over_economy))
    return scalar_or_array(capped)


def subsidy_per_parcel_usd(standard_usd, economy_usd, cap_over_economy: float = 0.12,
                           parcels_per_quarter=None, quarter_budget_usd: float = 0.0):
    """The platform's subsidy per parcel: standard − subsidised, within an optional budget.

    Notes
    -----
    ``subsidy = standard − min(standard, economy × (1 + cap))``. With a quarterly budget ``Q``
    over ``n`` parcels a quarter, the subsidy per parcel is at most ``Q / n``.
    """
    standard = np.asarray(standard_usd, dtype=float)
    subsidy = standard - subsidised_freight_usd(standard, economy_usd, cap_over_economy)
    if quarter_budget_usd and parcels_per_quarter is not None:
        parcels = np.asarray(parcels_per_quarter, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_parcel_budget = np.where(parcels > 0, quarter_budget_usd / parcels, np.inf)
        subsidy = np.minimum(subsidy, per_parcel_budget)
    return scalar_or_array(subsidy)


def shumao_average_freight_usd(weight_g, parcels, rates: RateCard):
    """Average Shumao price per parcel over ``parcels`` parcels, the first one(s) free.

    Notes
    -----
    ``average = price(w) × max(n − free, 0) / n`` with ``price(w) = $2.10/kg × w``.
    """
    price = plan_freight_usd(weight_g, shumao_card(rates))
    n = np.asarray(parcels, dtype=float)
    free = rates.number("freight.shumao.free_parcels")
    with np.errstate(divide="ignore", invalid="ignore"):
        share_paid = np.where(n > 0, np.maximum(n - free, 0.0) / n, 0.0)
    average = price * share_paid
    return scalar_or_array(average)


@dataclass(frozen=True)
class Quote:
    """Every plan's price for one parcel (USD)."""

    weight_g: float
    chargeable_weight_g: float
    standard: float
    economy: float
    subsidised: float
    subsidy: float
    shumao_first_parcel: float
    shumao_next_parcel: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def quote(weight_g: float, rates: RateCard, length_cm=None, width_cm=None,
          height_cm=None) -> Quote:
    """One parcel under every plan (the ``aeroi quote`` command)."""
    weight = check_weights(weight_g)
    chargeable = float(chargeable_weight_g(
        weight, length_cm, width_cm, height_cm,
        rates.number("freight.volumetric_divisor_cm3_per_kg")))
    standard = float(plan_freight_usd(chargeable, standard_card(rates)))
    economy = float(economy_freight_usd(chargeable, rates))
    cap = rates.number("freight.subsidy.cap_over_economy")
    subsidised = float(subsidised_freight_usd(standard, economy, cap))
    shumao_next = float(plan_freight_usd(chargeable, shumao_card(rates)))
    shumao_first = 0.0 if rates.number("freight.shumao.free_parcels") >= 1 else shumao_next
    return Quote(float(weight), chargeable, standard, economy, subsidised, standard - subsidised,
                 shumao_first, shumao_next)
