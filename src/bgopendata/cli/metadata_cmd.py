"""``bgopendata metadata``: catalogue metadata for harvesters (dati.gov.it, data.europa.eu)."""

from __future__ import annotations

from pathlib import Path

import click

from bgopendata.cli.errors import clean_errors


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dcat-ap"]),
    default="dcat-ap",
    show_default=True,
    help="Metadata profile (DCAT-AP 3 with the DCAT-AP_IT classes dati.gov.it requires).",
)
@click.option(
    "--rdf-format",
    type=click.Choice(["turtle", "json-ld"]),
    default="turtle",
    show_default=True,
    help="RDF serialisation.",
)
@click.option(
    "--release",
    type=click.Path(file_okay=False, dir_okay=True),
    help="A release folder from 'bgopendata build' whose files become the distributions; "
    "without it a release is built in a temporary folder.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE (atomically) instead of stdout.")
@clean_errors
def metadata(path: str, fmt: str, rdf_format: str, release: str | None, out: str | None) -> None:
    """Export the package at PATH as DCAT-AP RDF: dataset, one distribution per release file.

    \b
    Example:
        bgopendata metadata --format dcat-ap > catalog.ttl
        bgopendata build --out dist && bgopendata metadata --release dist --rdf-format json-ld --out dist/catalog.jsonld
    """
    from bgopendata.atomic import write_text_atomically
    from bgopendata.portal.dcat import export_dcat

    text = export_dcat(path, release=release, rdf_format=rdf_format)
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    target = Path(out)
    write_text_atomically(target, text)
    click.echo(f"wrote {target}", err=True)
