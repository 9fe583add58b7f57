"""``bgopendata validate``: what a maintainer runs before publishing and CI on every change."""

from __future__ import annotations

import sys

import click

from bgopendata.cli.errors import clean_errors
from bgopendata.errors import EXIT_INVALID, EXIT_OK


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "github"]), default="table",
              show_default=True, help="How to print the report.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@clean_errors
def validate(path: str, fmt: str, strict: bool) -> None:
    """Validate the data package at PATH: structure, then consistency rules.

    Exit codes: 0 valid (warnings allowed), 1 invalid data, 2 unusable input.

    \b
    Example:
        bgopendata validate .
        bgopendata validate --format github datapackage.json
    """
    from bgopendata.report import RENDERERS
    from bgopendata.validation import validate as run_validation

    report = run_validation(path, strict=strict)
    click.echo(RENDERERS[fmt](report))
    sys.exit(EXIT_OK if report.valid else EXIT_INVALID)
