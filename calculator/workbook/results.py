"""From model results to the blocks of cells written under the output names.

Words are written in the workbook's language (``read.language``, "en" when the reader does not
say): eligibility reasons, check reasons, the status line, the recommendation.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Sequence

import numpy as np

from calculator import __version__
from calculator.model.calendar import programme_calendar
from calculator.model.eligibility import Check, readiness, typing_checks
from calculator.model.inputs import StoreInputs
from calculator.model.ratecard import RateCard
from calculator.model.scenarios import (RESULT_COLUMNS, Recommendation, ScenarioTable,
                                        compute_scenarios, recommend, verdict)
from calculator.model import texts as tx
from calculator.model.texts import SEE_REASON, message, snap_cents, source_title
from calculator.workbook import contract as c

NEVER = "never"   # kept for the summary's infinite values


def cell_value(value):
    """A model number as a cell: NaN is blank (a figure that does not apply), infinity "never"."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return NEVER
    return value


def cell_column(values: np.ndarray) -> list:
    """:func:`cell_value` of a whole column of floats at once."""
    cells = values.astype(object)
    cells[np.isnan(values)] = None
    cells[np.isinf(values)] = NEVER
    return cells.tolist()


def _risk_cell(column: str, value, lang: str):
    """A Monte Carlo figure as a cell: an ROI within a billionth of zero (the float noise of a
    net gain of 0) is 0, and in words when there is no outlay; a net gain is snapped to the
    cent; the probability of a loss as it is."""
    if column.startswith("roi"):
        return roi_cell(0.0 if isinstance(value, float) and abs(value) < 1e-9 else value, lang)
    if column.startswith("net_gain"):
        return cell_value(snap_cents(value))
    return cell_value(value)


def roi_cell(value, lang: str = "en"):
    """An ROI as a cell: the words "no outlay" when it is not a finite number (nothing is
    spent, so there is no ratio), never a silent blank."""
    if isinstance(value, float) and not math.isfinite(value):
        return message("no_outlay", lang)
    return value


def result_rows(table: ScenarioTable) -> list[list[object]]:
    return [list(RESULT_COLUMNS)] + [[cell_value(v) for v in row] for row in table.rows()]


def verdict_rows(table: ScenarioTable, p_loss: dict[str, float] | None = None
                 ) -> list[list[object]]:
    """One word per scenario (join / not eligible / needs your forecast / loses money / too
    risky), in the order of out_results; with ``p_loss``, by the recommendation's own rule."""
    return [list(c.VERDICT_COLUMNS)] + [[verdict(table, s, p_loss=p_loss)]
                                        for s in table.scenarios]


def cost_rows(table: ScenarioTable) -> list[list[object]]:
    return [list(c.COSTS_HEADER)] + table.cost_rows()


def cashflow_rows(table: ScenarioTable) -> list[list[object]]:
    # the header follows the table's programmes (c.CASHFLOW_COLUMNS for the registry's)
    return [["month"] + list(table.scenarios)] + table.cashflow_rows()


def status_text(checks, lang: str = "en") -> str:
    """"OK" when every readiness check passes; otherwise "OK (calculated): 1 readiness check
    fails, 6 warnings (see Checks)": the figures are there, the checks need a look."""
    fails = sum(1 for check in checks if check.status == "fail")
    warns = sum(1 for check in checks if check.status == "warn")
    if not fails and not warns:
        return message("status.ok", lang)
    parts = []
    if fails:
        parts.append(message("status.fails", lang, n=fails) if fails > 1
                     else message("status.fail", lang))
    if warns:
        parts.append(message("status.warnings", lang, n=warns) if warns > 1
                     else message("status.warning", lang))
    return message("status.calculated", lang, parts=message("status.joiner", lang).join(parts))


def eligible_cell(value, lang: str = "en"):
    """TRUE, FALSE or the word "unknown" (未知)."""
    return message("unknown", lang) if value is None else value


def shumao_first_month(table: ScenarioTable) -> float | None:
    """Shumao's projected GMV in its first month on the channel (a month at full lift)."""
    if "shumao" not in table.scenarios:
        return None
    return float(table.columns["monthly_gmv"][table.index("shumao")])


