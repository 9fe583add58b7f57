"""``bgopendata diff``: what a pull request changes, figure by figure, and whether it may land."""

from __future__ import annotations

import sys

import click

from bgopendata.cli.errors import clean_errors
from bgopendata.errors import EXIT_INVALID, EXIT_OK


@click.command()
@click.argument("old")
@click.argument("new", default=".")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="How to print the changes (markdown suits a PR summary).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="At most this many entries per section in table and markdown output.",
)
@clean_errors
def diff(old: str, new: str, fmt: str, limit: int) -> None:
    """Compare two versions of the package: OLD and NEW are folders or git revisions.

    A revision (origin/main, HEAD~1, v1.0.0) is read with `git archive` into a
    temporary folder; the working tree is never checked out. `.` is the working tree.
    Rows are matched by primary key (figure_id in fact tables); schemas field by field.
    Each changed value is judged against the old figure's precision (its value,
    resolution and qualifier): within it, a rounding difference; outside it, a source
    revision when its quote (sentence_it, sentence_en, value_text) changed too, else a
    contradiction of its own quote, which validate refuses.
    The verdict applies the version policy: data changes need a version bump in
    datapackage.json and a CHANGELOG.md entry for the new version.
    Exit codes: 0 no problem, 1 the verdict flags a missing or too small bump or a
    missing CHANGELOG entry, 2 unusable input.

    \b
    Example:
        bgopendata diff HEAD .
        bgopendata diff origin/main . --format markdown >> "$GITHUB_STEP_SUMMARY"  # needs a pull request's CI job
    """
    from bgopendata.diff.compare import diff as run_diff
    from bgopendata.diff.render import RENDERERS

    result = run_diff(old, new)
    click.echo(RENDERERS[fmt](result, limit=limit), nl=fmt != "markdown")
    sys.exit(EXIT_OK if result.verdict.ok else EXIT_INVALID)
