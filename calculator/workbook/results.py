"""From model results to the blocks of cells written under the output names."""
from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Sequence

from calculator import __version__
from calculator.model.calendar import programme_calendar
from calculator.model.eligibility import Check, eligibility, readiness
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


def roi_cell(value):
    """An ROI as a cell: blank when it is not a finite number (the programme costs nothing net,
    so a ratio to its cost means nothing); docs/model.md says so."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
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
    """"OK" when every readiness check passes; otherwise "OK (calculated): 1 readiness check
    fails, 6 warnings (see Checks)": the figures are there, the checks need a look."""
    fails = sum(1 for check in checks if check.status == "fail")
    warns = sum(1 for check in checks if check.status == "warn")
    if not fails and not warns:
        return "OK"
    parts = []
    if fails:
        parts.append(f"{fails} readiness check{'s fail' if fails > 1 else ' fails'}")
    if warns:
        parts.append(f"{warns} warning{'s' if warns > 1 else ''}")
    return "OK (calculated): " + ", ".join(parts) + " (see Checks)"


def output_blocks(inputs: StoreInputs, rates: RateCard, raw_inputs: list[object],
                  table_sums: list[float], calculated_at: dt.datetime | None = None,
                  table: ScenarioTable | None = None, notes: Sequence[Check] = ()
                  ) -> dict[str, list[list[object]]]:
    """Every output name and its block of values (header rows included where the name has one).
    ``notes``: checks about the workbook itself (rows added to the SKUs table), listed first."""
    table = table or compute_scenarios(inputs, rates)
    checks = list(notes) + list(readiness(inputs, rates))
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


# --- per-SKU pricing (issue: unit economics per SKU) ---------------------------------------

NO_SKUS = "(the SKUs table is empty: add products to see each one's margin and target price)"


def sku_blocks(inputs: StoreInputs, rates: RateCard) -> tuple[dict[str, list[list[object]]],
                                                              dict[str, object]]:
    """The SKU economics blocks, and the figures the summary shows (median margin, count of
    SKUs below the target margin, under the baseline's plan)."""
    from calculator.model.scenarios import SCENARIO_PLAN
    from calculator.model.sku_economics import (PROGRAMME_COLUMNS, SKU_ECONOMICS_COLUMNS,
                                                sku_economics)
    economics = sku_economics(inputs, rates)
    header = list(SKU_ECONOMICS_COLUMNS)
    if economics is None:
        return ({"out_sku_economics": [header, [NO_SKUS]],
                 "out_sku_programme": [list(PROGRAMME_COLUMNS)],
                 "out_sku_summary": [[None], [None]]},
                {"sku_median_margin": None, "sku_below_target": None})
    plan = SCENARIO_PLAN["baseline"]
    median = cell_value(economics.median_margin(plan))
    below = economics.below_target(plan)
    return ({"out_sku_economics": [header] + [[cell_value(v) for v in row]
                                              for row in economics.rows()],
             "out_sku_programme": [list(PROGRAMME_COLUMNS)] + [
                 [cell_value(v) for v in row] for row in economics.programme_view()],
             "out_sku_summary": [[median], [below]]},
            {"sku_median_margin": median, "sku_below_target": below})


# --- risk (issue: uncertainty and sensitivity) ---------------------------------------------

