"""From model results to the blocks of cells written under the output names."""
from __future__ import annotations

import datetime as dt
import math

from calculator import __version__
from calculator.model.calendar import programme_calendar
from calculator.model.eligibility import eligibility, readiness
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import RateCard
from calculator.model.scenarios import (COST_COLUMNS, RESULT_COLUMNS, ScenarioTable,
                                        compute_scenarios, recommended_scenario)
from calculator.workbook import contract as c

NEVER = "never"   # payback that never comes: shown as a word, not as an infinite number


def cell_value(value):
    """A model number as a cell: NaN (undefined, e.g. ROI of a cost-free programme) is blank,
    an infinite payback is the word "never"."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return NEVER
    return value


def result_rows(table: ScenarioTable) -> list[list[object]]:
    return [list(RESULT_COLUMNS)] + [[cell_value(v) for v in row] for row in table.rows()]


def cost_rows(table: ScenarioTable) -> list[list[object]]:
    rows = [list(c.COSTS_HEADER)]
    for i, name in enumerate(table.scenarios):
        parts = [float(table.costs[col][i]) for col in COST_COLUMNS]
        rows.append([name] + parts + [math.fsum(parts)])
    return rows


def status_text(checks) -> str:
    fails = sum(1 for check in checks if check.status == "fail")
    warns = sum(1 for check in checks if check.status == "warn")
    if not fails and not warns:
        return "OK"
    parts = []
    if fails:
        parts.append(f"{fails} readiness check(s) fail")
    if warns:
        parts.append(f"{warns} warning(s)")
    return "OK: " + ", ".join(parts) + " (see Checks)"


def output_blocks(inputs: StoreInputs, rates: RateCard, raw_inputs: list[object],
                  table_sums: list[float], calculated_at: dt.datetime | None = None,
                  table: ScenarioTable | None = None) -> dict[str, list[list[object]]]:
    """Every output name and its block of values (header rows included where the name has one)."""
    table = table or compute_scenarios(inputs, rates)
    checks = readiness(inputs, rates)
    elig = eligibility(inputs, rates)
    deadlines = programme_calendar(inputs.eval_date, rates)
    calendar = [list(c.CALENDAR_COLUMNS)] + [
        [d.key, d.phase, d.day_offset, d.date, d.due_at.replace(tzinfo=None),
         d.fuse_at.replace(tzinfo=None)] for d in deadlines]
    check_rows = [list(c.CHECK_COLUMNS)] + [[k.check, k.status, k.reason, k.source]
                                             for k in checks[:c.CHECK_ROWS]]
    stamp = (calculated_at or dt.datetime.now()).replace(microsecond=0, tzinfo=None)
    return {
        "out_status": [[status_text(checks)]],
        "out_recommended": [[recommended_scenario(table)]],
        "out_results": result_rows(table),
        "out_costs": cost_rows(table),
        "out_calculated_at": [[stamp]],
        "out_calculator_version": [[__version__]],
        "out_rate_card_fingerprint": [[rates.fingerprint()]],
        "out_input_snapshot": [[v] for v in raw_inputs],
        "out_table_snapshot": [[v] for v in table_sums],
        "out_calendar": calendar,
        "out_deadline_t7": [[deadlines[0].date]],
        "out_deadline_t30": [[deadlines[1].date]],
        "out_deadline_t90": [[deadlines[2].date]],
        "out_eligibility": [list(c.ELIGIBILITY_COLUMNS)] + [
            [name, e.eligible, e.reason] for name, e in elig.items()],
        "out_checks": check_rows,
    }