def output_blocks(inputs: StoreInputs, rates: RateCard, raw_inputs: list[object],
                  table_sums: list[float], calculated_at: dt.datetime | None = None,
                  table: ScenarioTable | None = None, lang: str = "en",
                  recommendation: Recommendation | None = None, notes: Sequence[Check] = (),
                  p_loss: dict[str, float] | None = None) -> dict[str, list[list[object]]]:
    """Every output name and its block of values (header rows included where the name has one).
    ``notes``: checks about the workbook itself (rows added to the SKUs table), listed first."""
    table = table or compute_scenarios(inputs, rates, lang)
    recommendation = recommendation or recommend(table, None, lang)
    shumao_open = "shumao" in table.scenarios and \
        table.eligible[table.index("shumao")] is not False
    checks = list(notes) + typing_checks(inputs, rates, lang) + list(
        readiness(inputs, rates, lang, shumao_first_month(table), shumao_open))
    deadlines = programme_calendar(inputs.eval_date, rates)
    calendar = [list(c.CALENDAR_COLUMNS)] + [
        [d.key, message(f"phase.{d.phase}", lang), d.day_offset, d.date, d.due_at.replace(tzinfo=None),
         d.fuse_at.replace(tzinfo=None)] for d in deadlines]
    check_rows = [list(c.CHECK_COLUMNS)] + [[k.check, k.status, k.reason,
                                              source_title(k.source, lang, SEE_REASON[lang])]
                                             for k in checks[:c.CHECK_ROWS]]
    stamp = (calculated_at or dt.datetime.now()).replace(microsecond=0, tzinfo=None)
    return {
        "out_status": [[status_text(checks, lang)]],
        "out_recommendation": [[recommendation.scenario]],
        "out_recommendation_text": [[recommendation.text]],
        "out_results": result_rows(table),
        "out_verdicts": verdict_rows(table, p_loss),
        "out_costs": cost_rows(table),
        "out_cashflow": cashflow_rows(table),
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
            [name, eligible_cell(e.eligible, lang), e.reason]
            for name, e in zip(table.scenarios, table.eligibility)],
        "out_checks": check_rows,
    }


# --- per-SKU pricing (issue: unit economics per SKU) ---------------------------------------

def sku_blocks(inputs: StoreInputs, rates: RateCard, lang: str = "en"
               ) -> tuple[dict[str, list[list[object]]], dict[str, object]]:
    """The SKU economics blocks (words in ``lang``), and the figures the summary shows (median
    margin, count of SKUs below the target margin, under the baseline's plan)."""
    from calculator.model.programmes import SCENARIO_PLAN
    from calculator.model.sku_economics import (PROGRAMME_COLUMNS, SKU_ECONOMICS_COLUMNS,
                                                sku_economics)
    economics = sku_economics(inputs, rates)
    header = list(SKU_ECONOMICS_COLUMNS)
    if economics is None:
        return ({"out_sku_economics": [header, [message("sku.empty", lang)]],
                 "out_sku_programme": [list(PROGRAMME_COLUMNS)],
                 "out_sku_summary": [[None], [None]]},
                {"sku_median_margin": None, "sku_below_target": None})
    plan = SCENARIO_PLAN["baseline"]
    median = cell_value(economics.median_margin(plan))
    below = economics.below_target(plan)
    columns = [cell_column(c) if isinstance(c, np.ndarray) else c
               for c in economics.columns(lang)]
    return ({"out_sku_economics": [header] + [list(row) for row in zip(*columns)],
             "out_sku_programme": [list(PROGRAMME_COLUMNS)] + [
                 [cell_value(v) for v in row] for row in economics.programme_view()],
             "out_sku_summary": [[median], [below]]},
            {"sku_median_margin": median, "sku_below_target": below})


# --- risk (issue: uncertainty and sensitivity) ---------------------------------------------

