"""Structural validation through the official ``frictionless`` validator.

Types, constraints, primary and foreign keys, header labels and encoding are checked by
frictionless itself; this module only feeds it a descriptor whose paths ``package`` has
already checked, pins the CSV dialect (frictionless would otherwise sniff a ``;`` file as
valid), and maps its errors onto our ``Problem`` model with file, line and field.
"""

from __future__ import annotations

import copy
from typing import Any

from bgopendata.validation.lexical import check_csv
from bgopendata.errors import UnusableInput
from bgopendata.package import Package
from bgopendata.report import Problem

# Our published CSVs are always UTF-8, comma-separated, with one header row.
PINNED_DIALECT = {"delimiter": ",", "quoteChar": '"', "header": True}

# frictionless error types that concern the whole package or a resource's metadata.
UNUSABLE_TYPES = {"package-error", "resource-error", "schema-error", "field-error",
                  "dialect-error", "checklist-error", "inquiry-error", "report-error",
                  "pipeline-error", "step-error", "source-error", "scheme-error",
                  "format-error", "encoding-error", "compression-error", "hash-count"}


def pinned_descriptor(package: Package) -> dict[str, Any]:
    """The descriptor as frictionless should see it: schemas inlined, dialect and encoding pinned."""
    descriptor = copy.deepcopy(package.descriptor)
    for res_desc, res in zip(descriptor["resources"], package.resources):
        res_desc["schema"] = copy.deepcopy(res.schema)
        res_desc["format"] = "csv"
        res_desc["encoding"] = "utf-8"
        res_desc["dialect"] = dict(PINNED_DIALECT)
    return descriptor


MAX_MESSAGE_CHARS = 300


def check_lexical(package: Package) -> list[Problem]:
    """The cheap lexical checks of every CSV (see ``lexical``); run before anything reads the tables."""
    return [problem for res in package.resources
            for problem in check_csv(res.path, res.relpath, res.name, res.schema)]


def check_structure(package: Package, *, lexical_checked: bool = False) -> list[Problem]:
    """Lexical checks of every CSV, then frictionless over the whole package, as problems.

    When a file fails the lexical checks, frictionless is not run: its errors on a misread
    file (a wrong delimiter, an unclosed quote) would only bury the real one.
    """
    if not lexical_checked:
        lexical = check_lexical(package)
        if lexical:
            return lexical
    import frictionless

    descriptor = pinned_descriptor(package)
    paths = {r.name: r.relpath for r in package.resources}
    try:
        fl_package = frictionless.Package(descriptor, basepath=str(package.root))
        report = fl_package.validate()
    except frictionless.FrictionlessException as exc:
        return [_problem_from_error(exc.error, resource=None, path="datapackage.json")]
    except Exception as exc:  # noqa: BLE001 - a crash inside the validator must not become a traceback
        raise UnusableInput(f"frictionless could not validate the package: {type(exc).__name__}: {exc}",
                            path="datapackage.json") from None
    problems: list[Problem] = [
        _problem_from_error(err, resource=None, path="datapackage.json") for err in report.errors
    ]
    for task in report.tasks:
        for err in task.errors:
            problems.append(_problem_from_error(err, resource=task.name, path=paths.get(task.name)))
    return problems


def _problem_from_error(err: Any, *, resource: str | None, path: str | None) -> Problem:
    row = getattr(err, "row_number", None)
    if row is None and getattr(err, "label", None) is not None:
        row = 1  # header errors: the header is line 1
    field_name = getattr(err, "field_name", None)
    label = getattr(err, "label", None)
    fields = [field_name] if field_name else ([label] if label else [])
    message = " ".join(str(getattr(err, "message", None) or getattr(err, "note", "") or err.title).split())
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS - 1] + "\u2026"
    return Problem(
        code=f"structure/{err.type}",
        severity="error",
        message=message,
        resource=resource,
        path=path,
        line=row,
        fields=fields,
    )
