"""The ``aeroi`` command line: parse, call the model or the batch, print. No logic of its own."""
from __future__ import annotations

import json
import sys

import click

from calculator import __version__
from calculator.errors import CalculatorError
from calculator.model.freight import quote
from calculator.model.ratecard import load_rate_card
from calculator.model.rounding import round_cents


class _Group(click.Group):
    """Turns our own errors into one line on stderr and exit status 2 (no traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CalculatorError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"aeroi: {error}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="aeroi")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for bug reports).")
@click.pass_context
def main(ctx, debug):
    """AliExpress programme cost and ROI calculator.

    \b
    aeroi quote --weight-g 750        price one parcel under every plan
    aeroi new PATH                    create a store workbook from the template
    aeroi run FOLDER [--csv FILE]     calculate every workbook in a folder
    aeroi check FOLDER                validate workbooks without writing
    aeroi upgrade PATH...             move older workbooks into the current template
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        import os
        os.environ["AEROI_DEBUG"] = "1"


def _positive_weight(ctx, param, value):
    if value is None:
        return value
    if not value > 0 or value != value or value == float("inf"):
        raise click.BadParameter(f"expected a weight in grams > 0, found {value:g}")
    return value


@main.command("quote")
@click.option("--weight-g", type=float, required=True, callback=_positive_weight,
              help="Parcel weight in grams (> 0).")
@click.option("--market", default="PL", show_default=True,
              help="Destination market (the packaged freight card is quoted for Poland).")
@click.option("--dims-cm", nargs=3, type=float, default=None,
              help="Parcel length, width and height in cm, for volumetric weight.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of a table.")
def quote_command(weight_g, market, dims_cm, as_json):
    """Price one parcel under every logistics plan (USD)."""
    rates = load_rate_card()
    market = market.strip().upper()
    if f"market.{market}" not in rates:
        known = ", ".join(sorted(rates.family("market.")))
        raise click.BadParameter(f"unknown market {market!r}: expected one of {known}",
                                 param_hint="--market")
    length, width, height = dims_cm if dims_cm else (None, None, None)
    result = quote(weight_g, rates, length, width, height)
    values = result.as_dict()
    if as_json:
        payload = {"market": market, **values, "rate_card": rates.fingerprint()}
        click.echo(json.dumps(payload, indent=2))
        return
    labels = [("standard", "Standard shipping"),
              ("economy", "Economy shipping"),
              ("subsidised", "Standard after the GSC subsidy"),
              ("subsidy", "  platform subsidy per parcel"),
              ("shumao_first_parcel", "Shumao exclusive, first parcel"),
              ("shumao_next_parcel", "Shumao exclusive, next parcels")]
    click.echo(f"Parcel {weight_g:g} g to {market}"
               + (f" (chargeable {result.chargeable_weight_g:g} g)"
                  if result.chargeable_weight_g != weight_g else ""))
    width_label = max(len(label) for _, label in labels)
    for key, label in labels:
        click.echo(f"  {label:<{width_label}}  ${round_cents(values[key]):>8.2f}")
    if market != "PL":
        click.echo("  Note: the packaged freight card is quoted for Poland (Global Seller Challenge article); "
                   "add your own card to a workbook's Rates table.")


