"""Validation at scale, run by hand: ``validate --engine duckdb`` against its peers, in the same run.

For each bench package (made by ``bench/generate.py``, given as folders or generated here
with ``--generate N``), as whole processes timed by ``/usr/bin/time -f '%e %M'`` (wall
seconds, peak RSS), medians of ``--runs`` runs, the commands alternating round by round
so that a noisy neighbour slows them alike:

- ``bgopendata validate --engine duckdb`` (structure and rules);
- ``bench/reference_sql.py``: the same checks written by hand in DuckDB SQL (the peer);
- a typed scan of the fact table: DuckDB's ``read_csv`` with the declared types and one
  aggregate per column (the floor: reading and typing every cell, nothing checked);
- ``frictionless validate datapackage.json`` (after the others), only up to ``--frictionless-max-rows``; above
  that its time is extrapolated linearly from the largest package it was measured on (a
  package of that size is generated for it when none was given), and marked so.

Then the goals: ours at most 1.5x the reference at 1M rows and at most 1.0x from 10M; at
least 50x faster than frictionless; peak memory at most 1 GB up to 10M rows and 1.5 GB at
100M; and, with ``--inject-too``, the package with three injected errors of each kind
(generated next to each one, its runs alternating with the clean one's) no slower than
the clean one.

``--generate N`` (repeatable) and ``--rows-100m`` (``--generate 100000000``: 5.4 GB of CSV)
write a package into a temporary folder (``--tmp``), state the disk space it takes and
delete it after its runs.

Example:
    python bench/generate.py --rows 1000000 --out /tmp/bg-1m
    python bench/scale.py /tmp/bg-1m --runs 3
    python bench/scale.py --generate 10000000 --runs 3 --inject-too
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate as bench_generate  # noqa: E402 - bench/ is a folder of scripts, not a package

PYTHON = sys.executable
DUCKDB_TYPES = {"integer": "BIGINT", "number": "DECIMAL(18,6)"}  # as the validator types them
OK_EXIT_CODES = (0, 1)  # 1 is a verdict ("invalid"), not a failure of the command


@dataclass
class Timing:
    """The runs of one command: wall seconds and peak RSS in MB, and the last exit code."""

    walls: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    code: int = 0
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def peak(self) -> float:
        return statistics.median(self.rss) if self.rss else float("nan")


def timed(cmd: list[str], into: Timing) -> None:
    """One whole process of ``cmd``, its wall time and peak RSS from /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall, rss_kb = out.read().split()[-2:]
    if proc.returncode not in OK_EXIT_CODES:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    into.walls.append(float(wall))
    into.rss.append(int(rss_kb) / 1024)
    into.code = proc.returncode


