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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bgopendata")
def cli() -> None:
    """Bergamo's economic figures as open data: validate, build, query and download.

    \b
    Example:
        bgopendata validate .
    """


def main() -> None:
    cli(prog_name="bgopendata")
