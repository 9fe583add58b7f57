"""Domain exceptions: each carries the one-line message and the exit code the CLI shows.

Library code raises these; only ``bgopendata.cli`` turns them into output and exit codes,
so the library stays usable from Python with no click in sight.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2


class BgError(Exception):
    """A problem the user can act on; its ``str`` is a single line naming file, row and field."""

    exit_code = EXIT_UNUSABLE

    def __init__(
        self, message: str, *, path: str | None = None, row: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.row = row
        self.field = field
        location = ":".join(str(p) for p in (path, row) if p is not None)
        if field:
            location = f"{location} [{field}]" if location else f"[{field}]"
        one_line = " ".join(str(message).split())
        super().__init__(f"{location}: {one_line}" if location else one_line)


class UnusableInput(BgError):
    """The input cannot be read or trusted (bad JSON, missing file, path escaping the package)."""

    exit_code = EXIT_UNUSABLE


class InvalidData(BgError):
    """The input was read but its data break a rule."""

    exit_code = EXIT_INVALID