def floor_command(pkg: Path) -> list[str]:
    """A typed scan of every column of the fact table: ``max`` of each, types as declared."""
    schema = json.loads((pkg / "schemas" / "exports.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in schema["fields"]]
    types = {f["name"]: DUCKDB_TYPES.get(f.get("type", "string"), "VARCHAR") for f in schema["fields"]}
    sql = (
        f"SELECT {', '.join(f'max({n})' for n in names)} FROM read_csv('{pkg / 'resources' / 'exports.csv'}', "
        f"header = true, auto_detect = false, columns = {types}, ignore_errors = true)"
    )
    return [PYTHON, "-c", f"import duckdb; duckdb.sql({sql!r}).fetchall()"]


def commands(pkg: Path) -> dict[str, list[str]]:
    return {
        "validate --engine duckdb": [PYTHON, "-m", "bgopendata", "validate", "--engine", "duckdb", "-q", str(pkg)],
        "reference SQL": [PYTHON, str(HERE / "reference_sql.py"), str(pkg)],
        "typed scan (floor)": floor_command(pkg),
    }


def frictionless_command(pkg: Path) -> list[str]:
    exe = Path(PYTHON).parent / "frictionless"
    return [str(exe) if exe.exists() else "frictionless", "validate", str(pkg / "datapackage.json")]


def rounds(cmds: dict[str, list[str]], runs: int) -> dict[str, Timing]:
    """Every command ``runs`` times, alternating (round 1: each once, round 2: each once...)."""
    times = {name: Timing() for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            timed(cmd, times[name])
    return times


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


@contextmanager
def generated(rows: int, tmp: Path | None, inject: int = 0) -> Iterator[Path]:
    """A bench package of about ``rows`` rows in a temporary folder, deleted on exit."""
    folder = Path(tempfile.mkdtemp(prefix="bg-scale-", dir=tmp))
    pkg = folder / "pkg"
    try:
        bench_generate.generate(pkg, rows, inject)
        free = shutil.disk_usage(folder).free / 1e9
        print(f"# generated {pkg}: {disk_mb(pkg):,.0f} MB on disk ({free:,.1f} GB left), deleted after its runs")
        yield pkg
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summary(pkg: Path) -> tuple[int, float]:
    data = json.loads((pkg / "expected.json").read_text(encoding="utf-8"))
    return int(data["rows"]), data["bytes"] / 1e6


class Frictionless:
    """frictionless's seconds per row, from the largest package it was measured on."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rate: tuple[float, float, int] | None = None  # seconds per row, MB, rows measured on
        if args.frictionless_per_million:  # measured in an earlier run: extrapolate from it
            self.rate = (args.frictionless_per_million / 1e6, float("nan"), 0)

    def time(self, pkg: Path, rows: int) -> Timing:
        # the generator's sizes are approximate (--rows 1000000 makes 1,016,500 rows): 10% slack
        if rows <= self.args.frictionless_max_rows * 1.1 and not self.args.frictionless_per_million:
            return self.measure(pkg, rows)
        if self.rate is None:  # nothing measured yet: on a package of the largest size it runs on
            with generated(self.args.frictionless_max_rows, self.args.tmp) as small:
                self.measure(small, summary(small)[0])
        assert self.rate is not None
        per_row, _, measured = self.rate
        source = f" from {measured:,} rows" if measured else ""
        return Timing([per_row * rows], [], note=f"extrapolated{source}")

    def measure(self, pkg: Path, rows: int) -> Timing:
        result = Timing()
        for _ in range(self.args.frictionless_runs or self.args.runs):
            timed(frictionless_command(pkg), result)
        result.note = f"median of {len(result.walls)}"
        if self.rate is None or rows >= self.rate[2]:
            self.rate = (result.wall / rows, result.peak, rows)
        return result


def show(name: str, rows: int, mb: float, times: dict[str, Timing]) -> None:
    for tool, t in times.items():
        peak = "-" if not t.rss else f"{t.peak:.0f}"
        label = f"{tool} ({t.note})" if t.note else tool
        print(f"{name:22} {rows:>11,} {mb:>6.0f} | {label:44} {t.wall:>8.2f} {peak:>8} {rows / t.wall:>11,.0f}")
        name = ""


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def goals(rows: int, times: dict[str, Timing], inject: dict[str, Timing] | None) -> None:
    ours, ref, fr = times["validate --engine duckdb"], times["reference SQL"], times["frictionless"]
    ratio = ours.wall / ref.wall
    goal = 1.0 if rows >= 5_000_000 else 1.5 if rows >= 500_000 else None  # goals set at 1M and 10M rows
    if goal is None:
        print(f"{'':30} ours / reference SQL: {ratio:5.2f}x (goals are set at 1M and 10M rows)")
    else:
        print(f"{'':30} ours / reference SQL: {ratio:5.2f}x (goal <= {goal}x: {verdict(ratio <= goal)})")
    faster = fr.wall / ours.wall
    if faster == faster:  # not NaN: frictionless was timed or extrapolated
        print(f"{'':30} ours vs frictionless: {faster:5.1f}x faster (goal >= 50x: {verdict(faster >= 50)})")
    limit = 1536 if rows > 20_000_000 else 1024
    print(f"{'':30} ours peak memory: {ours.peak:,.0f} MB (goal <= {limit} MB: {verdict(ours.peak <= limit)})")
    print(f"{'':30} ours / typed scan: {ours.wall / times['typed scan (floor)'].wall:5.1f}x (informational)")
    if inject is not None:
        slower = inject["validate --engine duckdb"].wall / ours.wall
        word = "met" if slower <= 1.0 else "within 5% (noise)" if slower <= 1.05 else "NOT met"
        print(f"{'':30} ours, injected / clean: {slower:5.2f}x (goal <= 1.0x: {word})")
        print(f"{'':30} reference, injected / clean: {inject['reference SQL'].wall / ref.wall:5.2f}x")
    if ours.code != ref.code:
        print(f"{'':30} VERDICTS DIFFER: validate exit {ours.code}, reference exit {ref.code}")


def bench(pkg: Path, args: argparse.Namespace, friction: Frictionless) -> None:
    rows, mb = summary(pkg)
    inject = None
    if args.inject_too:  # the twin's runs alternate with the clean ones: the same noise for both
        with generated(rows, args.tmp, inject=3) as broken:
            twin = {f"{name} [injected]": cmd for name, cmd in commands(broken).items()}
            both = rounds({**commands(pkg), **twin}, args.runs)
            inject = {name[: -len(" [injected]")]: both.pop(name) for name in twin}
            broken_rows, broken_mb = summary(broken)
        times = both
    else:
        times = rounds(commands(pkg), args.runs)
    times["frictionless"] = (
        Timing([float("nan")], [], note="skipped") if args.no_frictionless else friction.time(pkg, rows)
    )
    show(pkg.name, rows, mb, times)
    if inject is not None:
        show("  (3 injected/kind)", broken_rows, broken_mb, inject)
    goals(rows, times, inject)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="*", type=Path, help="bench package folders (bench/generate.py)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (medians)")
    parser.add_argument(
        "--generate",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="also a package of about N rows, generated in --tmp and deleted after",
    )
    parser.add_argument("--rows-100m", action="store_true", help="the same as --generate 100000000")
    parser.add_argument("--tmp", type=Path, default=None, help="where --generate writes (default: the temp dir)")
    parser.add_argument(
        "--frictionless-max-rows",
        type=int,
        default=1_000_000,
        help="largest package frictionless runs on; above, extrapolated linearly",
    )
    parser.add_argument("--frictionless-runs", type=int, default=0, help="runs of frictionless (default --runs)")
    parser.add_argument(
        "--frictionless-per-million",
        type=float,
        default=0.0,
        metavar="S",
        help="frictionless's seconds per million rows from an earlier run: extrapolate, do not measure",
    )
    parser.add_argument("--no-frictionless", action="store_true", help="skip frictionless")
    parser.add_argument(
        "--inject-too", action="store_true", help="also time each package's twin with 3 injected errors of each kind"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, even into a file
    sizes = args.generate + ([100_000_000] if args.rows_100m else [])
    if not args.packages and not sizes:
        parser.error("give bench package folders or --generate N")
    # smaller first: frictionless is measured on the largest package up to its limit first
    packages = sorted(args.packages, key=lambda p: summary(p)[0])
    friction = Frictionless(args)
    print(f"# {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, --runs {args.runs}")
    print(f"{'package':22} {'rows':>11} {'MB':>6} | {'command':44} {'wall s':>8} {'peak MB':>8} {'rows/s':>11}")
    for pkg in packages:
        bench(pkg, args, friction)
    for rows in sorted(sizes):
        with generated(rows, args.tmp) as pkg:
            bench(pkg, args, friction)


if __name__ == "__main__":
    main()
