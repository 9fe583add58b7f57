"""Single-cell typos of the shipped package, and whether ``validate`` refuses each one.

A *mutant* is a copy of the package with one number of one cell changed the way a
maintainer mistypes it: about +10%, and at least one unit of its last written digit
(37 -> 41, 13.1 -> 14.4, 0.1 -> 0.2, 2013 -> 2214, position 3 -> 4). The numeric cells are
``value``, ``resolution``, ``period`` (each year of a range is its own mutant), the digits
of ``value_text`` / ``value_text_en`` (written as the document writes them: ``1.778`` in
Italian, ``1,778`` in English), ``lists.position`` and ``charts.period``. A cell is caught
when every one of its mutants fails ``validate``.

Run as a script for the per-column detection table:
``PYTHONPATH=src python tests/mutants.py [--full] [PACKAGE]`` (2 worker processes; ``--full``
runs the whole ``validate`` on every mutant instead of the provenance checks first).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

NUMBER_COLUMNS = ("value", "resolution", "period", "position")
TEXT_COLUMNS = ("value_text", "value_text_en")
# a number as the documents write it: digits with thousands or decimal separators
WRITTEN_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
PACKAGE_ITEMS = ("datapackage.json", "resources", "schemas", "sources")
YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class Mutant:
    """One changed cell: ``resource`` line ``line`` (header = 1), ``column``, ``old`` -> ``new``."""

    resource: str
    path: str
    line: int
    column: str
    old: str
    new: str
    figure: str

    @property
    def cell(self) -> tuple[str, int, str]:
        return (self.resource, self.line, self.column)


def bump(number: Decimal) -> Decimal:
    """+10%, rounded to the number's own last digit, and at least one unit of that digit."""
    exponent = number.as_tuple().exponent
    step = Decimal(1).scaleb(exponent)  # type: ignore[arg-type]  # exponent is an int for finite numbers
    new = (number * Decimal("1.1")).quantize(step, rounding=ROUND_HALF_UP)
    return new if new - number >= step else number + step


def bump_plain(text: str) -> str:
    """A CSV number cell (``13.1``, ``1000000``) bumped, written the same way."""
    return str(bump(Decimal(text)))


def bump_written(token: str, language: str) -> str:
    """A number as a document writes it (``1.778`` it, ``1,778`` en, ``13,1`` it) bumped, same style."""
    thousands, decimal = (".", ",") if language == "it" else (",", ".")
    groups = token.split(thousands)
    if len(groups) > 1 and all(len(g) == 3 and g.isdigit() for g in groups[1:]) and decimal not in token:
        new = bump(Decimal("".join(groups)))
        digits = f"{int(new):,}".replace(",", thousands)
        return digits
    plain = token.replace(decimal, ".")
    try:
        new = bump(Decimal(plain))
    except ArithmeticError:
        return token
    return str(new).replace(".", decimal)


def _language_of(column: str, row: dict[str, str], documents: dict[str, str]) -> str:
    original = documents.get(row.get("document_id", ""), "en")
    if column == "value_text_en" and row.get("sentence_en") != row.get("sentence_it"):
        return "en"
    return original  # a chart label quoted alike in both languages keeps the document's style


def mutants(package: Path) -> list[Mutant]:
    """Every single-cell typo of the package's numeric cells."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    documents = {}
    for res in descriptor["resources"]:
        if res["name"] == "documents":
            for row in _rows(package / res["path"]):
                documents[row["document_id"]] = row["languages"].split()[0]
    found: list[Mutant] = []
    for res in descriptor["resources"]:
        rows = _rows(package / res["path"])
        for line, row in enumerate(rows, start=2):
            figure = row.get("figure_id") or row.get("chart_id") or f"{row.get('list_id')}#{row.get('position')}"
            for column, old in row.items():
                if not old:
                    continue
                if column in NUMBER_COLUMNS:
                    news = _bumped_numbers(old, YEAR if column == "period" else None)
                elif column in TEXT_COLUMNS:
                    language = _language_of(column, row, documents)
                    news = [
                        old[: m.start()] + bump_written(m.group(), language) + old[m.end() :]
                        for m in WRITTEN_NUMBER.finditer(old)
                    ][:1]
                else:
                    continue
                found += [
                    Mutant(res["name"], res["path"], line, column, old, new, figure) for new in news if new != old
                ]
    return found


def _bumped_numbers(old: str, pattern: re.Pattern[str] | None) -> list[str]:
    if pattern is None:
        try:
            return [bump_plain(old)]
        except ArithmeticError:
            return []
    return [old[: m.start()] + bump_plain(m.group()) + old[m.end() :] for m in pattern.finditer(old)]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def apply(package: Path, mutant: Mutant, dest: Path) -> Path:
    """A copy of ``package`` in ``dest`` with the mutant's one cell changed (other bytes kept)."""
    dest.mkdir()
    for item in PACKAGE_ITEMS:
        src = package / item
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / item)
    target = dest / mutant.path
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[mutant.line - 1][header.index(mutant.column)] = mutant.new
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8", newline="")
    return dest


