"""Turn library exceptions into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from bgopendata.errors import EXIT_UNUSABLE, BgError

EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program ended by SIGPIPE

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``), so nothing that came from a
    server or a file can move the cursor, recolour or rewrite the user's terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command so ``BgError`` (and stray OS errors) exit cleanly with one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            quiet_broken_pipe()
        except BgError as exc:
            click.echo(escape_controls(f"error: {exc}"), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(escape_controls(f"error: {where}{exc.strerror or exc}"), err=True)
            sys.exit(EXIT_UNUSABLE)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)

    return wrapper


def quiet_broken_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as ``cat`` does, with no error line.

    stdout is pointed at /dev/null first, so Python's final flush of the unread output
    cannot raise again while the interpreter exits."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.exit(EXIT_BROKEN_PIPE)
