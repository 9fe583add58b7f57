"""The ``bgopendata`` command line: a thin layer over the library.

Commands are loaded lazily from ``COMMANDS`` so that ``bgopendata --help`` imports only
click; each command module turns library results into output and ``BgError`` into one
clean line on stderr and an exit code.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute"; each module holds one command.
COMMANDS = {
    "metadata": "bgopendata.cli.metadata_cmd:metadata",
    "site": "bgopendata.cli.site_cmd:site",
    "build": "bgopendata.cli.build_cmd:build",
    "diff": "bgopendata.cli.diff_cmd:diff",
    "download": "bgopendata.cli.download_cmd:download",
    "query": "bgopendata.cli.query_cmd:query",
    "release-check": "bgopendata.cli.release_check_cmd:release_check",
    "release-notes": "bgopendata.cli.release_notes_cmd:release_notes",
    "rules": "bgopendata.cli.rules_cmd:rules",
    "validate": "bgopendata.cli.validate_cmd:validate",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


def data_version(folder: str = ".") -> str:
    """The version of the data package in ``folder`` (its datapackage.json), or why there is none."""
    import json
    from pathlib import Path

    descriptor = Path(folder) / "datapackage.json"
    try:
        found = json.loads(descriptor.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return "no data package in this folder"
    return f"{found} ({descriptor})" if isinstance(found, str) else f"no version in {descriptor}"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from bgopendata import __version__

    click.echo(f"bgopendata code {__version__}; data {data_version()}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the code's version and the version of the data package here, then exit.",
)
def cli() -> None:
    """Bergamo's economic figures as open data: validate, build, query and download.

    Shell completion (bash; zsh and fish alike with zsh_source, fish_source):
    eval "$(_BGOPENDATA_COMPLETE=bash_source bgopendata)" in ~/.bashrc.

    \b
    Example:
        bgopendata validate .
    """


def main() -> None:
    from bgopendata.cli.errors import quiet_broken_pipe

    try:
        cli(prog_name="bgopendata")
    except BrokenPipeError:  # raised outside a command, e.g. while printing --help
        quiet_broken_pipe()
