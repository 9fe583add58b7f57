"""``bgopendata build``: what a maintainer runs to produce the files of a GitHub release."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--out",
    default="dist",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Release folder to write (an older release there is replaced).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when the release is written.")
@clean_errors
def build(path: str, out: str, quiet: bool) -> None:
    """Validate the data package at PATH and write its release to --out.

    The release holds the CSVs, one Parquet file per resource, bgopendata.duckdb,
    bgopendata.sqlite (with datasette-metadata.json), bgopendata.zip, a Data Package v2
    datapackage.json with sizes and hashes, one descriptor per other format, and SHA256SUMS. It is
    written into a temporary folder and moved into place only when complete.
    Exit codes: 0 built, 1 the package is invalid, 2 unusable input.

    \b
    Example:
        bgopendata build --out dist
        cd dist && sha256sum -c SHA256SUMS
    """
    from bgopendata.publish.build import build as run_build

    release = run_build(path, out)
    if quiet:
        return
    for name, size in release.sizes.items():
        click.echo(f"{size:>12,}  {name}")
    click.echo(f"release written to {out}")
