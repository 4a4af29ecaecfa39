"""The rate card: every default figure of the model, with its unit and source.

The packaged card lives in ``calculator/rates.toml``. A workbook's Rates table overrides it entry
by entry (:meth:`RateCard.with_overrides`). Model functions take the numbers they need as
arguments; only the scenario assembly reads the card, so a reader finds each figure once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from typing import Iterable, Mapping

from calculator.errors import RateCardError, shown

#: Families a user may extend with keys of their own (a new category's commission, a market,
#: the exchange rate of its currency). Any other unknown key is a typo and is refused.
EXTENSIBLE_PREFIXES = ("commission.", "market.", "fx.", "vat.")

_NON_NEGATIVE_UNITS = {"USD", "CNY", "g", "USD/kg", "months", "days", "hours", "count",
                       "score", "minutes"}
_ALLOWED_SOURCES_PREFIX = ("000_", "001_", "004_")


@dataclass(frozen=True)
class Rate:
    key: str
    value: float | str
    unit: str
    source: str
    effective_from: dt.date
    note: str = ""


def _validate(rate: Rate) -> Rate:
    """Return the rate with its value coerced to its unit's type, or raise naming the key."""
    key, value, unit = rate.key, rate.value, rate.unit
    if not key or key != key.strip():
        raise RateCardError(f"rate card: key {key!r} is empty or has spaces around it", name=key)
    if not (rate.source in ("assumption", "workbook")
            or rate.source.startswith(_ALLOWED_SOURCES_PREFIX)):
        raise RateCardError(f"rate card: {key}: source must be a seed file name, 'assumption' "
                            f"or 'workbook' (a user's edit), "
                            f"found {rate.source!r}", name=key, expected="source", found=rate.source)
    if unit == "code":
        if not isinstance(value, str) or not value.strip().isalpha():
            raise RateCardError(f"rate card: {key}: expected a code such as 'PLN', found "
                                f"{shown(value)}", name=key, expected="a code", found=value)
        return replace(rate, value=value.strip().upper())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RateCardError(f"rate card: {key}: expected a number ({unit}), found {shown(value)}",
                            name=key, expected=f"a number in {unit}", found=value)
    number = float(value)
    if not math.isfinite(number):
        raise RateCardError(f"rate card: {key}: expected a finite number, found {shown(value)}",
                            name=key, expected="a finite number", found=value)
    if unit == "fraction" and not 0.0 <= number <= 1.0:
        raise RateCardError(f"rate card: {key}: expected a fraction between 0 and 1 "
                            f"(40% is 0.4), found {shown(value)}", name=key,
                            expected="a fraction 0..1", found=value)
    if unit == "lift" and number < 0:
        raise RateCardError(f"rate card: {key}: expected a lift of 0 or more, found {shown(value)}",
                            name=key, expected="a lift >= 0", found=value)
    if unit in _NON_NEGATIVE_UNITS and number < 0:
        raise RateCardError(f"rate card: {key}: expected 0 or more {unit}, found {shown(value)}",
                            name=key, expected=f">= 0 {unit}", found=value)
    if unit == "ratio" and number <= 0:
        raise RateCardError(f"rate card: {key}: expected a ratio above 0, found {shown(value)}",
                            name=key, expected="> 0", found=value)
    return replace(rate, value=number)


