"""Bench (run by hand, not a test): the cold start of ``validate`` and ``query``, each against its peer.

    .venv/bin/python bench/cold_start.py [--runs 15] [--package PATH] [--only validate|query]

Every run is a fresh process on the shipped package, with bgopendata's bytecode compiled
first (as an installed wheel has it). Each pair alternates (A B, then B A in
the next round) so a noisy neighbour slows both sides alike; one warm-up run each fills the
OS file cache first. Prints each side's median wall time and CPU time (user + system, of the
process and its children) and the ratio of the medians against the goal:

- ``bgopendata validate .`` vs ``frictionless validate datapackage.json``: at most 1.0x;
- ``bgopendata query SQL`` vs a bare DuckDB process (``python -c "import duckdb; ..."``) that
  creates the same views (the SQL text ``query`` builds, typed by the Table Schemas) over the
  same CSV files, runs the same query and prints its rows: at most 1.2x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OK_EXIT_CODES = (0, 1)  # 1 is a verdict ("invalid"), not a failure of the command
QUERY = (
    "SELECT geo, period, value, unit FROM province_exports WHERE measure = 'export_value' ORDER BY value DESC LIMIT 10"
)
GOALS = {"validate": 1.0, "query": 1.2}


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``cmd``; exits the bench if the command fails.

    The CPU time is the process's and its children's (the forked ``Ahead`` of ``validate``), as
    the kernel accounts them once the process has been waited for."""
    before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    after = os.times()
    if process.returncode not in OK_EXIT_CODES:
        sys.exit(f"{' '.join(cmd)} failed ({process.returncode}): {stderr.decode(errors='replace').strip()}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def alternate(pair: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, list[tuple[float, float]]]:
    """Each command's (wall, CPU) per run: warmed once, then alternating, the order flipped each round."""
    names = list(pair)
    for name in names:
        timed(pair[name], cwd)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_no in range(runs):
        for name in names if round_no % 2 == 0 else reversed(names):
            times[name].append(timed(pair[name], cwd))
    return times


def compare(title: str, pair: dict[str, list[str]], runs: int, cwd: Path) -> float:
    """Run one pair, print the medians and the ratio of the first to the second against its goal."""
    times = alternate(pair, runs, cwd)
    walls = {name: statistics.median(w for w, _ in ts) for name, ts in times.items()}
    cpus = {name: statistics.median(c for _, c in ts) for name, ts in times.items()}
    print(f"{title} ({runs} runs each, alternating)")
    for name, ts in times.items():
        low, high = min(w for w, _ in ts), max(w for w, _ in ts)
        print(
            f"  {name:<40} wall median {walls[name] * 1000:7.0f} ms (min {low * 1000:.0f}, max {high * 1000:.0f})"
            f"   CPU median {cpus[name] * 1000:6.0f} ms"
        )
    ours, peer = list(times)
    ratio = walls[ours] / walls[peer]
    goal = GOALS[title]
    verdict = "met" if ratio <= goal else "NOT met"
    cpu_ratio = cpus[ours] / cpus[peer]
    print(f"  ratio (wall medians) {ratio:.2f}x, goal <= {goal:.1f}x: {verdict}; CPU ratio {cpu_ratio:.2f}x")
    return ratio


def validate_pair(package: Path) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    return {
        "bgopendata validate .": [str(bindir / "bgopendata"), "validate", "."],
        "frictionless validate datapackage.json": [str(bindir / "frictionless"), "validate", "datapackage.json"],
    }


def query_pair(package: Path, sql: str) -> dict[str, list[str]]:
    """Our command and a bare DuckDB script creating the very views ``query`` creates."""
    from bgopendata.access.query import csv_views

    bindir = Path(sys.executable).parent
    views = csv_views(package, {"province_exports"})
    script = "import duckdb\ncon = duckdb.connect()\n"
    for name, source, _ in views:
        script += f"con.execute({f'CREATE VIEW {name} AS SELECT * FROM {source}'!r})\n"
    script += f"con.sql({sql!r}).show()\n"
    return {
        "bgopendata query SQL": [str(bindir / "bgopendata"), "query", "--package", str(package), sql],
        "python -c 'import duckdb; views; query'": [sys.executable, "-c", script],
    }


def compile_bytecode() -> None:
    """Compile bgopendata's modules first, as ``pip install`` does for the wheel: a checkout run
    with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module on every run, while
    frictionless and DuckDB load their installed bytecode."""
    import bgopendata

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(bgopendata.__file__).parent)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--package", type=Path, default=ROOT)
    parser.add_argument("--only", choices=sorted(GOALS), default=None)
    parser.add_argument("--sql", default=QUERY, help="the query both sides run (on province_exports)")
    args = parser.parse_args()
    package = args.package.resolve()
    compile_bytecode()
    if args.only in (None, "validate"):
        compare("validate", validate_pair(package), args.runs, package)
    if args.only in (None, "query"):
        compare("query", query_pair(package, args.sql), args.runs, package)


if __name__ == "__main__":
    main()
