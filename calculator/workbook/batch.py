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
import gc
import os
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from calculator.errors import CalculatorError, Kind, Problem, WorkbookError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Excel formats we do not read, named in the report instead of passed over in silence.
OTHER_EXCEL_SUFFIXES = (".xls", ".xlsb")
SUMMARY_DEFAULT_NAME = "aeroi-summary.xlsx"
LOCK_NAME = ".aeroi-run.lock"
#: The garbage collector's first threshold while a batch runs (Python's is 700). A run frees
#: a workbook's tens of thousands of objects by reference counting when the workbook is done;
#: at 700 the collector woke three times a workbook to look through them and found almost
#: nothing (1.5 ms a workbook, 3% of a run: gc.callbacks on 100 workbooks). At 10,000 it
#: wakes three times in 100 workbooks. The few cycles a run leaves (lxml's pull parsers) are
#: still collected, some workbooks later.
BATCH_GC_THRESHOLD = 10_000
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
    language_read: bool = False                   # ... read from it (not only the default)
    notes: list[str] = field(default_factory=list)   # said, but not a failure

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
                "notes": list(self.notes), "scenarios": self.rows}


@dataclass
class BatchReport:
    outcomes: list[WorkbookOutcome]
    skipped: list[tuple[str, str]]                # (path, why)
    summary_path: str | None = None
    summary_error: str | None = None              # the summary could not be written: why
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[WorkbookOutcome]:
        return [o for o in self.outcomes if o.status != OK]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.summary_error else 0


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str) -> str:
    """A file name as it can be printed on one line: control characters (a newline could
    forge a report line, an escape sequence repaint the terminal) and text-direction marks
    shown as escapes, e.g. ``a\\nFAILED.xlsx``."""
    def escape(match: re.Match) -> str:
        char = match.group()
        return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    return _UNPRINTABLE.sub(escape, text)


