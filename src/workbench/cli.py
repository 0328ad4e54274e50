"""The ``workbench`` command: render reports, list and validate cases."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from workbench import __version__

__all__ = ["main"]


def _report(args: argparse.Namespace) -> int:
    from workbench.cases import list_cases, load_case
    from workbench.lock import RenderLockedError
    from workbench.reports import ReportError, ReportExistsError, render_report
    from workbench.series import render_series

    if args.all and args.case:
        print("workbench report: give --case NAME or --all, not both", file=sys.stderr)
        return 2
    if args.period and args.periods:
        print("workbench report: give --period P or --periods A..B, not both", file=sys.stderr)
        return 2
    if args.all and args.periods:
        print("workbench report: --periods cannot apply to --all: periods belong to one case; "
              "give --case NAME --periods A..B", file=sys.stderr)
        return 2
    if args.all and args.period:
        # periods are written at each case's own grain and window (1998-06, 2024, ...)
        print(f"workbench report: --period {args.period} cannot apply to --all: a period "
              "belongs to one case. Render each case's default period with --all, or one "
              "case's period with --case NAME --period PERIOD", file=sys.stderr)
        return 2
    if args.reports_dir and Path(args.reports_dir).exists() and not Path(args.reports_dir).is_dir():
        print(f"workbench report: --reports-dir {args.reports_dir} is a file; give a folder "
              "(it is created if it does not exist)", file=sys.stderr)
        return 2
    names = list_cases() if args.all else [args.case]
    if not names or names == [None]:
        print("workbench report: give --case NAME or --all", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs is not None else min(2, os.cpu_count() or 1)
    if jobs < 1:
        print(f"workbench report: --jobs {jobs}: give 1 or more", file=sys.stderr)
        return 2
    if len(names) > 1 and jobs > 1:
        return _report_in_parallel(names, args, jobs)
    status = 0
    for name in names:
        try:
            case = load_case(name)
            options = dict(force=args.force, progress=not args.quiet, wait=args.wait,
                           notebooks=args.notebooks.split(",") if args.notebooks else None,
                           **({"reports_dir": args.reports_dir} if args.reports_dir else {}))
            if args.periods:
                render_series(case, args.periods, **options)
            else:
                render_report(case, args.period, **options)
        except RenderLockedError as exc:
            print(f"workbench report: {exc}", file=sys.stderr)
            status = status or 4
        except ReportExistsError as exc:
            print(f"workbench report: {exc}", file=sys.stderr)
            status = status or 3
        except (ReportError, ValueError, FileNotFoundError, KeyError) as exc:
            print(f"workbench report: {exc}", file=sys.stderr)
            status = 1
    return status


def _report_in_parallel(names: Sequence[str], args: argparse.Namespace, jobs: int) -> int:
    """Render several cases, ``jobs`` at a time, each in its own ``workbench report``.

    A case's notebooks run one after the other (a notebook may read the tables of the
    one before), and most of their work is single-threaded Python, so two cases side by
    side use both cores of a 2-core machine. The longest suites start first. Each case's
    lines carry its name; the per-cell progress bars are off (they would interleave).
    The exit status is the worst of the cases' (1 over 4 over 3 over 0).
    """
    from workbench.cases import load_case

    command = [sys.executable, "-m", "workbench.cli", "report", "--quiet"]
    if args.force:
        command.append("--force")
    if args.notebooks:
        command += ["--notebooks", args.notebooks]
    if args.reports_dir:
        command += ["--reports-dir", args.reports_dir]
    if args.wait:
        command += ["--wait", str(args.wait)]
    def size(name: str) -> int:
        try:
            return len(load_case(name).notebooks)
        except Exception:  # noqa: BLE001 - its own process reports the error
            return 0

    pending = sorted(names, key=lambda n: -size(n))
    running: dict[str, subprocess.Popen] = {}
    codes: dict[str, int] = {}
    while pending or running:
        while pending and len(running) < jobs:
            name = pending.pop(0)
            running[name] = subprocess.Popen([*command, "--case", name])
        for name, process in list(running.items()):
            if process.poll() is not None:
                codes[name] = process.returncode
                del running[name]
        time.sleep(0.2)
    failed = [n for n, c in codes.items() if c not in (0, 3, 4)]
    if failed:
        print(f"workbench report: failed: {', '.join(sorted(failed))}", file=sys.stderr)
        return 1
    return max(codes.values(), key=[0, 3, 4].index, default=0)


def _cases(args: argparse.Namespace) -> int:
    from workbench.cases import list_cases, load_case

    for name in list_cases():
        case = load_case(name)
        print(f"{name:12s} {case.default_period:10s} {case.language}  {case.title}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from workbench.cases import load_case

    case = load_case(args.case)  # the file, its sources and its parameters
    if case.engine.name == "pandas":
        return _validate_loaded(args, case, case.load(args.period))  # every source read, mapped and cleaned
    import shutil

    from workbench import resources
    from workbench.engines import load_case_tables
    from workbench.io import scratch_dir

    # read and cleaned by the engine; its own quarantine file goes to a scratch folder,
    # validate writes the quarantine table beside the pandas path's
    folder = resources.processed_dir(case.root) / case.name
    folder.mkdir(parents=True, exist_ok=True)
    scratch = scratch_dir(folder, ".validate-")
    try:
        with load_case_tables(case, args.period, output_dir=scratch, allow_empty=True,
                              quarantine_in_memory=False) as loaded:  # counted in the engine
            return _validate_loaded(args, case, loaded)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _validate_loaded(args: argparse.Namespace, case, loaded) -> int:
    """``validate`` on a loaded case: a pandas :class:`~workbench.cases.LoadedCase` or an
    engine case's :class:`~workbench.engines.EngineCase`, printed alike."""
    from workbench.cases import CaseError
    from workbench.labels import label
    from workbench.quality import validation_report, write_quarantine
    from workbench.satisfaction import SpecError, load_spec

    lang = case.language if args.lang is None else args.lang
    spec, settings = None, case.params.satisfaction
    if loaded.survey is not None or settings.changed():
        # the survey's model: its items must be columns of the survey, as notebook 03 needs
        columns = loaded.survey.columns if loaded.survey is not None else None
        try:
            spec = load_spec(settings.spec, columns=columns)
        except SpecError as exc:
            raise CaseError(f"{case.path}: key 'parameters.satisfaction.spec' "
                            f"({settings.spec}): {exc}") from None
    engine = "" if case.engine.name == "pandas" else f", engine {case.engine.name}"
    print(f"case {case.name}, period {loaded.period}, analysis date {loaded.as_of.date()}{engine}")
    report = validation_report(loaded, lang=lang)
    print(report.to_text())
    if loaded.rows_after_period:
        print(f"\n{loaded.rows_after_period} transaction rows fall after the period and are "
              "left for later periods")
    for topic, params in case.params.items():
        print(f"parameters.{topic}: {params.changed() or 'defaults'}")
    if spec is not None:
        where = "every item is a survey column" if loaded.survey is not None else "no survey to check"
        print(f"survey model spec {spec.name}: {len(spec.constructs)} constructs, "
              f"{len(spec.items)} items; {where}")
    target = write_quarantine(loaded)  # always, so a stale file never outlives its fix
    if target.suffix == ".parquet":  # an engine case's quarantine too large for a spreadsheet
        rows = int(report.sources["quarantined"].sum())
        print("\n" + label("message_quarantine_parquet", lang).format(rows=f"{rows:,}", path=target))
    elif len(report.problems):  # the sources' rows and the survey's answers
        print(f"\nEvery quarantined row, with its file, row number, values and reason: {target}")
    if report.empty_sources:
        print(f"workbench validate: source(s) {report.empty_sources} keep no row", file=sys.stderr)
    if report.answers_kept == 0:
        print(f"workbench validate: no survey respondent passes the answer checks of the model spec "
              f"{settings.spec} (key 'parameters.satisfaction.spec'); the reasons are above and in "
              f"{target}", file=sys.stderr)
    if not report.ok:
        return 1
    return 0


