"""Benchmarks: ratios measured side by side in one run (these machines are noisy, so every
figure is compared with a baseline timed in the same run, median of several repeats; a
workbook run and its baselines take turns in each repeat).

    python benchmarks/run.py [--repeats 3] [--files 100] [--skus 20000] [--quick] [--only folder,big]

Prints a table and writes benchmarks/results.json (results-partial.json with --only). The
baselines of a workbook run are an openpyxl load + save, the zip floor (read and re-compress
every part with zipfile) and, when python-calamine is installed (the `bench` extra), reading
every sheet with it. With valgrind installed, the folder's ratio to the zip floor is also
counted in instructions (the same on every run). See docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calculator.model import freight as fr  # noqa: E402
from calculator.model.ratecard import load_rate_card  # noqa: E402

STORE = {"in_eval_date": dt.date(2026, 12, 1), "in_store_opened": dt.date(2026, 8, 1),
         "in_gmv_m1": 3200, "in_gmv_m2": 4100, "in_gmv_m3": 5300, "in_market": "PL",
         "in_category": "general", "in_aov_usd": 24.0, "in_cogs_pct": 0.45,
         "in_parcel_weight_g": 750}


def timed(function, repeats: int, setup=None) -> float:
    """Median wall time of ``function`` over ``repeats`` runs (``setup`` untimed before each)."""
    return timed_in_turn({"": function}, repeats, setup)[""]


def timed_in_turn(functions: dict, repeats: int, setup=None) -> dict:
    """Median wall time of each of ``functions`` (name -> function), run in turn: the first,
    the second, ..., then again, ``repeats`` rounds (``setup`` untimed before each run). A
    ratio of two of them then compares runs made minutes apart at most, on the same machine
    state: timed one after the other, a slow spell of a shared machine lands on one side."""
    times: dict = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            if setup:
                setup()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(spent) for name, spent in times.items()}


# --- 1. freight: vectorised vs a per-parcel loop of the same formula ------------------------

def freight_loop(weights, card: fr.PlanCard) -> list[float]:
    """The plan formula one parcel at a time in plain Python (the baseline)."""
    out = []
    for weight in weights:
        extra = max(0.0, weight - card.first_weight_g)
        steps = math.ceil(round(extra / card.step_g, 9))
        out.append(card.first_price_usd + steps * card.step_price_usd + card.parcel_fee_usd)
    return out


def bench_freight(repeats: int, n: int) -> dict:
    rates = load_rate_card()
    card = fr.standard_card(rates)
    weights = np.random.default_rng(1).uniform(1, 2000, n).round(0)
    listed = weights.tolist()
    vector = timed(lambda: fr.plan_freight_usd(weights, card), repeats)
    loop = timed(lambda: freight_loop(listed, card), max(1, repeats // 2))
    same = np.allclose(fr.plan_freight_usd(weights, card), freight_loop(listed, card))
    return {"name": f"freight, {n:,} weights: loop / vectorised", "ratio": loop / vector,
            "target": ">= 50", "met": loop / vector >= 50, "vectorised_s": vector,
            "loop_s": loop, "same_results": bool(same)}


# --- fixtures ------------------------------------------------------------------------------

def make_folder(folder: Path, files: int, skus: int = 0) -> list[Path]:
    from calculator.workbook.template import build_template
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"sku": f"SKU-{i:05d}", "category": "apparel" if i % 3 else "general",
             "weight_g": 200 + (i * 37) % 1800, "price_usd": 5 + (i * 13) % 60,
             "orders_per_month": (i * 7) % 40, "aplus": i % 5 == 0,
             "unit_cost": 2 + (i * 11) % 20, "unit_cost_currency": "USD"}
            for i in range(skus)]
    first = folder / "store-000.xlsx"
    build_template(first, "en", values=STORE, skus=rows or None)
    paths = [first]
    for i in range(1, files):
        path = folder / f"store-{i:03d}.xlsx"
        shutil.copyfile(first, path)
        paths.append(path)
    return paths


def openpyxl_floor(paths) -> None:
    import openpyxl
    for path in paths:
        openpyxl.load_workbook(path).save(path)


def zip_floor(paths) -> None:
    """The least any tool that rewrites a workbook must do: read every part of the package and
    compress it again into a new file (zipfile, each part's own compression), then replace."""
    import zipfile
    for path in paths:
        temp = path.with_name(path.name + ".zipfloor")
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w") as out:
            for info in source.infolist():
                out.writestr(info, source.read(info))
        os.replace(temp, path)


def calamine_floor(paths) -> None:
    """Reading every cell of every sheet with python-calamine (Rust): the fastest reader."""
    from python_calamine import CalamineWorkbook
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()


def has_calamine() -> bool:
    if importlib.util.find_spec("python_calamine") is None:
        print("python-calamine is not installed: its read floor is left out "
              "(pip install -e '.[bench]')", file=sys.stderr)
        return False
    return True


def run_aeroi(folder: Path, jobs: int = 1) -> None:
    from calculator.workbook.batch import run_batch
    report = run_batch([folder], jobs=jobs, summary=folder.parent / f"{folder.name}-summary.xlsx")
    if report.failed:
        raise SystemExit(f"benchmark workbook failed: {report.failed[0].errors}")


def bench_folder(repeats: int, files: int, work: Path) -> list[dict]:
    master = work / "master"
    make_folder(master, files)
    scratch = work / "scratch"

    def fresh():
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(master, scratch)

    def books():
        return sorted(scratch.glob("*.xlsx"))
    runs = {"floor": lambda: openpyxl_floor(books()), "zipped": lambda: zip_floor(books()),
            "ours": lambda: run_aeroi(scratch), "jobs2": lambda: run_aeroi(scratch, 2)}
    if has_calamine():
        runs["calamine"] = lambda: calamine_floor(books())
    medians = timed_in_turn(runs, repeats, fresh)
    floor, zipped, ours, jobs2 = (medians[name] for name in ("floor", "zipped", "ours", "jobs2"))
    calamine = medians.get("calamine", math.nan)
    rows = [
        {"name": f"aeroi run --jobs 1, {files} workbooks / openpyxl load+save",
         "ratio": ours / floor, "target": "<= 0.35", "met": ours / floor <= 0.35,
         "aeroi_s": ours, "floor_s": floor},
        {"name": f"aeroi run --jobs 1, {files} workbooks / zip floor (read + re-compress "
                 f"every part)", "ratio": ours / zipped, "target": "<= 4",
         "met": ours / zipped <= 4, "aeroi_s": ours, "zip_floor_s": zipped},
        {"name": f"--jobs 1 / --jobs 2 on {files} workbooks ({os.cpu_count()} cores)",
         "ratio": ours / jobs2, "target": ">= 1.6 on 2 cores", "met": ours / jobs2 >= 1.6,
         "jobs1_s": ours, "jobs2_s": jobs2},
    ]
    if not math.isnan(calamine):
        rows.insert(2, {"name": f"aeroi run --jobs 1, {files} workbooks / calamine read floor "
                                f"(every sheet read, nothing written)",
                        "ratio": ours / calamine, "target": "(reported)", "met": True,
                        "aeroi_s": ours, "calamine_s": calamine})
    return rows


def peak_rss_mb(code: str) -> float:
    """Peak resident memory of a fresh interpreter running ``code`` (its own process, so the
    figure is not mixed with the benchmark's)."""
    # VmHWM (Linux) is this process's own peak; ru_maxrss would also count the peak of the
    # parent it was forked from (Linux carries it across exec), which is this benchmark
    script = (f"import resource, sys; sys.path.insert(0, {str(ROOT)!r})\n{code}\n"
              "import os\n"
              "status = '/proc/self/status'\n"
              "hwm = [l for l in open(status) if l.startswith('VmHWM')] "
              "if os.path.exists(status) else []\n"
              "print(int(hwm[0].split()[1]) if hwm else "
              "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()[-1]
    return int(out) / 1024


def bench_big_skus(repeats: int, skus: int, work: Path) -> dict:
    master = work / "big"
    make_folder(master, 1, skus)
    scratch = work / "big-scratch"

    def fresh():
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(master, scratch)
    # the first run writes the SKU economics sheet, a row per SKU and plan made from nothing:
    # timed too (reported: what a user waits the first time, against the same file's floor)
    fresh()
    first_runs = timed_in_turn({"floor": lambda: openpyxl_floor(sorted(scratch.glob("*.xlsx"))),
                                "ours": lambda: run_aeroi(scratch)}, repeats, fresh)
    first_floor, first = first_runs["floor"], first_runs["ours"]
    # then the steady state (a re-run), which is what a user sees every time after the first
    fresh()
    run_aeroi(scratch)
    shutil.rmtree(master)
    shutil.copytree(scratch, master)
    runs = {"floor": lambda: openpyxl_floor(sorted(scratch.glob("*.xlsx"))),
            "zipped": lambda: zip_floor(sorted(scratch.glob("*.xlsx"))),
            "ours": lambda: run_aeroi(scratch)}
    if has_calamine():
        runs["calamine"] = lambda: calamine_floor(sorted(scratch.glob("*.xlsx")))
    medians = timed_in_turn(runs, repeats, fresh)
    floor, zipped, ours = (medians[name] for name in ("floor", "zipped", "ours"))
    calamine = medians.get("calamine", math.nan)
    fresh()
    target = scratch / "store-000.xlsx"
    ours_mb = peak_rss_mb(
        "from calculator.workbook.batch import run_batch\n"
        f"run_batch([{str(target)!r}], summary={str(work / 'big-summary.xlsx')!r})")
    fresh()
    floor_mb = peak_rss_mb(f"import openpyxl\nopenpyxl.load_workbook({str(target)!r})"
                           f".save({str(target)!r})")
    return [{"name": f"one workbook, {skus:,} SKUs: aeroi run / openpyxl load+save floor "
                     f"(peak memory <= 400 MB)",
             "ratio": ours / floor, "target": "<= 0.3",
             "met": ours / floor <= 0.3 and ours_mb <= 400,
             "aeroi_s": ours, "floor_s": floor, "aeroi_peak_mb": ours_mb,
             "floor_peak_mb": floor_mb},
            {"name": f"one workbook, {skus:,} SKUs, its first run (the SKU economics rows "
                     f"made): aeroi run / openpyxl load+save of the same file",
             "ratio": first / first_floor, "target": "(reported)", "met": True,
             "aeroi_s": first, "floor_s": first_floor},
            {"name": f"one workbook, {skus:,} SKUs: aeroi run / zip floor", "ratio": ours / zipped,
             "target": "(reported)", "met": True, "aeroi_s": ours, "zip_floor_s": zipped},
            {"name": f"one workbook, {skus:,} SKUs: aeroi run / calamine read floor",
             "ratio": ours / calamine, "target": "(reported)", "met": True, "aeroi_s": ours,
             "calamine_s": calamine}]


def bench_sku_economics(repeats: int, skus: int) -> dict:
    from calculator.model.pricing import unit_economics
    rng = np.random.default_rng(3)
    price = rng.uniform(5, 80, skus)
    freight = rng.uniform(2, 9, skus)
    cost = rng.uniform(1, 30, skus)
    plans = 4

    def vector():
        for _ in range(plans):
            unit_economics(price, freight, unit_cost_usd=cost, fee_rate=0.08, refund_rate=0.03,
                           vat_rate=0.23, prices_include_vat=True, target_margin=0.2)

    def loop():
        for _ in range(plans):
            for i in range(skus):
                unit_economics(price[i], freight[i], unit_cost_usd=cost[i], fee_rate=0.08,
                               refund_rate=0.03, vat_rate=0.23, prices_include_vat=True,
                               target_margin=0.2)
    fast = timed(vector, repeats)
    slow = timed(loop, 1)
    return {"name": f"SKU economics, {skus:,} SKUs × 4 plans: per-row loop / vectorised",
            "ratio": slow / fast, "target": "(no target; issue 10 asks for the figure)",
            "met": True, "vectorised_s": fast, "loop_s": slow}


#: what a child process runs under callgrind: one batch of a folder, ours or the zip floor's
_COUNTED = """
import sys
from pathlib import Path
sys.path[:0] = [{root!r}, {benchmarks!r}]
folder = Path({folder!r})
if {what!r} == "aeroi":
    from calculator.workbook.batch import run_batch
    report = run_batch([folder], jobs=1, summary=folder.parent / (folder.name + "-summary.xlsx"))
    if report.failed:
        raise SystemExit(report.failed[0].errors)
else:
    import run
    run.zip_floor(sorted(folder.glob("*.xlsx")))
"""


def instructions_of(what: str, master: Path, count: int, work: Path) -> int:
    """Instructions (valgrind's callgrind) of one process that runs ``what`` ("aeroi" or
    "zip") on the first ``count`` workbooks of ``master``, start-up and imports included."""
    folder = work / f"counted-{what}-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in sorted(master.glob("*.xlsx"))[:count]:
        shutil.copyfile(path, folder / path.name)
    out = work / f"callgrind-{what}-{count}.out"
    code = _COUNTED.format(root=str(ROOT), benchmarks=str(ROOT / "benchmarks"),
                           folder=str(folder), what=what)
    # the same count every time: the same hash seed (dict and set orders), and no OpenBLAS
    # threads, whose waiting loops spin as long as the scheduler lets them (the zip floor
    # counted 26.9 to 29.8 M instructions a workbook with them, 28.12 M every time without)
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                    sys.executable, "-c", code], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no total in {out}")


def bench_instructions(work: Path, few: int = 2, many: int = 12) -> list[dict]:
    """The folder's ratio to the zip floor counted in instructions instead of seconds: the
    same count on every run of the same code (time on this shared machine moves by ±10%
    from minute to minute). A batch of ``many`` less a batch of ``few``, per workbook, so
    the interpreter's start and the imports cancel out."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: the instruction counts are left out "
              "(apt-get install valgrind)", file=sys.stderr)
        return []
    master = work / "counted-master"
    make_folder(master, many)
    per_workbook = {what: (instructions_of(what, master, many, work)
                           - instructions_of(what, master, few, work)) / (many - few)
                    for what in ("aeroi", "zip")}
    ours, zipped = per_workbook["aeroi"], per_workbook["zip"]
    return [{"name": "aeroi run --jobs 1 / zip floor, counted in instructions a workbook "
                     "(callgrind; the target is set in seconds, above)",
             "ratio": ours / zipped, "target": "(reported)", "met": True,
             "aeroi_instructions": round(ours), "zip_floor_instructions": round(zipped)}]


def bench_monte_carlo(repeats: int, draws: int) -> dict:
    from calculator.model.inputs import StoreInputs
    from calculator.model.risk import default_risk_inputs, simulate
    from calculator.model.scenarios import compute_scenarios
    rates = load_rate_card()
    store = StoreInputs(dt.date(2026, 12, 1), dt.date(2026, 8, 1), 3200, 4100, 5300, 24.0, 0.45,
                        750)
    risk = default_risk_inputs(store, rates, draws=draws)
    point = timed(lambda: compute_scenarios(store, rates), repeats)
    monte = timed(lambda: simulate(store, rates, risk), repeats)
    tracemalloc.start()
    simulate(store, rates, risk)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"name": f"Monte Carlo, {draws:,} draws × 5 scenarios / point model",
            "ratio": monte / point, "target": "(time and memory reported)", "met": True,
            "monte_carlo_s": monte, "point_model_s": point, "peak_mb": peak}


def bench_corpus(repeats: int, files: int, work: Path) -> dict:
    """The write-back on workbooks full of what users add (tests/corpus_builder.py): time of a
    run against an openpyxl load + save of the same files, and the parts each keeps."""
    import zipfile

    import openpyxl

    from tests.corpus_builder import build_corpus
    master = work / "corpus"
    originals = build_corpus(master, files)
    scratch = work / "corpus-scratch"

    def fresh():
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(master, scratch)

    def openpyxl_round_trip():
        for path in sorted(scratch.glob("*.xls?")):
            book = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
            book.save(path)

    def parts(path):
        with zipfile.ZipFile(path) as package:
            return {n: package.read(n) for n in package.namelist()}

    def kept(after_folder):
        same = total = 0
        for path in originals:
            before, after = parts(path), parts(after_folder / path.name)
            total += len(before)
            same += sum(1 for n, data in before.items() if after.get(n) == data)
        return same, total

    def things(folder):
        """What survives of the user's things in the first .xlsm of the corpus."""
        found = parts(folder / originals[0].name)
        blob = b"".join(found.values())
        return {"button bound to a macro": b"AeroiCalculate" in blob,
                "cell checkbox": any("featurePropertyBag" in n for n in found),
                "text box": b"Reviewed by finance" in blob,
                "dynamic-array spill metadata": "xl/metadata.xml" in found,
                "sparkline": b"sparkline" in blob,
                "pictures": sum(1 for n in found if n.startswith("xl/media/")),
                "VBA project": "xl/vbaProject.bin" in found}

    floor = timed(openpyxl_round_trip, repeats, fresh)
    openpyxl_kept, total = kept(scratch)
    after_openpyxl = things(scratch)
    ours = timed(lambda: run_aeroi(scratch), repeats, fresh)
    ours_kept, _ = kept(scratch)
    after_aeroi = things(scratch)
    return {"name": f"aeroi run, {files} corpus workbooks (buttons, pictures, VBA...) / "
                    f"openpyxl load+save", "ratio": ours / floor, "target": "(issue 9 asks for "
                    "the figure)", "met": True, "aeroi_s": ours, "openpyxl_s": floor,
            "parts": total, "parts_kept_by_aeroi": ours_kept,
            "parts_kept_by_openpyxl": openpyxl_kept, "before": things(master),
            "after_aeroi": after_aeroi, "after_openpyxl": after_openpyxl}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--skus", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--only", default="", help="comma-separated steps to run: freight, "
                        "folder, big, sku, monte, corpus, instructions (default: all)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.files, args.skus = 1, 6, 500
    results = []
    with tempfile.TemporaryDirectory(prefix="aeroi-bench-") as temp:
        work = Path(temp)
        steps = {
            "freight": lambda: [bench_freight(args.repeats,
                                              1_000_000 if not args.quick else 100_000)],
            "folder": lambda: bench_folder(args.repeats, args.files, work),
            "big": lambda: bench_big_skus(args.repeats, args.skus, work),
            "sku": lambda: [bench_sku_economics(args.repeats, args.skus)],
            "monte": lambda: [bench_monte_carlo(args.repeats,
                                                100_000 if not args.quick else 10_000)],
            "corpus": lambda: [bench_corpus(args.repeats, 24 if not args.quick else 4, work)],
            "instructions": lambda: bench_instructions(work, 2, 12 if not args.quick else 4),
        }
        chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(steps)
        for step in (steps[name] for name in chosen):
            for row in step():
                results.append(row)
                print(f"{row['ratio']:10.2f}×  {'ok ' if row['met'] else 'MISS'} "
                      f"{row['name']}  (target {row['target']})", flush=True)
    machine = {"python": platform.python_version(), "platform": platform.platform(),
               "cpus": os.cpu_count(), "when": dt.datetime.now().isoformat(timespec="seconds"),
               "repeats": args.repeats, "steps": chosen}
    out = ROOT / "benchmarks" / ("results.json" if not args.only else "results-partial.json")
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
