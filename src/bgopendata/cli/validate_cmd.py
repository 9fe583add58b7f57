"""``bgopendata validate``: what a maintainer runs before publishing and CI on every change."""

from __future__ import annotations

import sys

import click

from bgopendata.cli.errors import clean_errors
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
    "spark: group rules on Apache Spark; pandas: former name of frictionless.",
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
@clean_errors
def validate(path: str, fmt: str, strict: bool, engine: str, max_examples: int, spark_master: str | None) -> None:
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

    report = run_validation(path, strict=strict, engine=engine, max_examples=max_examples, spark_master=spark_master)
    click.echo(RENDERERS[fmt](report))
    sys.exit(EXIT_OK if report.valid else EXIT_INVALID)
