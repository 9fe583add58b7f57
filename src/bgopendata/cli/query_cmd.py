"""``bgopendata query``: SQL over the package or a release, for journalists and analysts."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command()
@click.argument("sql")
@click.option(
    "--package",
    "package",
    default=".",
    show_default=True,
    type=click.Path(file_okay=True, dir_okay=True),
    help="Data package to query (its CSVs), when --release is not given.",
)
@click.option(
    "--release",
    default=None,
    metavar="DIR_OR_URL",
    help="Query a built release's Parquet files: a folder or an http(s) URL.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
    help="How to print the rows.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run before it is stopped.",
)
@clean_errors
def query(sql: str, package: str, release: str | None, fmt: str, timeout: float) -> None:
    """Run one read-only SQL query; each resource is a view named after it.

    Only SELECT (and EXPLAIN) runs; the connection cannot write files or read anything
    but the package. A query may use up to 1 GB of memory, run for --timeout seconds and
    return up to 1,000,000 rows. Exit codes: 0 done, 2 bad or refused SQL, unknown
    table or unusable input.

    \b
    Example:
        bgopendata query "SELECT geo, period, value, unit FROM province_exports LIMIT 5"
        bgopendata query --format csv "SELECT * FROM areas" > areas.csv
        bgopendata build --out dist && bgopendata query --release dist "SELECT count(*) FROM province_exports"
        bgopendata query --release https://github.com/bgopendata/bgopendata/releases/latest/download \\
            "SELECT * FROM areas"  # needs network access and the [remote] extra
    """
    from bgopendata.access.query import run
    from bgopendata.access.render import RENDERERS

    click.echo(RENDERERS[fmt](run(sql, package=package, release=release, timeout=timeout)))