@main.command("new")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the workbook's labels and instructions.")
@click.option("--lite", is_flag=True,
              help="Also write main.py and requirements.txt for the xlwings Lite add-in "
                   "(Excel on Windows, Mac and the web; no Python on the computer).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def new_command(path, lang, lite, force):
    """Create a store workbook from the template (.xlsx, or .xlsm with the Calculate button)."""
    from pathlib import Path

    from calculator.workbook.template import (build_template, macro_module_path,
                                              xlwings_vba_version)
    path = Path(path)
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; choose another name or add --force")
    if lite and path.suffix.lower() != ".xlsx":
        raise click.UsageError("xlwings Lite keeps its code in the add-in, not in VBA: "
                               "give an .xlsx path")
    build_template(path, lang)
    if lite:
        from calculator.excel.lite import write_lite_files
        folder = write_lite_files(path)
        click.echo(f"Created {path} and, for xlwings Lite, {folder / 'main.py'} and "
                   f"{folder / 'requirements.txt'}.\nIn Excel: Home > Add-ins > xlwings Lite; paste "
                   f"main.py into its main.py, add numpy to its requirements.txt; then "
                   f"Calculate in its pane.")
    elif path.suffix.lower() == ".xlsm":
        bas = macro_module_path()
        click.echo(f"Created {path} with the VBA of xlwings {xlwings_vba_version()} (the "
                   f"installed xlwings: the add-in must be the same version).\n"
                   f"One step before its Calculate button works: in Excel press Alt+F11, then "
                   f"File > Import File... > {bas or 'macros/aeroi.bas in the aeroi folder'}; "
                   f"save.")
    else:
        click.echo(f"Created {path}: fill the Inputs sheet, then run: aeroi run {path.parent}")


def _batch_options(function):
    function = click.option("--json", "as_json", is_flag=True,
                            help="Print the results and problems as JSON on stdout.")(function)
    function = click.option("--ignore-locks", is_flag=True,
                            help="Calculate workbooks even when an Excel or LibreOffice lock "
                                 "file says they are open (a lock file left by a crash).")(function)
    function = click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
                            help="Workbooks calculated in parallel.")(function)
    return function


def _run(paths, out, jobs, summary, as_json, check_only, csv_path=None, ignore_locks=False):
    from calculator.workbook.batch import printable, run_batch
    bar = None
    if not as_json and sys.stderr.isatty():
        from calculator.workbook.batch import discover
        files, _ = discover(paths)
        bar = click.progressbar(length=len(files), label="Calculating", file=sys.stderr)
        bar.__enter__()
    progress = (lambda outcome: bar.update(1)) if bar is not None else None
    try:
        report = run_batch(paths, out_dir=out, jobs=jobs, summary=summary,
                           check_only=check_only, progress=progress, csv_path=csv_path,
                           ignore_locks=ignore_locks)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        click.echo(json.dumps({"summary": report.summary_path,
                               "summary_error": report.summary_error, "notes": report.notes,
                               "skipped": [{"file": p, "why": w} for p, w in report.skipped],
                               "workbooks": [o.as_dict() for o in report.outcomes]},
                              indent=2, default=_json_default, ensure_ascii=False))
    else:
        for path, why in report.skipped:
            click.echo(f"skipped {printable(path)}: {why}", err=True)
        for outcome in report.outcomes:
            if outcome.status == "ok":
                if check_only:
                    # nothing was written: say what a run would find, not "calculated"
                    notes = _status_notes(outcome.store_status)
                    click.echo(f"{'valid':>10}  {printable(outcome.path)}"
                               + (f"  [{notes}]" if notes else ""))
                else:
                    click.echo(f"{'calculated':>10}  {printable(outcome.path)}  -> "
                               f"{outcome.recommended}  [{outcome.store_status}]")
            else:
                messages = [_without_file(problem.message, outcome.path)
                            for problem in outcome.errors] or [outcome.status]
                click.echo(f"{'FAILED':>10}  {printable(outcome.path)}: {printable(messages[0])}")
                for message in messages[1:]:
                    click.echo(f"{'':>12}{printable(message)}")
            for note in outcome.notes:
                click.echo(f"{'':>12}note: {printable(note)}")
        for note in report.notes:
            click.echo(f"note: {note}")
        done = sum(1 for o in report.outcomes if o.status == "ok")
        click.echo(f"{done} of {len(report.outcomes)} workbook(s) "
                   f"{'valid' if check_only else 'calculated'}"
                   + (f"; summary: {printable(report.summary_path)}" if report.summary_path else ""))
        if csv_path and not report.summary_error:
            click.echo(f"per-store rows: {printable(str(csv_path))}")
        if report.summary_error:
            click.echo(f"aeroi: {report.summary_error}")
        if not report.outcomes:
            click.echo("No workbooks found (.xlsx or .xlsm).", err=True)
    sys.exit(report.exit_code)