#: Errors a user can cause and fix (a wrong case file, an unreadable or unmapped file):
#: one line on stderr, no traceback (``--debug`` shows it).
def _expected_errors() -> tuple[type[BaseException], ...]:
    from workbench.satisfaction.spec import SpecError

    return (ValueError, KeyError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
            PermissionError, SpecError)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script; returns the exit status."""
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error instead of one line")
    sub = parser.add_subparsers(dest="command", required=True)

    report = sub.add_parser("report", help="render a case study into reports/<case>/<period>/")
    report.add_argument("--case", help="bundled case name or path to a case YAML file")
    report.add_argument("--all", action="store_true", help="render every bundled case")
    report.add_argument("--period", help="e.g. 1998-06 (default: the case's default_period); "
                                          "not with --all")
    report.add_argument("--periods", help="a series, e.g. 1997-06..1998-06 (every period of the "
                                           "range, in order, each compared with the one before) "
                                           "or 1997-06,1997-12")
    report.add_argument("--wait", nargs="?", type=float, const=math.inf, default=0, metavar="SECONDS",
                        help="when the same case and period is being rendered, wait for it "
                             "(up to SECONDS; default: as long as it takes) instead of refusing")
    report.add_argument("--jobs", type=int, metavar="N",
                        help="with --all: render N cases at a time, each in its own process "
                             "(default: 2, or 1 on a 1-core machine)")
    report.add_argument("--force", action="store_true",
                        help="replace a rendered period (only once the new render succeeds)")
    report.add_argument("--notebooks", help="comma-separated subset, e.g. 00_data_overview")
    report.add_argument("--quiet", action="store_true", help="no per-cell progress bar")
    report.add_argument("--reports-dir", help="where reports go (default: reports/ of the source "
                                              "checkout, or of the current directory when installed)")
    report.set_defaults(func=_report)

    cases = sub.add_parser("cases", help="list the bundled cases")
    cases.set_defaults(func=_cases)

    validate = sub.add_parser("validate", help="check a case file, its parameters and survey spec; "
                                               "load and clean its data, print the log")
    validate.add_argument("--case", required=True)
    validate.add_argument("--period")
    validate.add_argument("--lang", choices=("en", "zh"),
                          help="language of the next steps (default: the case's)")
    validate.set_defaults(func=_validate)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted; a report being rendered was not "
              "replaced", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every error becomes one line for the user
        if args.debug:
            raise
        expected = isinstance(exc, _expected_errors())
        message = str(exc) if expected else f"unexpected {type(exc).__name__}: {exc}"
        print(f"workbench {args.command}: {message}", file=sys.stderr)
        if not expected:
            print("  this looks like a bug; rerun with --debug for the traceback and report it",
                  file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
