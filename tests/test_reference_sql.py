"""The hand-written SQL peer of the scale bench (``bench/reference_sql.py``) agrees with ``validate``.

``bench/scale.py`` times ``bgopendata validate --engine duckdb`` against that script, so the
two must check the same things: on a 20k-row bench package, clean, with three injected
errors of each kind, and with random edits that probe the rules' intervals (qualifiers,
resolutions, growths and ranks near their tolerance, empty cells), both find the same
failures of each kind on the same lines.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli
from conftest import ROOT, bench_generate

generate = bench_generate()
KIND = {
    "structure/type-error": "type-error",
    "structure/constraint-error": "constraint",
    "structure/primary-key": "primary-key",
    "structure/foreign-key": "foreign-key",
    "group-shares-sum": "shares-sum",
    "group-growth": "growth",
    "group-ranking": "ranking",
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reference")
    clean, broken, edited = base / "clean", base / "broken", base / "edited"
    generate.generate(clean, 20_000)
    generate.generate(broken, 20_000, inject=3)
    shutil.copytree(broken, edited)
    _edit(edited / "resources" / "exports.csv", random.Random(14))
    return {"clean": clean, "broken": broken, "edited": edited}


def _edit(path: Path, rng: random.Random) -> None:
    """Change a few hundred cells where the rules' tolerances decide the verdict."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = {name: i for i, name in enumerate(header)}
    for number in rng.sample(range(1, len(lines)), 400):
        cells = lines[number].split(",")
        what = rng.randrange(8)
        if what == 0:
            cells[col["qualifier"]] = rng.choice(["approx", "at_least", "at_most"])
        elif what == 1:
            cells[col["resolution"]] = rng.choice(["1", "0.01", "10", "0.000001"])
        elif what == 2 and cells[col["growth"]]:  # a growth moved by a few tenths: near its tolerance
            growth = float(cells[col["growth"]]) + rng.choice([-0.3, -0.2, -0.1, 0.1, 0.2, 0.3])
            cells[col["growth"]] = f"{growth:.1f}"
        elif what == 3:  # a value moved by its resolution or two: growths and ranks near tolerance
            value = float(cells[col["value"]]) + rng.choice([-0.2, -0.1, 0.1, 0.2])
            cells[col["value"]] = f"{max(value, 0.0):.1f}"
        elif what == 4:
            cells[col["rank"]] = str(max(1, int(cells[col["rank"]]) + rng.choice([-1, 1])))
        elif what == 5:
            cells[col[rng.choice(["share", "growth", "value", "rank", "partner", "resolution"])]] = ""
        elif what == 6:
            cells[col["share"]] = f"{float(cells[col['share']]) + rng.choice([-0.01, 0.01, 0.5]):.2f}"
        else:
            cells[col[rng.choice(["year", "share", "rank"])]] = rng.choice(["x", "-1", "3000", "101"])
        lines[number] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def reference(root: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reference_sql.py"), "--json", "--max-lines", "100000", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def ours(root: Path) -> dict:
    result = CliRunner().invoke(
        cli, ["validate", "--engine", "duckdb", "--format", "json", "--max-examples", "100000", "-q", str(root)]
    )
    report = json.loads(result.output)
    assert report["format"] == "bgopendata.report/1"
    assert "omitted" not in report["stats"]
    counts = dict.fromkeys(KIND.values(), 0)
    lines: dict[str, list[str]] = {kind: [] for kind in KIND.values()}
    for problem in report["problems"]:
        kind = KIND[problem["code"]]  # any other problem is one the reference does not know
        counts[kind] += 1
        lines[kind].append(f"{problem['path']}:{problem['line']}")
    return {"counts": counts, "lines": {kind: sorted(found) for kind, found in lines.items()}}


def compared(root: Path) -> tuple[dict, dict]:
    mine, theirs = ours(root), reference(root)
    assert theirs["counts"].pop("unreadable-row") == 0 and theirs["lines"].pop("unreadable-row") == []
    theirs["lines"] = {kind: sorted(found) for kind, found in theirs["lines"].items()}
    return mine, theirs


def test_clean_package_no_failures_from_either(packages):
    mine, theirs = compared(packages["clean"])
    assert mine == theirs
    assert not any(mine["counts"].values())


def test_injected_errors_same_kinds_and_lines(packages):
    mine, theirs = compared(packages["broken"])
    assert mine == theirs
    assert mine["counts"] == dict.fromkeys(KIND.values(), 3)
    expected = json.loads((packages["broken"] / "expected.json").read_text())["expected"]
    assert sorted(line for found in theirs["lines"].values() for line in found) == sorted(
        f"{e['path']}:{e['line']}" for e in expected
    )


def test_edits_near_the_tolerances_same_kinds_and_lines(packages):
    mine, theirs = compared(packages["edited"])
    assert mine == theirs
    # the edits reach every kind but the keys (an edit never repeats a key or names a new code)
    assert all(mine["counts"][kind] > 3 for kind in ("type-error", "constraint", "shares-sum", "growth", "ranking"))
