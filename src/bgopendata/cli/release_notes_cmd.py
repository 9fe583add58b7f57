"""``bgopendata release-notes``: the text of a GitHub release, from CHANGELOG.md and ``diff``."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command("release-notes")
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--tag", required=True, help="The git tag being released, e.g. v1.1.0.")
@click.option("--previous", default=None, help="Tag to compare with [default: the newest earlier vX.Y.Z tag].")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the notes to this file (atomically) instead of standard output.",
)
@clean_errors
def release_notes(path: str, tag: str, previous: str | None, out: str | None) -> None:
    """Write the release notes for TAG: its CHANGELOG.md entry, then the figure-level
    diff against the previous release tag.

    Refuses (exit 1) when TAG does not match datapackage.json's version or has no
    CHANGELOG.md entry; exit 2 on unusable input.

    \b
    Example:
        bgopendata release-notes --tag v1.0.0 --out release-notes.md .
    """
    from bgopendata.atomic import write_text_atomically
    from bgopendata.publish.release import release_notes as make_notes

    text = make_notes(path, tag, previous=previous)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomically(out, text)
        click.echo(f"release notes written to {out}")
