"""Where a batch's time goes: each step of a workbook's run, timed inside a real batch.

    python benchmarks/steps.py [--files 100] [--repeats 3] [--skus 0]

Builds a folder of benchmark workbooks (the store of run.py), runs ``aeroi run --jobs 1`` on a
fresh copy of it ``--repeats`` times with a timer around each step, and prints milliseconds per
workbook: opening, checking the names, reading, the model, cutting long texts, writing, the
summary, and what the batch spends around them. run.py gives the ratios the targets are set
in; this says which step to look at (docs/performance.md quotes it).
"""
from __future__ import annotations

import argparse
import collections
import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import make_folder  # noqa: E402

from calculator.workbook import batch, io, namecheck, reader, results, summary  # noqa: E402

#: (module or class, function, the step it is counted in), in the order a run meets them
STEPS = ((io.PackageWorkbook, "__init__", "opening"), (namecheck, "check_names", "names"),
         (reader, "read_store", "reading"), (results, "calculate_blocks", "model"),
         (namecheck, "cut_long_text", "long texts"), (io.PackageWorkbook, "write", "writing"),
         (summary, "write_summary", "summary"))


def timed_steps(spent: dict[str, float]):
    """Wrap each step so that its time adds up in ``spent``; returns how to unwrap them."""
    originals = []
    for owner, name, step in STEPS:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, _original=original, _step=step, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_step] += time.perf_counter() - start
        setattr(owner, name, timed)
        originals.append((owner, name, original))

    def restore():
        for owner, name, original in originals:
            setattr(owner, name, original)
    return restore


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skus", type=int, default=0, help="SKU rows in each workbook")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aeroi-steps-") as temp:
        work = Path(temp)
        make_folder(work / "master", args.files, args.skus)
        for repeat in range(args.repeats):
            scratch = work / "scratch"
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(work / "master", scratch)
            spent: dict[str, float] = collections.defaultdict(float)
            restore = timed_steps(spent)
            try:
                start = time.perf_counter()
                report = batch.run_batch([scratch], jobs=1, summary=work / "summary.xlsx")
                total = time.perf_counter() - start
            finally:
                restore()
            if report.failed:
                raise SystemExit(f"benchmark workbook failed: {report.failed[0].errors}")
            per = 1000 / args.files
            shown = {step: spent[step] * per for _, _, step in STEPS}
            shown["the rest"] = total * per - sum(shown.values())
            print(f"run {repeat + 1}: {total * per:5.1f} ms a workbook  " + ", ".join(
                f"{step} {ms:.1f}" for step, ms in shown.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