def risk_blocks(inputs: StoreInputs, rates: RateCard, result, table: ScenarioTable,
                chosen: str) -> dict[str, list[list[object]]]:
    """Monte Carlo quantiles per scenario, the distribution of ``chosen``'s net gain (the
    recommended programme, else the best one the store may enter), and its sensitivity.
    Dollar figures within half a cent of zero are 0 (float noise would show as -0.00); the
    inputs moved are named in the workbook's language."""
    from calculator.model.risk import sensitivity
    lang = table.lang
    rows = [list(c.RISK_COLUMNS)]
    for scenario in result.scenarios:
        figures = result.row(scenario)
        if table.forecast_missing[table.index(scenario)]:
            # not priced until the user gives the forecast: no spread and no chance of a loss
            # to show, as on the Results sheet and in the summary (not "no outlay" and 0%)
            rows.append([scenario] + [message("needs_forecast", lang) if k.startswith("roi")
                                      else None if k == "p_loss"
                                      else _risk_cell(k, figures[k], lang)
                                      for k in c.RISK_COLUMNS[1:]])
            continue
        rows.append([scenario] + [_risk_cell(k, figures[k], lang) for k in c.RISK_COLUMNS[1:]])
    index = result.scenarios.index(chosen)
    draws = result.net_gain_draws[:, index]
    ordered = None if result.net_gain_sorted is None else result.net_gain_sorted[index]
    if ordered is not None and np.isfinite(ordered[0]) and np.isfinite(ordered[-1]):
        low, high = float(ordered[0]), float(ordered[-1])
    else:
        low, high = float(np.min(draws)), float(np.max(draws))
        ordered = None
    if high - low < 1e-9:
        high = low + 1.0
    counts, edges = histogram_of_sorted(ordered, c.HISTOGRAM_BINS, low, high) \
        if ordered is not None else \
        np.histogram(draws, bins=c.HISTOGRAM_BINS, range=(low, high))
    histogram = [list(c.HISTOGRAM_COLUMNS)] + [
        [snap_cents(float(edges[i])), snap_cents(float(edges[i + 1])),
         float(counts[i]) / len(draws)]
        for i in range(c.HISTOGRAM_BINS)]
    point = float(table.columns["net_gain"][table.index(chosen)])
    tornado = [list(c.SENSITIVITY_COLUMNS)] + [
        [message(f"moved.{row.field}", lang) if f"moved.{row.field}" in tx.MESSAGES["en"]
         else row.label] + [snap_cents(v) for v in (
             row.net_gain_low, row.net_gain_high, row.net_gain_low - point,
             row.net_gain_high - point, row.swing)]
        for row in sensitivity(inputs, rates, chosen,
                               params=table.parameters)[:c.SENSITIVITY_ROWS]]
    return {"out_risk": rows, "out_risk_scenario": [[chosen]],
            "out_risk_histogram": histogram, "out_sensitivity": tornado}


def histogram_of_sorted(ordered: np.ndarray, bins: int, low: float, high: float):
    """``np.histogram(ordered, bins, range=(low, high))`` of finite values already sorted, all
    within [low, high] (low < high): the same edges (numpy's linspace of the range, a -0.0 made
    0.0 as numpy does) and the same counts. numpy's own path for bins of any width counts
    sorted values by searchsorted, each bin [left edge, right edge), the last one closed; its
    path for equal bins corrects its arithmetic to agree with those comparisons. Counting by
    searchsorted on the draws the simulation already sorted skips numpy's pass over them (a
    tenth of the Risk sheet's time). A test holds the two to each other."""
    first, last = low + 0.0, high + 0.0
    if not first < last:                   # numpy widens an empty range: let it
        return np.histogram(ordered, bins=bins, range=(low, high))
    edges = np.linspace(first, last, bins + 1, endpoint=True)
    below = ordered.searchsorted(edges[:-1], side="left")
    counts = np.diff(below, append=len(ordered))
    return counts, edges


def risk_subject(table: ScenarioTable, recommended: str) -> str:
    """The programme the Risk sheet details: the recommended one, else the eligible (or
    unknown) programme with the highest net gain, else the first programme; a programme
    waiting for the user's forecast only when every other is ruled out (it has no spread to
    show: its draws are all 0)."""
    if recommended in table.scenarios:
        return recommended
    programmes = [(i, name) for i, name in enumerate(table.scenarios) if name != "baseline"]
    priced = [(i, name) for i, name in programmes if not table.forecast_missing[i]]
    open_ = [(float(table.columns["net_gain"][i]), name) for i, name in priced
             if table.eligible[i] is not False]
    if open_:
        return max(open_)[1]
    return (priced or programmes)[0][1]


