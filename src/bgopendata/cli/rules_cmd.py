"""``bgopendata rules``: the rule kind catalogue, the declared rules, their exceptions, and the figures none covers."""

from __future__ import annotations

import click

from bgopendata.cli.errors import clean_errors


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--uncovered", is_flag=True, help="List the figures no rule relates to another.")
@click.option(
    "--catalogue",
    "show_catalogue",
    is_flag=True,
    help="List the rule kinds and the structural problem codes, with what each means.",
)
@clean_errors
def rules(path: str, uncovered: bool, show_catalogue: bool) -> None:
    """List the consistency rules declared in the package at PATH (by kind),
    and the exceptions the provenance rules allow (rows relying on each).

    \b
    Example:
        bgopendata rules .
        bgopendata rules --uncovered .
        bgopendata rules --catalogue
    """
    from bgopendata.rules.catalogue import catalogue, structure_codes

    if show_catalogue:
        click.echo("Rule kinds")
        for code, entry in catalogue().items():
            click.echo(f"{code:26} {entry['title']}")
            click.echo(f"{'':26} {entry['description']}")
        click.echo("\nStructural problems")
        for code, entry in structure_codes().items():
            click.echo(f"{code:32} {entry['title']}")
            click.echo(f"{'':32} {entry['description']}")
        return
    from bgopendata.package import open_package
    from bgopendata.rules.coverage import coverage

    package = open_package(path)
    result = coverage(package)
    if uncovered:
        for fid, file, line in result.uncovered:
            click.echo(f"{file}:{line}\t{fid}")
        click.echo(f"{len(result.uncovered)} of {result.figures} figures are covered by no rule")
        return
    for kind, count in result.rules_per_kind.items():
        click.echo(f"{kind:26} {count}")
    click.echo(
        f"{sum(result.rules_per_kind.values())} rules cover "
        f"{result.figures - len(result.uncovered)} of {result.figures} figures"
    )
    _echo_exceptions(package)


def _echo_exceptions(package) -> None:
    """The declared exceptions to reading a figure from its text: rows relying on each, numbers excluded."""
    from bgopendata.provenance import exception_counts

    counts = exception_counts(package)
    excluded = counts.pop("excluded numbers", 0)
    if not counts and not excluded:
        return
    click.echo("\nExceptions declared (rows relying on each)")
    for exception, count in counts.items():
        click.echo(f"{exception:26} {count}")
    click.echo(f"{'excluded numbers':26} {excluded} (sources/exclusions.csv)")
