"""One-off spend a programme asks for: A+ pages, livestreams, the onboarding interview.

Ranges quoted in the sources (¥800–1,200 a page, ¥580–1,200 of equipment, ¥1,800–3,500 of
consulting) are priced at a cost level: ``low``, ``mid`` (our midpoint) or ``high``.
"""
from __future__ import annotations

from dataclasses import dataclass

from calculator.errors import InputError
from calculator.model.fees import cny_to_usd
from calculator.model.ratecard import RateCard

COST_LEVELS = ("low", "mid", "high")
APLUS_SOURCES = ("official", "third_party")


def _check_level(level: str) -> str:
    level = str(level).strip().lower()
    if level not in COST_LEVELS:
        raise InputError(f"cost_level: expected one of {', '.join(COST_LEVELS)}, found {level!r}",
                         name="cost_level", expected="low, mid or high", found=level)
    return level


def aplus_cost_usd(pages: float, source: str, fx_cny_per_usd: float, rates: RateCard,
                   level: str = "mid") -> float:
    """A+ product pages: official template free; third-party design ¥800–1,200 each (000).

    Notes
    -----
    ``cost = pages × price per page (CNY) / fx``.

    Examples
    --------
    Five third-party pages at the ¥1,000 midpoint, ¥7.10 to the dollar: 5 × 1000 / 7.10 = $704.23.

    >>> from calculator.model.ratecard import load_rate_card
    >>> round(aplus_cost_usd(5, "third_party", 7.10, load_rate_card()), 2)
    704.23
    """
    source = str(source).strip().lower()
    if source == "official":
        per_page_cny = rates.number("aplus.official_cny_per_page")
    elif source == "third_party":
        per_page_cny = rates.number(f"aplus.third_party_cny_per_page.{_check_level(level)}")
    else:
        raise InputError(f"aplus_source: expected official or third_party, found {source!r}",
                         name="aplus_source", expected="official or third_party", found=source)
    if pages < 0:
        raise InputError(f"aplus_pages: expected 0 or more pages, found {pages!r}",
                         name="aplus_pages", expected=">= 0", found=pages)
    return float(cny_to_usd(pages * per_page_cny, fx_cny_per_usd))


@dataclass(frozen=True)
class OnboardingCost:
    equipment_usd: float
    translation_usd: float
    consulting_usd: float

    @property
    def total_usd(self) -> float:
        return self.equipment_usd + self.translation_usd + self.consulting_usd


def onboarding_cost_usd(sessions: float, fx_cny_per_usd: float, rates: RateCard,
                        level: str = "mid") -> OnboardingCost:
    """The onboarding interview (004): equipment once, translation and consulting per session.

    Notes
    -----
    ``equipment (CNY) / fx + sessions × ($45 + consulting (CNY) / fx)``.

    Examples
    --------
    One session at the midpoints, ¥7.10 to the dollar:
    890 / 7.10 + 45 + 2650 / 7.10 = 125.35 + 45 + 373.24 = $543.59.

    >>> from calculator.model.ratecard import load_rate_card
    >>> round(onboarding_cost_usd(1, 7.10, load_rate_card()).total_usd, 2)
    543.59
    """
    level = _check_level(level)
    if sessions < 0:
        raise InputError(f"interview_sessions: expected 0 or more, found {sessions!r}",
                         name="interview_sessions", expected=">= 0", found=sessions)
    if sessions == 0:
        return OnboardingCost(0.0, 0.0, 0.0)
    equipment = cny_to_usd(rates.number(f"interview.equipment_cny.{level}"), fx_cny_per_usd)
    translation = sessions * rates.number("interview.translation_usd_per_session")
    consulting = sessions * cny_to_usd(
        rates.number(f"interview.consulting_cny_per_session.{level}"), fx_cny_per_usd)
    return OnboardingCost(float(equipment), float(translation), float(consulting))


def livestream_cost_usd(count: float, usd_each: float) -> float:
    """Livestreams: no cost is quoted (000 asks for 3); the user gives the cost of one."""
    if count < 0 or usd_each < 0:
        raise InputError("livestream_usd_each: expected 0 or more USD", name="livestream_usd_each",
                         expected=">= 0", found=usd_each)
    return float(count * usd_each)


def spanish_cs_net_cost_usd(usd_per_month: float, months: float, subsidy_share: float,
                            subsidy_months: float) -> float:
    """Spanish customer service outsourced during a GSC horizon, net of the 50% first-year subsidy.

    >>> spanish_cs_net_cost_usd(400, 3, 0.5, 12)
    600.0
    """
    subsidised_months = min(months, subsidy_months)
    return float(usd_per_month * (months - subsidised_months * subsidy_share))