def calculate_blocks(io, read, calculated_at: dt.datetime | None = None):
    """Everything a run writes into one workbook: (blocks by name, scenario table, figures for
    the summary). Optional outputs are computed only when the workbook has their names.

    The probability of a loss in the recommendation comes from the Risk sheet's ranges, or
    from the rate card's default ranges when the workbook has no Risk sheet (docs/risk.md)."""
    from calculator.model.risk import default_risk_inputs, simulate
    lang = getattr(read, "language", "en") or "en"
    table = compute_scenarios(read.inputs, read.rates, lang)
    risk_inputs = read.risk if read.risk is not None else \
        default_risk_inputs(read.inputs, read.rates)
    result = simulate(read.inputs, read.rates, risk_inputs, params=table.parameters)
    p_loss = {s: float(result.p_loss[i]) for i, s in enumerate(result.scenarios)}
    recommendation = recommend(table, p_loss, lang, draws=risk_inputs.draws)
    blocks = output_blocks(read.inputs, read.rates, read.raw_inputs, read.table_sums,
                           calculated_at, table, lang, recommendation, read.notes, p_loss)
    figures: dict[str, object] = {"sku_median_margin": None, "sku_below_target": None,
                                  "risk": {}, "recommendation": recommendation}
    if io.has_name("out_sku_economics"):
        sku, sku_figures = sku_blocks(read.inputs, read.rates, lang)
        blocks.update(sku)
        figures.update(sku_figures)
    # a row waiting for the user's forecast has no distribution: blank p_loss, words for ROI
    waiting = {s for i, s in enumerate(table.scenarios) if table.forecast_missing[i]}
    figures["risk"] = {s: {"p_loss": None, "roi_p50": message("needs_forecast", lang)}
                       if s in waiting else
                       {"p_loss": p_loss[s], "roi_p50": roi_cell(float(result.roi_p50[i]), lang)}
                       for i, s in enumerate(result.scenarios)}
    if read.risk is not None:
        blocks.update(risk_blocks(read.inputs, read.rates, result, table,
                                  risk_subject(table, recommendation.scenario)))
    blocks = {name: block for name, block in blocks.items()
              if name in c.OUTPUTS or io.has_name(name)}
    return blocks, table, figures


def formula_values(blocks: Mapping[str, list[list[object]]], lang: str = "en"
                   ) -> dict[object, list[list[object]]]:
    """What the template's live formulas compute right after these blocks are written, stored
    as their cached values so that a spreadsheet which does not recalculate on load
    (LibreOffice as installed) shows them: the live input values (the inputs just read), the
    live table sums (the sums just snapshotted) and the stale flag (CURRENT: the snapshot
    now equals the inputs). Only formula cells take them; keys are defined names, or
    (name, column offset) for the live inputs beside the snapshot and the chart's labels beside
    out_results (a programme's name, marked when the store may not join it). Words are in the
    workbook's language."""
    values: dict[object, list[list[object]]] = {}
    if "out_table_snapshot" in blocks:
        values[c.LIVE_TABLE_NAME] = blocks["out_table_snapshot"]
    if "out_input_snapshot" in blocks:
        values[("out_input_snapshot", c.LIVE_INPUTS_OFFSET)] = [
            ["" if row[0] is None else row[0]] for row in blocks["out_input_snapshot"]]
    if all(name in blocks for name in ("out_input_snapshot", "out_table_snapshot",
                                       "out_calculated_at")):
        values[c.STALE_NAME] = [[tx.WORKBOOK_TEXT[lang]["stale_words"][2]]]
    if "out_results" in blocks:
        header, *rows = blocks["out_results"]
        eligible = header.index("eligible")
        mark = tx.WORKBOOK_TEXT[lang]["not_eligible_mark"]
        values[("out_results", c.CHART_LABEL_OFFSET)] = [[None]] + [
            [tx.scenario_label(row[0], lang) + (mark if row[eligible] is False else "")]
            for row in rows]
    return values
