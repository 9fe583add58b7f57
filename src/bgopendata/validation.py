"""``validate(path)``: structural checks (frictionless), then consistency rules (pandera), one report.

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
    from bgopendata.consistency import check_consistency, prepare

    package = open_package(path)
    prepared = prepare(package)  # a malformed rule declaration fails before the slow checks
    problems = check_structure(package)
    structure_failed = any(p.severity == "error" for p in problems)
    consistency, stats = check_consistency(package, structure_failed=structure_failed, prepared=prepared)
    return Report(
        package=str(package.root),
        strict=strict,
        problems=problems + consistency,
        stats={"resources": len(package.resources), **stats},
    )
