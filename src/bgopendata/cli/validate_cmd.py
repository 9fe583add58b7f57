"""``bgopendata validate``: what a maintainer runs before publishing and CI on every change.

On a terminal, a line on stderr says which stage runs (and table, at scale) and for how
long, rewritten in place and cleared before the report; never when stderr is a pipe or a
file, with ``--format json``/``github`` (read by programs) or with ``--quiet``.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import IO, Any

import click

from bgopendata.cli.errors import clean_errors, escape_controls
from bgopendata.errors import EXIT_INVALID, EXIT_OK


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "github"]),
    default="table",
    show_default=True,
    help="How to print the report.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "frictionless", "duckdb", "spark", "pandas"]),
    default="auto",
    show_default=True,
    help="auto: frictionless for small packages, DuckDB above 50 MB of CSV; "
    "spark: every check of the tables on Apache Spark; pandas: former name of frictionless.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="At scale, problems shown per check; the report keeps the total.",
)
@click.option(
    "--spark-master",
    default=None,
    envvar="SPARK_MASTER",
    help="Spark master URL for --engine spark (default: an active session, else local[2]).",
)
@click.option(
    "--data-uri",
    default=None,
    help="With --engine spark: read the CSVs at URI/<resource path> (s3a://, hdfs://, gs://, file://).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress line on stderr, even on a terminal.")
@clean_errors
def validate(
    path: str,
    fmt: str,
    strict: bool,
    engine: str,
    max_examples: int,
    spark_master: str | None,
    data_uri: str | None,
    quiet: bool,
) -> None:
    """Validate the data package at PATH: structure, then consistency rules.

    PATH is a folder, its datapackage.json, or a zip holding datapackage.json at its root
    (such as a release's bgopendata.zip), unpacked safely into a temporary folder first.

    Exit codes: 0 valid (warnings allowed), 1 invalid data, 2 unusable input.

    \b
    Example:
        bgopendata validate .
        bgopendata validate --format github datapackage.json
        bgopendata build --out dist && bgopendata validate dist/bgopendata.zip
        bgopendata validate --engine duckdb --max-examples 5 .
        bgopendata validate --engine spark --spark-master spark://head:7077 .  # needs a Spark cluster
    """
    from bgopendata import validate as run_validation
    from bgopendata.report import RENDERERS

    line = ProgressLine(sys.stderr) if fmt == "table" and not quiet and _is_terminal(sys.stderr) else None
    try:
        report = run_validation(
            path,
            strict=strict,
            engine=engine,
            max_examples=max_examples,
            spark_master=spark_master,
            data_uri=data_uri,
            progress=line,
        )
    finally:
        if line is not None:
            line.close()  # before the report or an error line is printed
    click.echo(RENDERERS[fmt](report))
    sys.exit(EXIT_OK if report.valid else EXIT_INVALID)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed by the caller
        return False


class ProgressLine:
    """The validation's progress on one terminal line: redrawn at each step and once a second
    (so a long stage shows its time growing), and erased by ``close``.

    A lock guards each redraw, and is held across ``fork`` (the pipeline forks a child to run
    a stage ahead): the child never starts with a redraw, and the stream's lock, half done."""

    def __init__(self, stream: IO[str], *, every: float = 1.0) -> None:
        from bgopendata.validation.progress import Step

        self._stream = stream
        self._lock = threading.Lock()
        self._step = Step("starting")
        self._since = time.monotonic()
        self._shown = 0
        self._done = threading.Event()
        if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
            os.register_at_fork(
                before=self._lock.acquire, after_in_parent=self._lock.release, after_in_child=self._forked
            )
        self._ticker = threading.Thread(target=self._tick, args=(every,), daemon=True)
        self._ticker.start()

    def __call__(self, step: Any) -> None:
        with self._lock:
            if step.stage != self._step.stage:
                self._since = time.monotonic()
            self._step = step
            self._draw()

    def close(self) -> None:
        self._done.set()
        self._ticker.join()
        with self._lock:
            if self._shown:
                self._write("\r" + " " * self._shown + "\r")
                self._shown = 0

    def _forked(self) -> None:
        self._done.set()  # the child has no ticker and must never draw
        self._lock.release()

    def _tick(self, every: float) -> None:
        while not self._done.wait(every):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        from bgopendata.validation.progress import describe

        if self._done.is_set():
            return
        width = max(shutil.get_terminal_size().columns - 1, 10)  # a wrapped line cannot be rewritten
        text = escape_controls(describe(self._step, time.monotonic() - self._since))[:width]
        self._write("\r" + text + " " * max(self._shown - len(text), 0))
        self._shown = len(text)

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is not worth an error
            self._done.set()
