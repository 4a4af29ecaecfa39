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
    aeroi run FOLDER                  calculate every workbook in a folder
    aeroi check FOLDER                validate workbooks without writing
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


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
        click.echo("  Note: the packaged freight card is quoted for Poland (000); "
                   "add your own card to a workbook's Rates table.")


if __name__ == "__main__":  # pragma: no cover
    main()
