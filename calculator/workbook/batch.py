"""The batch: calculate every store workbook under some paths, write results back, summarise.

A failing workbook never stops the others and is never modified; each problem is collected as
a record (file, sheet, cell, name, expected, found). Workbooks run in parallel through any
``concurrent.futures.Executor`` (processes by default; a cluster's executor, such as
dask.distributed's ``Client.get_executor()``, can drive the same batch).
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from calculator.errors import CalculatorError, Kind, Problem, WorkbookError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SUMMARY_DEFAULT_NAME = "aeroi-summary.xlsx"
LOCK_NAME = ".aeroi-run.lock"
OK, FAILED, NOT_OURS = "ok", "failed", "not an aeroi workbook"


@dataclass
class WorkbookOutcome:
    path: str
    status: str                                   # ok | failed | not an aeroi workbook
    errors: list[Problem] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)   # one per scenario
    recommended: str | None = None               # a scenario id, or "none"
    recommendation_text: str | None = None
    store_status: str | None = None              # out_status written into the workbook
    written_to: str | None = None
    sku_median_margin: float | None = None        # under the baseline's plan
    sku_below_target: int | None = None
    language: str = "en"                          # the workbook's (meta_language)

    @property
    def store(self) -> str:
        return Path(self.path).stem

    def as_dict(self) -> dict:
        return {"file": self.path, "store": self.store, "status": self.status,
                "store_status": self.store_status, "recommended": self.recommended,
                "recommendation_text": self.recommendation_text,
                "written_to": self.written_to, "sku_median_margin": self.sku_median_margin,
                "sku_below_target": self.sku_below_target, "language": self.language,
                "errors": [problem.as_dict() for problem in self.errors],
                "scenarios": self.rows}


@dataclass
class BatchReport:
    outcomes: list[WorkbookOutcome]
    skipped: list[tuple[str, str]]                # (path, why)
    summary_path: str | None = None

    @property
    def failed(self) -> list[WorkbookOutcome]:
        return [o for o in self.outcomes if o.status != OK]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def discover(paths: Sequence[str | os.PathLike], exclude: Iterable[str | os.PathLike] = (),
             open_books: Iterable[str | os.PathLike] = ()
             ) -> tuple[list[Path], list[tuple[str, str]]]:
    """Workbooks under ``paths`` (files, or folders searched recursively), sorted, and what was
    skipped with the reason (Excel lock files, hidden files, our own summary and temp files,
    the old files ``aeroi upgrade`` kept)."""
    from calculator.workbook.atomic import TEMP_PREFIX
    from calculator.workbook.summary import is_summary
    from calculator.workbook.upgrade import is_backup
    excluded = {Path(p).resolve() for p in exclude}
    opened = {Path(p).resolve() for p in open_books}
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def consider(path: Path):
        name = path.name
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return
        if name.startswith("~$"):
            skipped.append((str(path), "Excel lock file (the workbook is open somewhere)"))
        elif name.startswith(TEMP_PREFIX):
            skipped.append((str(path), "temporary file of an interrupted aeroi run"))
        elif name.startswith("."):
            skipped.append((str(path), "hidden file"))
        elif path.resolve() in opened:
            skipped.append((str(path), "open in Excel (it ran the batch; press Calculate in it "
                                       "to calculate it)"))
        elif path.resolve() in excluded or name.startswith("aeroi-summary") \
                or is_summary(path):
            skipped.append((str(path), "aeroi summary workbook (an output, not an input)"))
        elif is_backup(path):
            skipped.append((str(path), "the old file aeroi upgrade kept beside the upgraded "
                                       "workbook"))
        else:
            found.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    consider(Path(root) / name)
        elif path.is_file():
            consider(path)
        else:
            raise WorkbookError(f"{raw}: no such file or folder", file=str(raw),
                                kind=Kind.NOT_FOUND)
    unique = sorted(dict.fromkeys(found), key=lambda p: str(p))
    return unique, skipped


def process_workbook(path: str, dest: str | None, check_only: bool,
                     calculated_at: dt.datetime) -> WorkbookOutcome:
    """Read, calculate and (unless checking) write one workbook. Never raises: every problem
    becomes an error record, and the file is left as it was."""
    from calculator.workbook.io import PackageWorkbook
    from calculator.workbook.reader import read_store
    from calculator.workbook.results import calculate_blocks, result_rows

    label = os.path.basename(path)
    try:
        with PackageWorkbook(path, dest, label=label) as book:
            try:
                read = read_store(book)
            except WorkbookError as error:
                status = NOT_OURS if error.kind is Kind.NOT_OURS else FAILED
                return WorkbookOutcome(path, status, [_record(error, label)])
            if read.errors:
                return WorkbookOutcome(path, FAILED, [_record(e, label) for e in read.errors])
            blocks, table, figures = calculate_blocks(book, read, calculated_at)
            header, *body = result_rows(table)
            rows = [dict(zip(header, row)) for row in body]
            for row in rows:
                risk = figures["risk"].get(row["scenario"], {})
                row["p_loss"] = risk.get("p_loss")
                row["roi_p50"] = risk.get("roi_p50")
            outcome = WorkbookOutcome(path, OK, rows=rows,
                                      recommended=figures["recommendation"].scenario,
                                      recommendation_text=figures["recommendation"].text,
                                      store_status=blocks["out_status"][0][0],
                                      sku_median_margin=figures["sku_median_margin"],
                                      sku_below_target=figures["sku_below_target"],
                                      language=read.language)
            if not check_only:
                book.write(blocks)
                outcome.written_to = os.fspath(dest or path)
            return outcome
    except CalculatorError as error:
        return WorkbookOutcome(path, FAILED, [_record(error, label)])
    except Exception as error:  # a bug of ours must not stop the batch or lose the file
        if os.environ.get("AEROI_DEBUG"):
            raise
        return WorkbookOutcome(path, FAILED, [Problem(
            file=label, kind=Kind.INTERNAL,
            message=f"{label}: internal error ({type(error).__name__}: {error}); the workbook "
                    f"was not changed. Re-run with --debug and report it.")])


def _record(error: CalculatorError, label: str) -> Problem:
    problem = error.problem()
    message = problem.message if problem.message.startswith(label) \
        else f"{label}: {problem.message}"
    return dataclasses.replace(problem, file=problem.file or label, message=message)


@contextlib.contextmanager
def folder_lock(folders: Iterable[Path]):
    """One batch per folder at a time: a second run on the same folder is refused, not merged."""
    handles = []
    try:
        for folder in sorted({f.resolve() for f in folders}):
            lock_path = folder / LOCK_NAME
            try:
                handle = open(lock_path, "a+")
            except OSError:
                continue   # a read-only folder: nothing will be written there anyway
            if not _try_lock(handle):
                handle.close()
                raise WorkbookError(f"{folder}: another aeroi run is working on this folder; "
                                    f"wait for it to finish, then run again", file=str(folder),
                                    kind=Kind.LOCKED)
            handles.append((handle, lock_path))
        yield
    finally:
        for handle, lock_path in handles:
            _unlock(handle)
            handle.close()
            with contextlib.suppress(OSError):
                lock_path.unlink()


def _try_lock(handle) -> bool:
    try:
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    except OSError:
        return False


def _unlock(handle) -> None:
    with contextlib.suppress(Exception):
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run_batch(paths: Sequence[str | os.PathLike], *, out_dir: str | os.PathLike | None = None,
              jobs: int = 1, summary: str | os.PathLike | None = None, check_only: bool = False,
              executor: cf.Executor | None = None,
              progress: Callable[[WorkbookOutcome], None] | None = None,
              calculated_at: dt.datetime | None = None,
              open_books: Iterable[str | os.PathLike] = (),
              csv_path: str | os.PathLike | None = None) -> BatchReport:
    """Calculate every workbook under ``paths``; write results back (or into ``out_dir``);
    write a summary workbook unless checking. Returns what happened to each file.
    ``open_books`` are skipped (the workbook open in Excel that pressed "Run folder")."""
    from calculator.workbook.atomic import cleanup_stale_temps
    roots = [Path(p) for p in paths]
    summary_path = None if check_only else Path(summary) if summary else _default_summary(roots)
    outputs = [p for p in (summary_path, csv_path) if p]
    files, skipped = discover(roots, outputs, open_books)
    folders = {p if p.is_dir() else p.parent for p in roots}
    stamp = calculated_at or dt.datetime.now()
    with folder_lock(folders if not check_only else []):
        for folder in folders:
            cleanup_stale_temps(folder)
        jobs_args = [(str(p), _destination(p, roots, out_dir), check_only, stamp) for p in files]
        outcomes: list[WorkbookOutcome] = []
        if executor is None and jobs > 1 and len(files) > 1:
            with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
                outcomes = _collect(pool, jobs_args, progress)
        elif executor is not None:
            outcomes = _collect(executor, jobs_args, progress)
        else:
            for args in jobs_args:
                outcome = process_workbook(*args)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
        report = BatchReport(outcomes, skipped, str(summary_path) if summary_path else None)
        if summary_path is not None and files:
            from calculator.workbook.summary import write_summary
            write_summary(report, summary_path)
        elif summary_path is not None:
            report.summary_path = None
        if csv_path is not None:
            from calculator.workbook.summary import write_store_csv
            write_store_csv(report, csv_path)
    return report


def _collect(executor: cf.Executor, jobs_args, progress) -> list[WorkbookOutcome]:
    futures = [executor.submit(process_workbook, *args) for args in jobs_args]
    if progress:
        for future in cf.as_completed(futures):
            progress(future.result())
    return [future.result() for future in futures]


def _default_summary(roots: list[Path]) -> Path:
    first = roots[0] if roots else Path(".")
    folder = first if first.is_dir() else first.parent
    return folder / SUMMARY_DEFAULT_NAME


def _destination(path: Path, roots: list[Path], out_dir) -> str | None:
    if out_dir is None:
        return None
    out = Path(out_dir)
    for root in roots:
        if root.is_dir():
            try:
                relative = path.resolve().relative_to(root.resolve())
            except ValueError:
                continue
            target = out / relative
            break
    else:
        target = out / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    return str(target)