def risk_blocks(inputs: StoreInputs, rates: RateCard, risk, table: ScenarioTable
                ) -> tuple[dict[str, list[list[object]]], dict[str, dict[str, object]]]:
    """Monte Carlo quantiles per scenario, the distribution of the recommended scenario's net
    gain, and its sensitivity table; plus P(loss) and P50 ROI per scenario for the summary."""
    import numpy as np

    from calculator.model.risk import sensitivity, simulate
    result = simulate(inputs, rates, risk)
    rows = [list(c.RISK_COLUMNS)]
    per_scenario = {}
    for scenario in result.scenarios:
        figures = result.row(scenario)
        rows.append([scenario] + [roi_cell(figures[k]) if k.startswith("roi") else
                                  cell_value(figures[k]) for k in c.RISK_COLUMNS[1:]])
        per_scenario[scenario] = {"p_loss": figures["p_loss"],
                                  "roi_p50": roi_cell(figures["roi_p50"])}
    chosen = recommended_scenario(table)
    if chosen == "baseline":
        # the baseline has no programme to be uncertain about: show the best eligible track
        eligible = [s for s, ok in zip(table.scenarios, table.eligible)
                    if ok and s != "baseline"]
        chosen = eligible[0] if eligible else "gsc_rising"
    index = result.scenarios.index(chosen)
    draws = result.net_gain_draws[:, index]
    low, high = float(np.min(draws)), float(np.max(draws))
    if high - low < 1e-9:
        high = low + 1.0
    counts, edges = np.histogram(draws, bins=c.HISTOGRAM_BINS, range=(low, high))
    histogram = [list(c.HISTOGRAM_COLUMNS)] + [
        [float(edges[i]), float(edges[i + 1]), float(counts[i]) / len(draws)]
        for i in range(c.HISTOGRAM_BINS)]
    point = float(table.columns["net_gain"][index])
    tornado = [list(c.SENSITIVITY_COLUMNS)] + [
        [row.label, row.net_gain_low, row.net_gain_high, row.net_gain_low - point,
         row.net_gain_high - point, row.swing]
        for row in sensitivity(inputs, rates, chosen)[:c.SENSITIVITY_ROWS]]
    return ({"out_risk": rows, "out_risk_scenario": [[chosen]],
             "out_risk_histogram": histogram, "out_sensitivity": tornado}, per_scenario)


def calculate_blocks(io, read, calculated_at: dt.datetime | None = None):
    """Everything a run writes into one workbook: (blocks by name, scenario table, figures for
    the summary). Optional outputs are computed only when the workbook has their names (a
    workbook made by an older template keeps working)."""
    table = compute_scenarios(read.inputs, read.rates)
    blocks = output_blocks(read.inputs, read.rates, read.raw_inputs, read.table_sums,
                           calculated_at, table, read.notes)
    figures: dict[str, object] = {"sku_median_margin": None, "sku_below_target": None,
                                  "risk": {}}
    if io.has_name("out_sku_economics"):
        sku, sku_figures = sku_blocks(read.inputs, read.rates)
        blocks.update(sku)
        figures.update(sku_figures)
    if read.risk is not None:
        risk, per_scenario = risk_blocks(read.inputs, read.rates, read.risk, table)
        blocks.update(risk)
        figures["risk"] = per_scenario
    blocks = {name: block for name, block in blocks.items()
              if name in c.OUTPUTS or io.has_name(name)}
    return blocks, table, figures


def formula_values(blocks: Mapping[str, list[list[object]]]) -> dict[object, list[list[object]]]:
    """What the template's live formulas compute right after these blocks are written, stored
    as their cached values so that a spreadsheet which does not recalculate on load
    (LibreOffice as installed) shows them: the live input values (the inputs just read), the
    live table sums (the sums just snapshotted) and the stale flag (CURRENT: the snapshot
    now equals the inputs). Only formula cells take them; keys are defined names, or
    (name, column offset) for the live inputs beside the snapshot."""
    values: dict[object, list[list[object]]] = {}
    if "out_table_snapshot" in blocks:
        values[c.LIVE_TABLE_NAME] = blocks["out_table_snapshot"]
    if "out_input_snapshot" in blocks:
        values[("out_input_snapshot", c.LIVE_INPUTS_OFFSET)] = [
            ["" if row[0] is None else row[0]] for row in blocks["out_input_snapshot"]]
    if all(name in blocks for name in ("out_input_snapshot", "out_table_snapshot",
                                       "out_calculated_at")):
        values[c.STALE_NAME] = [["CURRENT"]]
    return values