def refused(package: Path, mutant: Mutant, *, quick: bool = True) -> bool:
    """Does ``validate`` (in this process, sequentially) refuse the mutant?

    ``quick``: first run only the provenance checks on the copy; ``validate`` reports every
    problem they find as its own (or stops earlier on worse), so an error there means
    ``validate`` refuses the copy. Only the mutants they let through pay for a full
    ``validate``. ``quick=False`` always runs the full ``validate``.
    """
    from bgopendata.errors import BgError
    from bgopendata.validation.pipeline import validate

    with tempfile.TemporaryDirectory() as tmp:
        copy = apply(package, mutant, Path(tmp) / "pkg")
        try:
            if quick and provenance_refuses(copy):
                return True
            return not validate(copy, parallel=False).valid
        except BgError:  # unusable input is refused too (exit 2)
            return True


def provenance_refuses(copy: Path) -> bool:
    from bgopendata.package import open_package
    from bgopendata.provenance import check_package

    return any(p.severity == "error" for p in check_package(open_package(copy)))


def _judge(args: tuple[str, Mutant, bool]) -> tuple[Mutant, bool]:
    package, mutant, quick = args
    return mutant, refused(Path(package), mutant, quick=quick)


def judge_all(package: Path, todo: list[Mutant], processes: int = 2, *, quick: bool = True) -> dict[Mutant, bool]:
    """Each mutant judged once, over ``processes`` warm worker processes (imports paid once each)."""
    import multiprocessing

    from bgopendata.validation.pipeline import validate

    validate(package, parallel=False)  # warm: imports and caches are inherited by the forked workers
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return dict(pool.imap_unordered(_judge, [(str(package), m, quick) for m in todo], chunksize=8))


def table(results: dict[Mutant, bool]) -> list[tuple[str, int, int]]:
    """(column, caught cells, cells): a cell is caught when all its mutants are refused."""
    cells: dict[tuple[str, int, str], bool] = {}
    for mutant, caught in results.items():
        cells[mutant.cell] = cells.get(mutant.cell, True) and caught
    columns: dict[str, list[int]] = {}
    for (resource, _, column), caught in cells.items():
        key = f"{'lists.' if resource == 'lists' else 'charts.' if resource == 'charts' else ''}{column}"
        entry = columns.setdefault(key, [0, 0])
        entry[0] += caught
        entry[1] += 1
    return [(column, caught, total) for column, (caught, total) in sorted(columns.items())]


def main(argv: list[str]) -> int:
    import time

    args = [a for a in argv[1:] if not a.startswith("--")]
    package = Path(args[0] if args else ".").resolve()
    todo = mutants(package)
    start = time.perf_counter()
    results = judge_all(package, todo, quick="--full" not in argv[1:])
    elapsed = time.perf_counter() - start
    rows = table(results)
    print("| column | caught / cells |\n|---|---|")
    for column, caught, total in rows:
        print(f"| `{column}` | {caught} / {total} ({100 * caught / total:.0f}%) |")
    caught, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| **all** | {caught} / {total} ({100 * caught / total:.1f}%) |")
    print(f"\n{len(todo)} mutants in {elapsed:.0f} s")
    for mutant, ok in sorted(results.items(), key=lambda item: item[0].cell):
        if not ok:
            where = f"{mutant.resource}:{mutant.line} {mutant.column}"
            print(f"missed: {where} {mutant.old!r} -> {mutant.new!r} ({mutant.figure})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
