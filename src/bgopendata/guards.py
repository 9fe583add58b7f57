"""The two refusals every command that writes a folder makes: an invalid package, an unsafe destination.

``build`` and ``site`` both replace a whole folder with what they wrote; both must refuse a
package that does not validate, and a destination whose replacement would destroy something
they did not write, or the package's own data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bgopendata.atomic import special_file_kind
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.package import Package

# The package's own folders: a destination may neither sit inside them nor contain the package.
DATA_FOLDERS = ("resources", "rules", "schemas", "sources", "views")


def require_valid(report: Any, package_path: str | Path) -> None:
    """Raise ``InvalidData`` naming the first problem when ``report`` (from ``validate``) is not valid."""
    if report.valid:
        return
    first = report.errors[0] if report.errors else report.warnings[0]
    raise InvalidData(
        f"the package is invalid ({len(report.errors)} error(s)), first: "
        f"{first.location()}: {first.message}; run 'bgopendata validate'",
        path=str(package_path),
    )


def safe_destination(out: Path, package: Package, *, what: str, mark: str, not_ours: str) -> Path:
    """``out`` resolved, when replacing it destroys only an earlier output of the same command.

    ``what`` names the folder in messages ("release", "site"); a non-empty folder is replaced
    only when it holds the file ``mark`` that command writes; ``not_ours`` says why it is refused.
    """
    dest = out.resolve()
    root = package.root.resolve()
    if dest == root or root.is_relative_to(dest) or any(dest.is_relative_to(root / part) for part in DATA_FOLDERS):
        raise UnusableInput(f"the {what} folder must not contain or sit inside the package's data", path=str(out))
    if dest.exists() and not dest.is_dir():
        kind = special_file_kind(dest.stat().st_mode)
        raise UnusableInput(f"exists and is {kind or 'a file'}, not a folder", path=str(out))
    if dest.is_dir() and any(dest.iterdir()) and not (dest / mark).is_file():
        raise UnusableInput(f"is not empty and {not_ours}; refusing to replace it", path=str(out))
    return dest
