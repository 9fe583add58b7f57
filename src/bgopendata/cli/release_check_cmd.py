"""``bgopendata release-check``: the release workflow's gate, refusing a mismatched tag."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command("release-check")
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--tag", required=True, help="The git tag being released, e.g. v1.0.0.")
@clean_errors
def release_check(path: str, tag: str) -> None:
    """Refuse to release TAG unless it is v + datapackage.json's version and
    CHANGELOG.md has an entry for that version.

    Exit codes: 0 the tag may be released, 1 it may not, 2 unusable input.

    \b
    Example:
        bgopendata release-check --tag v1.0.0 .
    """
    from bgopendata.publish.release import check_release

    version = check_release(path, tag)
    click.echo(f"ok: tag {tag} matches the package version {version} and its CHANGELOG.md entry")
