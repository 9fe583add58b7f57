"""``validate(path)``: one ordered list of stages, each returning a ``StageResult``, one report.

The stages, in order: ``lexical`` (is each file well-formed CSV), ``structure`` (types,
constraints, keys), ``figure-rules`` (relations between named figures, and every row against
the text it quotes: the provenance kinds are figure rules), ``group-rules`` (relations within
every group of rows). The engine picks each stage's implementation (structure: frictionless,
DuckDB or Spark; group rules: DuckDB or Spark); the order and the report are the same for all.

Unusable input (unreadable descriptor, paths escaping the package, a malformed rule)
raises ``UnusableInput``; everything else ends up as problems in the returned ``Report``.
Rules are parsed once, before any table is read.

Keeping the cold start fast lives in one place, ``Ahead``: while a single-threaded stage
runs (frictionless), a later stage that needs nothing from it (the figure rules' reading,
binding and checking, dominated by importing pandas) runs in a forked child and hands back
its result as data. Without ``fork`` (or with ``parallel=False``) it runs in its turn.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.package import Package, open_package
from bgopendata.report import Omitted, Problem, Report, Stats
from bgopendata.rules.registry import Declarations, declare
from bgopendata.validation.progress import Progress, Step, silent


@dataclass
class StageResult:
    """What one stage found: problems, its counts (including what it omitted), and whether to go on.

    ``stop``: the files are not even well-formed CSV, no later stage may read them;
    ``unreadable``: some table could not be read as strict CSV, the figure rules' reader must not run.
    """

    problems: list[Problem] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    stop: bool = False
    unreadable: bool = False


@dataclass
class Run:
    """One validation in progress: its inputs, the problems so far and what stages share."""

    package: Package
    declarations: Declarations
    max_examples: int
    spark_master: str | None
    resources: ExitStack
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    tables: Any = None  # the DuckDB (or, on Spark, Spark) typed tables, once a stage has loaded them
    data_uri: str | None = None  # on Spark: where the CSVs are, when not in the package's folder
    ahead: dict[str, Ahead] = field(default_factory=dict)
    progress: Progress = silent  # told each stage, and each table an engine reads (see ``progress``)
    stage: str = ""  # the stage running, for the steps an engine reports
    parallel: bool = True  # may a stage fork children (``Ahead``)

    def early(self, name: str, ahead: Callable[[Run], Any]) -> Any:
        """Stage ``name``'s ``ahead`` part: from its forked child, or computed now (sequential, or the child died)."""
        pending = self.ahead.pop(name, None)
        outcome = pending.result() if pending else None
        return outcome if outcome is not None else ahead(self)


@dataclass(frozen=True)
class Stage:
    """One step of validation. ``ahead`` is the part that needs no earlier stage's result; it may run
    in a forked child while a ``single_threaded`` stage before it runs."""

    name: str
    run: Callable[[Run], StageResult]
    ahead: Callable[[Run], Any] | None = None
    single_threaded: bool = False


