"""``bgopendata site``: build the static, bilingual data portal (for GitHub Pages or offline use)."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--out",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write (replaced atomically; only an earlier site is replaced).",
)
@click.option(
    "--release",
    type=click.Path(file_okay=False, dir_okay=True),
    help="A release folder from 'bgopendata build' to link and ship as downloads; "
    "without it a release is built in a temporary folder.",
)
@clean_errors
def site(path: str, out: str, release: str | None) -> None:
    """Build a static site of the package at PATH: landing page, one page per table, rules.

    Every page exists in Italian and English, charts are SVG files, and nothing is fetched
    from elsewhere, so the site works opened from disk and on GitHub Pages.

    \b
    Example:
        bgopendata site --out site
        bgopendata build --out dist && bgopendata site --release dist --out site
    """
    from bgopendata.portal.site import build_site

    dest = build_site(path, out, release=release)
    click.echo(f"wrote {dest}", err=True)