def owner_lock(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside a
    workbook while someone has it open, if there is one."""
    name = path.name
    for candidate in (f"~${name}", f"~${name[2:]}", f".~lock.{name}#"):
        lock = path.with_name(candidate)
        if lock.exists() and lock != path:
            return lock
    return None


def discover(paths: Sequence[str | os.PathLike], exclude: Iterable[str | os.PathLike] = (),
             open_books: Iterable[str | os.PathLike] = (), ignore_locks: bool = False
             ) -> tuple[list[Path], list[tuple[str, str]]]:
    """Workbooks under ``paths`` (files, or folders searched recursively), sorted, and what was
    skipped with the reason (lock files, workbooks open in Excel or LibreOffice unless
    ``ignore_locks``, hidden files, .xls/.xlsb files, our own summary and temp files, the old
    files ``aeroi upgrade`` kept)."""
    from calculator.workbook.atomic import TEMP_PREFIX
    from calculator.workbook.summary_marker import is_summary
    from calculator.workbook.backups import is_backup
    excluded = {Path(p).resolve() for p in exclude}
    opened = {Path(p).resolve() for p in open_books}
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []
    resolved: dict[Path, Path] = {}           # each found workbook's real path, resolved once

    def consider(path: Path):
        name = path.name
        if path.suffix.lower() in OTHER_EXCEL_SUFFIXES and not name.startswith(("~$", ".")):
            skipped.append((str(path), f"an older or binary Excel format ({path.suffix}), which "
                                       f"aeroi does not read: save it as .xlsx"))
            return
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return
        lock = None if ignore_locks or name.startswith(("~$", ".")) else owner_lock(path)
        if lock is not None:
            skipped.append((str(path), f"open in Excel or LibreOffice (lock file {lock.name}): "
                                       f"close it and run again (or run with --ignore-locks if "
                                       f"the lock file is left over from a crash)"))
            return
        if name.startswith("~$"):
            skipped.append((str(path), "Excel lock file (the workbook is open somewhere)"))
            return
        if name.startswith(TEMP_PREFIX):
            skipped.append((str(path), "temporary file of an interrupted aeroi run"))
            return
        if name.startswith("."):
            skipped.append((str(path), "hidden file"))
            return
        real_path = path.resolve()
        if real_path in opened:
            skipped.append((str(path), "open in Excel (it ran the batch; press Calculate in it "
                                       "to calculate it)"))
        elif real_path in excluded or name.startswith("aeroi-summary") or is_summary(path):
            skipped.append((str(path), "aeroi summary workbook (an output, not an input)"))
        elif is_backup(path):
            skipped.append((str(path), "the old file aeroi upgrade kept beside the upgraded "
                                       "workbook"))
        else:
            found.append(path)
            resolved[path] = real_path

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
    # a link to a workbook that is calculated anyway would be calculated twice
    real: dict[Path, Path] = {}
    for path in sorted(unique, key=lambda p: (p.is_symlink(), str(p))):
        target = resolved[path]
        if target in real:
            skipped.append((str(path), f"a link to {real[target]}, which is calculated itself"))
        else:
            real[target] = path
    unique = [p for p in unique if real.get(resolved[p]) == p]
    return unique, skipped


def process_workbook(path: str, dest: str | None, check_only: bool,
                     calculated_at: dt.datetime) -> WorkbookOutcome:
    """Read, calculate and (unless checking) write one workbook. Never raises: every problem
    becomes an error record, and the file is left as it was. When another program saves the
    workbook during the run, nothing is written and it is calculated again from the new file
    once; a second change is reported ("run again")."""
    from calculator.workbook.atomic import ChangedOnDisk
    label = printable(os.path.basename(path))
    try:
        try:
            return _process_once(path, dest, check_only, calculated_at, label)
        except ChangedOnDisk:
            try:
                outcome = _process_once(path, dest, check_only, calculated_at, label)
            except ChangedOnDisk as again:
                again.message = (f"{label}: changed by another program during the run, twice; "
                                 f"its save was kept and our results were not written: run "
                                 f"again")
                raise again from None
            outcome.notes.append(f"{label}: changed by another program during the run; "
                                 f"calculated again from the saved file")
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


def _process_once(path: str, dest: str | None, check_only: bool, calculated_at: dt.datetime,
                  label: str) -> WorkbookOutcome:
    from calculator.workbook import contract as c
    from calculator.workbook.io import PackageWorkbook
    from calculator.workbook.namecheck import check_names, cut_long_text
    from calculator.workbook.reader import read_store
    from calculator.workbook.results import calculate_blocks, result_rows

    with PackageWorkbook(path, dest, label=label, guard=not check_only) as book:
        if all(book.has_name(name) for name in c.MARKER_NAMES):
            problems = check_names(book.package, label)
            if problems:
                return WorkbookOutcome(path, FAILED, [_record(e, label) for e in problems])
        try:
            read = read_store(book)
        except WorkbookError as error:
            status = NOT_OURS if error.kind is Kind.NOT_OURS else FAILED
            return WorkbookOutcome(path, status, [_record(error, label)])
        if read.errors:
            return WorkbookOutcome(path, FAILED, [_record(e, label) for e in read.errors],
                                   language=read.language, language_read=True)
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
                                  language=read.language, language_read=True)
        blocks, outcome.notes = cut_long_text(book.package, blocks, label)
        if not check_only:
            book.write(blocks)
            outcome.written_to = os.fspath(dest or path)
            if dest is None and Path(path).is_symlink():
                outcome.notes.append(f"{label} is a link: the results were written into "
                                     f"the file it points to, "
                                     f"{printable(os.path.realpath(path))}")
        return outcome


def _record(error: CalculatorError, label: str) -> Problem:
    problem = error.problem()
    message = problem.message if problem.message.startswith(label) \
        else f"{label}: {problem.message}"
    message_zh = problem.message_zh
    if message_zh is not None and not message_zh.startswith(label):
        message_zh = f"{label}: {message_zh}"
    return dataclasses.replace(problem, file=problem.file or label, message=message,
                               message_zh=message_zh)


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
              csv_path: str | os.PathLike | None = None,
              ignore_locks: bool = False) -> BatchReport:
    """Calculate every workbook under ``paths``; write results back (or into ``out_dir``);
    write a summary workbook unless checking. Returns what happened to each file.
    ``open_books`` are skipped (the workbook open in Excel that pressed "Run folder"), and so
    is a workbook with an Excel or LibreOffice lock file beside it unless ``ignore_locks``."""
    from calculator.workbook.atomic import cleanup_stale_temps, folder_syncs_at_end
    from calculator.workbook.summary_marker import is_summary
    roots = [Path(p) for p in paths]
    summary_path = None if check_only else Path(summary) if summary else _default_summary(roots)
    if summary_path is not None and summary_path.exists() and not is_summary(summary_path):
        raise WorkbookError(f"{printable(str(summary_path))}: this file is not an aeroi summary, "
                            f"so it was not overwritten and nothing was calculated; choose "
                            f"another name for --summary", file=str(summary_path),
                            kind=Kind.LOCKED)
    outputs = [p for p in (summary_path, csv_path) if p]
    files, skipped = discover(roots, outputs, open_books, ignore_locks)
    folders = {p if p.is_dir() else p.parent for p in roots}
    stamp = calculated_at or dt.datetime.now()
    notes: list[str] = []
    with folder_lock(folders if not check_only else []), _garbage_collected_rarely():
        if not check_only:              # a check writes nothing, and removes nothing either
            for folder in folders:
                cleanup_stale_temps(folder)
        jobs_args = [(str(p), _destination(p, roots, out_dir), check_only, stamp) for p in files]
        outcomes: list[WorkbookOutcome] = []
        if executor is None and jobs > 1 and len(files) > 1:
            outcomes = _run_in_processes(jobs, jobs_args, progress, notes)
            if not check_only:          # what a stopped worker was writing
                for folder in folders:
                    cleanup_stale_temps(folder)
        elif executor is not None:
            outcomes = _collect(executor, jobs_args, progress)
        else:
            with folder_syncs_at_end():
                for args in jobs_args:
                    outcome = process_workbook(*args)
                    outcomes.append(outcome)
                    if progress:
                        progress(outcome)
        report = BatchReport(outcomes, skipped, str(summary_path) if summary_path else None,
                             notes=notes)
        if summary_path is not None and files:
            from calculator.workbook.summary import write_summary
            try:
                write_summary(report, summary_path)
            except (OSError, CalculatorError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                report.summary_error = (f"the summary {printable(str(summary_path))} could not "
                                        f"be written ({reason}); the workbooks' own results "
                                        f"are written")
                report.summary_path = None
        elif summary_path is not None:
            report.summary_path = None
        if csv_path is not None:
            from calculator.workbook.summary import write_store_csv
            write_store_csv(report, csv_path)
    return report


@contextlib.contextmanager
def _garbage_collected_rarely():
    """Within, the garbage collector wakes at BATCH_GC_THRESHOLD (never more often than
    before); its thresholds are as they were afterwards, whatever happens."""
    before = gc.get_threshold()
    _collect_garbage_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _collect_garbage_rarely() -> None:
    """The collector wakes every BATCH_GC_THRESHOLD new objects, or less often if so set; in
    a worker process (which runs nothing but workbooks) for as long as it lives."""
    first, *others = gc.get_threshold()
    gc.set_threshold(max(first, BATCH_GC_THRESHOLD), *others)


def _collect(executor: cf.Executor, jobs_args, progress) -> list[WorkbookOutcome]:
    futures = [executor.submit(process_workbook, *args) for args in jobs_args]
    paths = {future: args[0] for future, args in zip(futures, jobs_args)}
    outcomes: dict[cf.Future, WorkbookOutcome] = {}
    for future in cf.as_completed(futures):
        try:
            outcomes[future] = future.result()
        except Exception as error:      # a worker or a cluster node lost: one failed workbook
            outcomes[future] = _worker_stopped(paths[future], error)
        if progress:
            progress(outcomes[future])
    return [outcomes[future] for future in futures]


def _worker_stopped(path: str, error: BaseException | None = None) -> WorkbookOutcome:
    label = printable(os.path.basename(path))
    why = "its worker stopped (out of memory?)" if error is None or isinstance(
        error, BrokenProcessPool) else f"its worker failed ({type(error).__name__}: {error})"
    return WorkbookOutcome(path, FAILED, [Problem(
        file=label, kind=Kind.INTERNAL,
        message=f"{label}: not calculated: {why}; the workbook was not changed. Run it again "
                f"alone, or with fewer --jobs")])


def _run_in_processes(jobs: int, jobs_args, progress, notes: list[str]) -> list[WorkbookOutcome]:
    """The batch in a pool of worker processes. A worker that dies (the out-of-memory killer,
    a crash in a library) breaks the pool and every workbook in it: those are run again one
    at a time, each in a fresh worker, so only the workbook whose worker dies again fails."""
    outcomes: list[WorkbookOutcome | None] = [None] * len(jobs_args)

    def done(index: int, outcome: WorkbookOutcome) -> None:
        outcomes[index] = outcome
        if progress:
            progress(outcome)

    broken: list[int] = []
    with cf.ProcessPoolExecutor(max_workers=jobs, initializer=_collect_garbage_rarely) as pool:
        futures = {pool.submit(process_workbook, *args): i for i, args in enumerate(jobs_args)}
        for future in cf.as_completed(futures):
            try:
                done(futures[future], future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
    if broken:
        notes.append(f"a worker process stopped; {len(broken)} workbook(s) it left were "
                     f"calculated again one at a time")
    broken.sort()
    while broken:
        # one worker runs them in order: the first one that breaks it is the one that stopped it
        with cf.ProcessPoolExecutor(max_workers=1, initializer=_collect_garbage_rarely) as pool:
            queued = [(i, pool.submit(process_workbook, *jobs_args[i])) for i in broken]
            culprit, broken = None, []
            for i, future in queued:
                try:
                    done(i, future.result())
                except BrokenProcessPool:
                    if culprit is None:
                        culprit = i
                        done(i, _worker_stopped(jobs_args[i][0]))
                    else:
                        broken.append(i)
    return [o for o in outcomes if o is not None]


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