def validate(
    path: str | Path = ".",
    *,
    strict: bool = False,
    parallel: bool = True,
    engine: str = "auto",
    max_examples: int = 20,
    spark_master: str | None = None,
    data_uri: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Validate the package at ``path``; raises ``UnusableInput`` when it cannot be read.

    ``engine`` is ``auto`` (by size, see ``bgopendata.engines``), ``frictionless`` (``pandas``
    is its former name), ``duckdb`` or ``spark``; ``max_examples`` caps the problems shown
    per check at scale (the report's ``stats.omitted`` keep how many more were found);
    ``progress`` is called with a ``Step`` at each stage and table (see ``validation.progress``).
    ``data_uri`` (Spark only): the CSVs are read at ``data_uri`` + each resource's path (any
    URI Spark reads, such as ``s3a://bucket/pkg``) instead of from the package's folder.
    """
    from bgopendata.engines import ALIASES, ENGINES, choose_engine

    if engine not in ENGINES and engine not in ALIASES:
        raise UnusableInput(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if data_uri and ALIASES.get(engine, engine) != "spark":
        raise UnusableInput("--data-uri needs --engine spark")
    if max_examples < 1:
        raise UnusableInput(f"--max-examples must be at least 1, got {max_examples}")
    package = open_package(path)
    chosen = choose_engine(package, engine)
    declarations = declare(package)  # a malformed rule fails here, before the slow checks
    stats = Stats(resources=len(package.resources))
    with ExitStack() as resources:
        run = Run(
            package,
            declarations,
            max_examples,
            spark_master,
            resources,
            data_uri=data_uri,
            progress=progress or silent,
            parallel=parallel,
        )
        resources.callback(_cancel_all, run)
        plan = stages(chosen)
        for position, stage in enumerate(plan):
            if stage.single_threaded and parallel:
                for later in plan[position + 1 :]:
                    if later.ahead is not None and later.name not in run.ahead:
                        pending = Ahead.start(later.ahead, run)
                        if pending is not None:
                            run.ahead[later.name] = pending
            run.stage = stage.name
            run.progress(Step(stage.name))
            result = stage.run(run)
            run.problems += result.problems
            run.unreadable = run.unreadable or result.unreadable
            stats = stats + result.stats
            if result.stop:
                break
    return Report(package=str(package.root), strict=strict, problems=run.problems, stats=stats)


def _cancel_all(run: Run) -> None:
    """Stop every child still running ahead (a stage failed or the run stopped early)."""
    for pending in run.ahead.values():
        pending.cancel()


def stages(engine: str) -> list[Stage]:
    """The stages an engine runs, in order."""
    if engine == "frictionless":
        plan = [Stage("lexical", _lexical), Stage("structure", _frictionless_structure, single_threaded=True)]
    elif engine == "spark":  # Spark reads and checks each CSV where it is (``engines.spark_tables``)
        plan = [Stage("structure", _spark_structure)]
    else:  # DuckDB's loader makes the lexical checks itself, as it reads each file
        plan = [Stage("structure", _duckdb_structure)]
    plan.append(Stage("figure-rules", _figure_rules, ahead=_figure_outcome))
    plan.append(Stage("group-rules", _group_rules_on_spark if engine == "spark" else _group_rules_on_duckdb))
    return plan


# -- lexical and structure ------------------------------------------------------------------


def _lexical(run: Run) -> StageResult:
    from bgopendata.validation.structure import check_lexical

    problems = check_lexical(run.package)
    # a file that is not even well-formed CSV: no reader, rule or frictionless runs on it
    return StageResult(problems, stop=bool(problems))


def _frictionless_structure(run: Run) -> StageResult:
    """frictionless checks each table on its own: the second half of them in a forked child."""
    from bgopendata.validation.structure import Frictionless

    checked = Frictionless(run.package)
    count = len(run.package.resources)
    half = count // 2

    def rest(_: Run) -> Any:
        return checked.tables(range(half, count))

    if run.parallel and half and not checked.unopened:
        pending = Ahead.start(rest, run)
        if pending is not None:
            run.ahead["structure/tables"] = pending
    first = checked.tables(range(half))
    return StageResult(checked.assemble([first, run.early("structure/tables", rest)]))


# lexical problems after which the figure rules' pandas reader must not run on the file
_UNREADABLE = {
    "structure/byte-order-mark",
    "structure/header-too-large",
    "structure/field-too-large",
    "structure/encoding-error",
    "structure/unclosed-quote",
    "structure/wrong-delimiter",
    "structure/empty-file",
    "structure/io-error",
    "structure/source-error",
    "structure/extra-cell",
    "structure/missing-cell",
}


def _duckdb_structure(run: Run) -> StageResult:
    tables = _tables(run)
    tables.load()
    run.progress(Step(run.stage, "types, constraints and keys"))
    examples = tables.check()
    rows = sum(tables.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables.tables.values())
    problems = list(examples.problems)
    unreadable = any((p.code.startswith("structure/") and p.line is None) or p.code in _UNREADABLE for p in problems)
    return StageResult(problems, Stats(rows=rows, omitted=omitted(examples.omitted)), unreadable=unreadable)


def _tables(run: Run) -> Any:
    from bgopendata.engines.duckdb_tables import TypedTables

    if run.tables is None:
        run.tables = run.resources.enter_context(TypedTables(run.package, max_examples=run.max_examples))
        run.tables.on_table = lambda item, position, total: run.progress(Step(run.stage, item, position, total))
    return run.tables


def omitted(counts: dict[str, int]) -> list[Omitted]:
    """An engine's ``{"<resource>/<check>": n}`` as typed data (the one place its keys are read)."""
    return [
        Omitted(
            resource=key.partition("/")[0] if "/" in key else "",
            check=key.partition("/")[2] if "/" in key else key,
            count=n,
        )
        for key, n in counts.items()
    ]


# -- rules -------------------------------------------------------------------------------


def _figure_outcome(run: Run) -> Any:
    from bgopendata.validation.figure_rules import run_figure_rules

    return run_figure_rules(run.package, run.declarations.figure)


def _figure_rules(run: Run) -> StageResult:
    declared = run.declarations.figure
    if declared and run.unreadable:
        return StageResult(stats=Stats(rules=0, rules_skipped=len(declared)))
    outcome = run.early("figure-rules", _figure_outcome)
    structure_failed = any(p.severity == "error" and p.code.startswith("structure/") for p in run.problems)
    problems, stats = outcome.settle(structure_failed=structure_failed)
    return StageResult(problems, stats)


def _group_rules_on_duckdb(run: Run) -> StageResult:
    from bgopendata.engines.group_rules import run_group_rules

    declared = run.declarations.group
    if not declared:
        return StageResult(stats=Stats(rules=0, rules_skipped=0))
    new_problems: list[Problem] = []
    if run.tables is None:  # structure was checked by frictionless: load only the tables group rules read
        tables = _tables(run)
        wanted = {d.resource.name for d in declared}
        tables.load([r for r in run.package.resources if r.name in wanted])
        reported = {(p.code, p.path, p.line) for p in run.problems}
        new_problems = [p for p in tables.examples.problems if (p.code, p.path, p.line) not in reported]
    found, skipped = run_group_rules(run.tables, declared)
    return StageResult(
        new_problems + found.problems,
        Stats(rules=len(declared) - skipped, rules_skipped=skipped, omitted=omitted(found.omitted)),
    )


def _group_rules_on_spark(run: Run) -> StageResult:
    from bgopendata.engines.spark_rules import run_group_rules_on_spark

    declared = run.declarations.group
    found, skipped = run_group_rules_on_spark(_spark_tables(run), declared)
    return StageResult(
        found.problems, Stats(rules=len(declared) - skipped, rules_skipped=skipped, omitted=omitted(found.omitted))
    )


def _spark_structure(run: Run) -> StageResult:
    tables = _spark_tables(run)
    tables.load()
    examples = tables.check()
    problems = list(examples.problems)
    unreadable = any((p.code.startswith("structure/") and p.line is None) or p.code in _UNREADABLE for p in problems)
    return StageResult(problems, Stats(rows=tables.rows, omitted=omitted(examples.omitted)), unreadable=unreadable)


def _spark_tables(run: Run) -> Any:
    from bgopendata.engines.spark_rules import spark_session
    from bgopendata.engines.spark_tables import SparkTables

    if run.tables is None:
        spark = spark_session(run.spark_master)
        tables = SparkTables(run.package, spark, max_examples=run.max_examples, data_uri=run.data_uri)
        run.tables = run.resources.enter_context(tables)
    return run.tables


# -- the cold-start overlap -------------------------------------------------------------------


class Ahead:
    """A function of the run computed in a forked child; ``result()`` is its return value, or None."""

    def __init__(self, process: Any, receive: Any) -> None:
        self._process, self._receive = process, receive

    @classmethod
    def start(cls, function: Callable[[Run], Any], run: Run) -> Ahead | None:
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        ctx = multiprocessing.get_context("fork")
        try:
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(function, run, send), daemon=True)
            process.start()
        except OSError:
            return None
        send.close()
        return cls(process, receive)

    def result(self) -> Any:
        try:
            return self._receive.recv()
        except (EOFError, OSError):
            return None
        finally:
            self._receive.close()
            self._process.join()

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _child(function: Callable[[Run], Any], run: Run, send: Any) -> None:
    try:
        outcome = function(run)
    except Exception:  # noqa: BLE001 - a bug: the parent computes it again and shows it there, once
        outcome = None
    try:
        send.send(outcome)
    finally:
        send.close()
