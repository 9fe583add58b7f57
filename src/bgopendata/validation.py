"""``validate(path)``: structural checks (frictionless), then consistency rules, one report.

Unusable input (unreadable descriptor, paths escaping the package) raises
``UnusableInput``; everything else ends up as problems in the returned ``Report``.
"""

from __future__ import annotations

from pathlib import Path

from bgopendata.package import open_package
from bgopendata.report import Report
from bgopendata.structure import check_structure


def validate(path: str | Path = ".", *, strict: bool = False) -> Report:
    """Validate the package at ``path``; raises ``UnusableInput`` when it cannot be read."""
    package = open_package(path)
    problems = check_structure(package)
    return Report(
        package=str(package.root),
        strict=strict,
        problems=problems,
        stats={"resources": len(package.resources)},
    )