class RateCard(Mapping[str, Rate]):
    """An immutable, validated set of rates, looked up by key."""

    def __init__(self, rates: Iterable[Rate]):
        entries: dict[str, Rate] = {}
        for rate in rates:
            rate = _validate(rate)
            if rate.key in entries:
                raise RateCardError(f"rate card: key {rate.key} appears twice", name=rate.key)
            entries[rate.key] = rate
        self._entries = entries

    # Mapping protocol ---------------------------------------------------------------------
    def __getitem__(self, key: str) -> Rate:
        try:
            return self._entries[key]
        except KeyError:
            raise RateCardError(f"rate card: no entry {key!r}", name=key) from None

    def __contains__(self, key: object) -> bool:
        # Mapping's default goes through __getitem__, whose error is ours, not a KeyError
        return key in self._entries

    def get(self, key: str, default=None):
        return self._entries.get(key, default)

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    # Lookups ------------------------------------------------------------------------------
    def number(self, key: str) -> float:
        value = self[key].value
        if isinstance(value, str):
            raise RateCardError(f"rate card: {key}: expected a number, found {shown(value)}",
                                name=key)
        return value

    def derived(self, name: str, build):
        """``build(self)``, worked out once per card: a figure of the card alone (a plan's
        price card) that a workbook's run asks for a few dozen times. The card never
        changes, so neither does the figure; a new card (another workbook's overrides)
        works out its own."""
        cache = self.__dict__.setdefault("_derived", {})
        if name not in cache:
            cache[name] = build(self)
        return cache[name]

    def code(self, key: str) -> str:
        return str(self[key].value)

    def family(self, prefix: str) -> dict[str, Rate]:
        """Entries whose key starts with ``prefix``, keyed by the rest (``commission.`` -> general)."""
        return {k[len(prefix):]: r for k, r in self._entries.items() if k.startswith(prefix)}

    def with_overrides(self, overrides: Mapping[str, object] | Iterable[Rate]) -> "RateCard":
        """A new card with some values replaced (a workbook's Rates table), in one pass: only
        the changed entries are validated (the rest already were). When no value changes,
        this card itself.

        ``overrides`` maps key -> value (unit, source and note kept from the packaged entry;
        the source of an edited value becomes "workbook") or is an iterable of full Rate rows.
        Unknown keys are refused unless they extend a user-extensible family. A key given
        twice takes its last value.
        """
        merged = dict(self._entries)
        items = overrides.items() if isinstance(overrides, Mapping) else [(r.key, r) for r in overrides]
        changed = False
        for key, new in items:
            rate = self.overridden(key, new)
            merged[key] = self._entries[key] if rate is None else rate
            changed = changed or rate is not None
        # a workbook whose Rates table keeps every default gets the card itself, with the
        # figures it has already worked out (price cards, fingerprint) for the workbooks before
        return RateCard._trusted(merged) if changed else self

    def overridden(self, key: str, new: object) -> Rate | None:
        """The validated entry ``key`` would have with the value ``new`` (or the full Rate row
        ``new``); None when that is the value it already has. Raises RateCardError naming the
        key, so a caller can check a table row by row before one :meth:`with_overrides`."""
        base = self._entries.get(key)
        if isinstance(new, Rate):
            if base is None:
                if not key.startswith(EXTENSIBLE_PREFIXES):
                    raise RateCardError(_unknown_key_message(key), name=key)
                return _validate(new)
            if new.value == base.value:
                return None
            return _validate(replace(base, value=new.value, source=_edited_source(base, new)))
        if base is None:
            if not key.startswith(EXTENSIBLE_PREFIXES):
                raise RateCardError(_unknown_key_message(key), name=key)
            unit = "code" if key.startswith("market.") else (
                "ratio" if key.startswith("fx.") else "fraction")
            return _validate(Rate(key, new, unit, "assumption", dt.date.today(),
                                  "added in workbook"))
        if new == base.value:
            return None
        return _validate(replace(base, value=new, source="workbook"))

    @classmethod
    def _trusted(cls, entries: dict[str, Rate]) -> "RateCard":
        """A card from entries that are already validated (no second pass over them)."""
        card = cls.__new__(cls)
        card._entries = entries
        return card

    def fingerprint(self) -> str:
        """Short hash of every key, value and unit: two cards with the same figures match."""
        return self.derived("fingerprint", RateCard._fingerprint)

    def _fingerprint(self) -> str:
        # one line per entry, hashed as one text: the digest of the lines fed one by one
        entries = self._entries
        text = "".join([f"{key}={entries[key].value!r}[{entries[key].unit}]\n"
                        for key in sorted(entries)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _edited_source(base: Rate, row: Rate) -> str:
    return row.source if row.source and row.source != base.source else "workbook"


def _unknown_key_message(key: str) -> str:
    return (f"rate card: unknown key {key!r}: expected one of the packaged keys, or a new "
            f"entry in a family you may extend ({', '.join(EXTENSIBLE_PREFIXES)})")


def parse_rates(document: Mapping) -> list[Rate]:
    rows = document.get("rate")
    if not isinstance(rows, list):
        raise RateCardError("rate card: expected a list of [[rate]] entries")
    rates = []
    for index, row in enumerate(rows, start=1):
        missing = [f for f in ("key", "value", "unit", "source", "effective_from") if f not in row]
        if missing:
            raise RateCardError(f"rate card: entry {index} ({row.get('key', '?')}) lacks "
                                f"{', '.join(missing)}", name=row.get("key"))
        effective = row["effective_from"]
        if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
            raise RateCardError(f"rate card: {row['key']}: effective_from must be a date "
                                f"(YYYY-MM-DD), found {effective!r}", name=row["key"])
        rates.append(Rate(row["key"], row["value"], row["unit"], row["source"], effective,
                          row.get("note", "")))
    return rates


def load_rate_card(text: str | None = None) -> RateCard:
    """The packaged rate card (or one parsed from TOML ``text``), validated."""
    if text is None:
        return _packaged_card()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RateCardError(f"rate card: not valid TOML: {error}") from None
    return RateCard(parse_rates(document))


_PACKAGED: RateCard | None = None


def _packaged_card() -> RateCard:
    global _PACKAGED
    if _PACKAGED is None:
        text = resources.files("calculator").joinpath("rates.toml").read_text(encoding="utf-8")
        _PACKAGED = RateCard(parse_rates(tomllib.loads(text)))
    return _PACKAGED
