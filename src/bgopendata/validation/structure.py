"""Structural validation through the official ``frictionless`` validator.

Types, constraints, primary and foreign keys, header labels and encoding are checked by
frictionless itself; this module only feeds it a descriptor whose paths ``package`` has
already checked, pins the CSV dialect (frictionless would otherwise sniff a ``;`` file as
valid), and maps its errors onto our ``Problem`` model with file, line and field.
"""

from __future__ import annotations

import copy
import csv
import re
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.formulas import formula_message, looks_like_formula
from bgopendata.lexical import check_csv
from bgopendata.package import Package, offline_profile
from bgopendata.report import Problem, Severity

# Our published CSVs are always UTF-8, comma-separated, with one header row.
PINNED_DIALECT = {"delimiter": ",", "quoteChar": '"', "header": True}

# frictionless error types that concern the whole package or a resource's metadata.
UNUSABLE_TYPES = {
    "package-error",
    "resource-error",
    "schema-error",
    "field-error",
    "dialect-error",
    "checklist-error",
    "inquiry-error",
    "report-error",
    "pipeline-error",
    "step-error",
    "source-error",
    "scheme-error",
    "format-error",
    "encoding-error",
    "compression-error",
    "hash-count",
}


def pinned_descriptor(package: Package) -> dict[str, Any]:
    """The descriptor as frictionless should see it: schemas inlined, dialect and encoding pinned."""
    descriptor = copy.deepcopy(package.descriptor)
    _offline_profiles(descriptor)
    for res_desc, res in zip(descriptor["resources"], package.resources, strict=True):  # one Resource each
        _offline_profiles(res_desc)
        res_desc["schema"] = copy.deepcopy(res.schema)
        res_desc["schema"].pop("$schema", None)
        res_desc["schema"].pop("profile", None)
        for spec in res_desc["schema"].get("fields", []):
            if isinstance(spec, dict) and isinstance(spec.get("constraints"), dict):
                spec["constraints"].pop("pattern", None)  # checked in bounded time by ``pattern_problems``
        res_desc["format"] = "csv"
        res_desc["encoding"] = "utf-8"
        res_desc["dialect"] = dict(PINNED_DIALECT)
    return descriptor


def _offline_profiles(descriptor: dict[str, Any]) -> None:
    """Replace a profile URL by its standard identifier and drop ``$schema``, so frictionless
    resolves them from its own copies and never fetches (``open_package`` refused unknown ones)."""
    descriptor.pop("$schema", None)
    if "profile" in descriptor:
        descriptor["profile"] = offline_profile(descriptor["profile"], shown="datapackage.json", field="profile")


MAX_MESSAGE_CHARS = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # frictionless quotes cells raw; a report shows them escaped


def check_lexical(package: Package) -> list[Problem]:
    """The cheap lexical checks of every CSV (see ``lexical``); run before anything reads the tables."""
    return [problem for res in package.resources for problem in check_csv(res.path, res.relpath, res.name, res.schema)]


def check_structure(package: Package, *, lexical_checked: bool = False) -> list[Problem]:
    """Lexical checks of every CSV, then frictionless over the whole package, as problems.

    When a file fails the lexical checks, frictionless is not run: its errors on a misread
    file (a wrong delimiter, an unclosed quote) would only bury the real one.
    """
    if not lexical_checked:
        lexical = check_lexical(package)
        if lexical:
            return lexical
    checked = Frictionless(package)
    return checked.assemble([checked.tables(range(len(package.resources)))])


Part = tuple[list[Problem], list[Problem], list[Problem]]  # package-level, per table, pattern and formula


