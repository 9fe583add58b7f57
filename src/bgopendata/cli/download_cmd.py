"""``bgopendata download``: get a published release, verified, without cloning the repository."""

from __future__ import annotations

import sys

import click

from bgopendata.cli.errors import clean_errors


def _terminal_progress(name: str, received: int, total: int | None) -> None:
    """One self-overwriting line on stderr; only used when stderr is a terminal."""
    done = f"{received / 1e6:8.2f} MB"
    if total:
        done += f" / {total / 1e6:.2f} MB ({100 * received // total:3d}%)"
    sys.stderr.write(f"\r{name:<28} {done}")
    if total is not None and received >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@click.command()
@click.option("--version", "version", default="latest", show_default=True, help="Release tag (vX.Y.Z) or 'latest'.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "duckdb", "sqlite", "zip"]),
    default="csv",
    show_default=True,
    help="Which files of the release to fetch.",
)
@click.option(
    "--dest", default=".", show_default=True, type=click.Path(file_okay=False), help="Folder to write the files into."
)
@click.option(
    "--base-url",
    default=None,
    envvar="BGOPENDATA_BASE_URL",
    show_envvar=True,
    help="Releases URL (GitHub's by default); a mirror must use the same paths.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for the server before retrying.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no list of the files written.")
@clean_errors
def download(version: str, fmt: str, dest: str, base_url: str | None, timeout: float, quiet: bool) -> None:
    """Download a release and check every file against its SHA256SUMS.

    Files are written only when all of them match; a 404, a timeout, a truncated or
    tampered file leaves nothing behind. Exit codes: 0 done, 1 a file failed its
    SHA-256 check, 2 the release could not be fetched.

    \b
    Example:
        bgopendata download --format duckdb --dest data  # needs network access
        bgopendata download --version v1.0.0 --format parquet --dest data  # needs network access
        BGOPENDATA_BASE_URL=https://mirror.example/releases bgopendata download  # needs a mirror
    """
    from bgopendata.access.download import download as run_download

    progress = _terminal_progress if sys.stderr.isatty() and not quiet else None
    written = run_download(version, fmt, dest, base_url, progress=progress, timeout=timeout)
    for path in [] if quiet else written:
        click.echo(str(path))
