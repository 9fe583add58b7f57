"""``validate(path)``: structural checks (frictionless), then consistency rules (pandera), one report.

Unusable input (unreadable descriptor, paths escaping the package, a malformed rule)
raises ``UnusableInput``; everything else ends up as problems in the returned ``Report``.

The two layers are independent until their results meet, and each is dominated by its
imports (frictionless; pandas + pandera), so where the OS can ``fork`` the rules run in a
child process while frictionless checks the structure: a cold run costs about the slower
layer, not the sum. Without ``fork`` (or with ``parallel=False``) they run one after the other.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.package import Package, open_package
from bgopendata.report import Problem, Report
from bgopendata.structure import check_lexical, check_structure


def validate(path: str | Path = ".", *, strict: bool = False, parallel: bool = True) -> Report:
    """Validate the package at ``path``; raises ``UnusableInput`` when it cannot be read."""
    package = open_package(path)
    lexical = check_lexical(package)
    if lexical:  # a file that is not even well-formed CSV: no reader, rule or frictionless runs on it
        return Report(package=str(package.root), strict=strict, problems=lexical,
                      stats={"resources": len(package.resources)})
    pending = _start_rules(package) if parallel else None
    problems = check_structure(package, lexical_checked=True)
    structure_failed = any(p.severity == "error" for p in problems)
    outcome = pending.result() if pending else None
    if outcome is None:  # sequential, or the child died: run the rules here
        outcome = _run_rules(package)
    consistency, stats = _settle(outcome, structure_failed=structure_failed)
    return Report(
        package=str(package.root),
        strict=strict,
        problems=problems + consistency,
        stats={"resources": len(package.resources), **stats},
    )


def _run_rules(package: Package) -> dict[str, Any]:
    """Run the rules, strictly and (if a reference is missing) tolerantly; plain data out."""
    from bgopendata.consistency import check_consistency, prepare

    try:
        prepared = prepare(package)
    except UnusableInput as exc:
        return {"unusable": str(exc)}
    outcome: dict[str, Any] = {}
    try:
        problems, stats = check_consistency(package, prepared=prepared)
    except UnusableInput as exc:  # a rule names a missing figure: fatal only if the structure is fine
        outcome["reference_error"] = str(exc)
        problems, stats = check_consistency(package, structure_failed=True, prepared=prepared)
    outcome["problems"] = [p.model_dump() for p in problems]
    outcome["stats"] = stats
    return outcome


def _settle(outcome: dict[str, Any], *, structure_failed: bool) -> tuple[list[Problem], dict[str, int]]:
    if "unusable" in outcome:
        raise UnusableInput(outcome["unusable"])
    if outcome.get("reference_error") and not structure_failed:
        raise UnusableInput(outcome["reference_error"])
    return [Problem(**p) for p in outcome["problems"]], outcome["stats"]


class _Pending:
    """The rules running in a forked child; ``result()`` is its outcome, or None if it died."""

    def __init__(self, package: Package) -> None:
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(package, send), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> dict[str, Any] | None:
        try:
            outcome = self._receive.recv()
        except (EOFError, OSError):
            outcome = None
        finally:
            self._receive.close()
            self._process.join()
        return outcome


def _child(package: Package, send: Any) -> None:
    try:
        outcome = _run_rules(package)
    except Exception:  # a bug: the parent reruns the rules itself and shows it there, once
        outcome = None
    try:
        send.send(outcome)
    finally:
        send.close()


def _start_rules(package: Package) -> _Pending | None:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return _Pending(package)
    except OSError:
        return None