class Frictionless:
    """frictionless's validation of a package, in parts that may run in separate processes.

    ``frictionless.Package.validate`` checks the metadata, then each table on its own (its
    foreign keys read the other tables through the package); ``tables`` does the second
    part for some of the tables, and ``assemble`` puts the parts together in the order the
    whole ``Package.validate`` reports them, followed by the pattern and formula checks.
    """

    def __init__(self, package: Package) -> None:
        import frictionless

        self.package = package
        self._paths = {r.name: r.relpath for r in package.resources}
        self.unopened: list[Problem] = []  # frictionless refused the descriptor: nothing else is checked
        self.metadata: list[Problem] = []  # the package's metadata is invalid: no table is read
        self._fl: Any = None
        try:
            self._fl = frictionless.Package(pinned_descriptor(package), basepath=str(package.root))
        except frictionless.FrictionlessException as exc:
            self.unopened = [_problem_from_error(exc.error, resource=None, path="datapackage.json")]
            return
        except Exception as exc:  # noqa: BLE001 - a crash inside the validator must not become a traceback
            raise _crashed(exc) from None
        try:
            self._fl.to_descriptor(validate=True)  # first, as Package.validate does
        except frictionless.FrictionlessException as exc:
            self.metadata = [_problem_from_error(e, resource=None, path="datapackage.json") for e in exc.to_errors()]
        except Exception as exc:  # noqa: BLE001 - as above
            raise _crashed(exc) from None

    def tables(self, positions: range) -> Part:
        """The problems frictionless finds in the tables at ``positions``, then theirs of the
        pattern and formula checks."""
        if self.unopened:
            return [], [], []
        top: list[Problem] = []
        found: list[Problem] = []
        if not self.metadata:
            try:
                for position in positions:
                    report = self._fl.resources[position].validate()
                    top += [_problem_from_error(e, resource=None, path="datapackage.json") for e in report.errors]
                    for task in report.tasks:
                        path = self._paths.get(task.name)
                        found += [_problem_from_error(e, resource=task.name, path=path) for e in task.errors]
            except Exception as exc:  # noqa: BLE001 - as above
                raise _crashed(exc) from None
        extra: list[Problem] = []
        for position in positions:
            res = self.package.resources[position]
            extra += pattern_problems(res) + formula_warnings(res)
        return top, found, extra

    def assemble(self, parts: list[Part]) -> list[Problem]:
        """The problems of ``tables`` over consecutive positions, in ``Package.validate``'s order."""
        if self.unopened:
            return self.unopened
        ordered = self.metadata + [p for part in parts for p in part[0]] + [p for part in parts for p in part[1]]
        return ordered + [p for part in parts for p in part[2]]


def _crashed(exc: Exception) -> UnusableInput:
    return UnusableInput(
        f"frictionless could not validate the package: {type(exc).__name__}: {exc}", path="datapackage.json"
    )


def _rows(res: Any):
    """``(line, {field: cell})`` for each data row (cells never span lines in our CSVs)."""
    with res.path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for line, cells in enumerate(reader, start=2):
            yield line, dict(zip(header, cells, strict=False))  # a short or long row is frictionless's to report


def pattern_problems(res: Any) -> list[Problem]:
    """The ``pattern`` constraints, matched whole by RE2 as the DuckDB engine does: linear time,
    so a crafted cell cannot make ``(a+)+$`` backtrack for ever, and the same verdict on both."""
    patterns = {}
    for spec in res.schema.get("fields", []):
        pattern = (spec.get("constraints") or {}).get("pattern") if isinstance(spec, dict) else None
        if isinstance(pattern, str):
            try:
                import re2
            except ImportError:
                raise UnusableInput(
                    "pattern constraints need the google-re2 package (pip install google-re2)",
                    path=res.schema_path or "datapackage.json",
                    field=spec["name"],
                ) from None
            try:
                patterns[spec["name"]] = (pattern, re2.compile(pattern))
            except re2.error:
                raise UnusableInput(
                    f"pattern {pattern!r} uses a feature RE2 lacks (look-around, back-references); write it without",
                    path=res.schema_path or "datapackage.json",
                    field=spec["name"],
                ) from None
    if not patterns:
        return []
    missing = set(res.schema.get("missingValues", [""]))
    found = []
    for line, row in _rows(res):
        for name, (pattern, compiled) in patterns.items():
            cell = row.get(name)
            if cell is None or cell in missing or compiled.fullmatch(cell):
                continue
            message = f"the cell {cell[:40]!r} does not match the pattern {pattern!r}"
            found.append(_cell_problem(res, line, name, "structure/constraint-error", "error", message))
    return found


def formula_warnings(res: Any) -> list[Problem]:
    """Text cells a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``): a warning."""
    text = {
        f["name"] for f in res.schema.get("fields", []) if isinstance(f, dict) and f.get("type", "string") == "string"
    }
    if not text:
        return []
    found = []
    for line, row in _rows(res):
        for name in sorted(text):
            cell = row.get(name) or ""
            if looks_like_formula(cell):
                found.append(
                    _cell_problem(res, line, name, "structure/formula-injection", "warning", formula_message(cell))
                )
    return found


def _cell_problem(res: Any, line: int, field: str, code: str, severity: Severity, message: str) -> Problem:
    """A problem of one cell, located at its resource, line and field."""
    return Problem(
        code=code, severity=severity, resource=res.name, path=res.relpath, line=line, fields=[field], message=message
    )


def _problem_from_error(err: Any, *, resource: str | None, path: str | None) -> Problem:
    row = getattr(err, "row_number", None)
    if row is None and getattr(err, "label", None) is not None:
        row = 1  # header errors: the header is line 1
    field_name = getattr(err, "field_name", None)
    label = getattr(err, "label", None)
    fields = [field_name] if field_name else ([label] if label else [])
    message = " ".join(str(getattr(err, "message", None) or getattr(err, "note", "") or err.title).split())
    message = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)  # cell text
    fields = [_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), f) for f in fields]
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "\u2026"
    return Problem(
        code=f"structure/{err.type}",
        severity="error",
        message=message,
        resource=resource,
        path=path,
        line=row,
        fields=fields,
    )