def _status_notes(status: str | None) -> str:
    """The notes of a workbook's status line without its "OK (calculated)" head: "8 warnings
    (see Checks)"."""
    text = status or ""
    head, sep, tail = text.partition(": ")
    return tail if sep and head.startswith("OK") else ("" if text == "OK" else text)


def _without_file(message: str, path: str) -> str:
    """An error message without the file name it starts with (the line already names it)."""
    from pathlib import Path
    name = Path(path).name
    for prefix in (f"{path}: ", f"{name}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _json_default(value):
    import datetime as dt
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return None
    return str(value)


@main.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write results into copies in this folder instead of in place.")
@click.option("--summary", type=click.Path(dir_okay=False), default=None,
              help="Summary workbook (default: aeroi-summary.xlsx beside the inputs).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the summary's per-store rows (store, recommended programme, "
                   "net gain, probability of loss, what is unknown or failing, status) as CSV.")
@_batch_options
def run_command(paths, out, jobs, summary, csv_path, as_json, ignore_locks):
    """Calculate every workbook in PATHS (files or folders) and write the results back."""
    _run(paths, out, jobs, summary, as_json, check_only=False, csv_path=csv_path,
         ignore_locks=ignore_locks)


@main.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@_batch_options
def check_command(paths, jobs, as_json, ignore_locks):
    """Validate workbooks without writing anything."""
    _run(paths, None, jobs, None, as_json, check_only=True, ignore_locks=ignore_locks)


@main.command("upgrade")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--no-backup", is_flag=True,
              help="Do not keep the old file beside the upgraded one (name.v1.xlsx).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the upgraded workbook (default: the old workbook's).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON on stdout.")
def upgrade_command(paths, no_backup, lang, as_json):
    """Move workbooks made from an older template into the current one, keeping the inputs,
    SKUs, Rates changes and everything of your own; the old file is kept as name.v1.xlsx."""
    from calculator.workbook.upgrade import upgrade_paths
    outcomes, skipped = upgrade_paths(paths, backup=not no_backup, lang=lang)
    if as_json:
        click.echo(json.dumps({"skipped": [{"file": p, "why": w} for p, w in skipped],
                               "workbooks": [o.as_dict() for o in outcomes]},
                              indent=2, default=_json_default, ensure_ascii=False))
    else:
        for path, why in skipped:
            click.echo(f"skipped {path}: {why}", err=True)
        for outcome in outcomes:
            if outcome.status == "upgraded":
                click.echo(f"{'upgraded':>10}  {outcome.path}  ({outcome.message}"
                           + (f"; the old file is kept as {outcome.backup}" if outcome.backup
                              else "") + ")")
                for line in outcome.kept:
                    click.echo(f"{'':>12}kept: {line}")
                if outcome.new_inputs:
                    click.echo(f"{'':>12}inputs set to the defaults of this version (check them):")
                    for name, default, source, why in outcome.new_inputs:
                        shown = "blank" if default is None else repr(default)
                        click.echo(f"{'':>14}{name} = {shown}  ({why}; default: {source})")
                for line in outcome.not_kept:
                    click.echo(f"{'':>12}NOT kept: {line}")
            elif outcome.status == "current":
                click.echo(f"{'current':>10}  {outcome.path}  ({outcome.message}: left as it is)")
            else:
                click.echo(f"{'FAILED':>10}  {outcome.path}: {outcome.message}")
        done = sum(1 for o in outcomes if o.status == "upgraded")
        click.echo(f"{done} of {len(outcomes)} workbook(s) upgraded"
                   + ("; check the inputs listed, then calculate again: aeroi run "
                      + " ".join(f'"{p}"' if " " in str(p) else str(p) for p in paths)
                      if done else ""))
        if not outcomes:
            click.echo("No workbooks found (.xlsx or .xlsm).", err=True)
    sys.exit(1 if any(o.status == "failed" for o in outcomes) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
