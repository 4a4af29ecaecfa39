"""The same batch on two Python builds, taking turns: how much of a run's time is the
interpreter rather than our code (docs/performance.md, section "the interpreter").

    python benchmarks/interpreters.py PYTHON_A PYTHON_B [--pairs 11] [--files 100]

Each PYTHON is the python of a venv with the project installed (`pip install -e .`). For each
pair, each interpreter in turn runs one fresh process that makes a fresh copy of the folder,
runs `aeroi run --jobs 1` on it and then the zip floor on the same files, three rounds, and
keeps the least CPU time of each. Prints every pair and the medians: the batch, the floor
and their ratio for each interpreter.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3


def child(folder: Path) -> None:
    """In the interpreter measured: the least CPU time of the batch and of the zip floor."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from run import run_aeroi, zip_floor
    scratch = folder.parent / "scratch"
    batch, floor = [], []
    for _ in range(ROUNDS):
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(folder, scratch)
        start = time.process_time()
        run_aeroi(scratch)
        batch.append(time.process_time() - start)
        start = time.process_time()
        zip_floor(sorted(scratch.glob("*.xlsx")))
        floor.append(time.process_time() - start)
    print(json.dumps({"batch": min(batch), "floor": min(floor),
                      "version": sys.version.split()[0]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="*", help="two interpreters, each with the project")
    parser.add_argument("--pairs", type=int, default=11)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if len(args.pythons) != 2:
        parser.error("give two interpreters")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import make_folder
    with tempfile.TemporaryDirectory(prefix="aeroi-interpreters-") as work:
        master = Path(work) / "master"
        make_folder(master, args.files)
        seen: dict[str, list[dict]] = {python: [] for python in args.pythons}
        for pair in range(args.pairs):
            # the first of a pair alternates, so neither build always follows the other
            order = args.pythons if pair % 2 == 0 else args.pythons[::-1]
            for python in order:
                done = subprocess.run([python, __file__, "--child", str(master)],
                                      capture_output=True, text=True)
                if done.returncode:
                    raise SystemExit(f"{python}: {done.stderr.strip()}")
                figures = json.loads(done.stdout.splitlines()[-1])
                seen[python].append(figures)
                print(f"pair {pair + 1}: {python} ({figures['version']}) batch "
                      f"{figures['batch']:.2f} s, zip floor {figures['floor']:.3f} s, ratio "
                      f"{figures['batch'] / figures['floor']:.2f}", flush=True)
        for python, runs in seen.items():
            print(f"{python}: median batch "
                  f"{statistics.median(r['batch'] for r in runs):.2f} s, zip floor "
                  f"{statistics.median(r['floor'] for r in runs):.3f} s, ratio "
                  f"{statistics.median(r['batch'] / r['floor'] for r in runs):.2f}")


if __name__ == "__main__":
    main()
