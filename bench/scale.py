"""Validation at scale, run by hand: ``bgopendata validate`` against frictionless and a DuckDB scan.

For each package (made by ``bench/generate.py``), in the same run and as whole processes:
- ``bgopendata validate --engine duckdb`` (structure and rules), median of ``--runs``;
- DuckDB's plain scan of the fact CSV, ``SELECT count(*) FROM read_csv(...)``: the floor;
- ``frictionless validate datapackage.json``, once, only up to ``--frictionless-max-rows``;
  above that its time is extrapolated linearly from the largest size measured (and marked so).
Prints wall time, peak RSS (``/usr/bin/time``), rows per second and the three goal ratios:
at least 50x faster than frictionless, at most 2x the DuckDB floor, at most 1 GB peak.

Example:
    python bench/generate.py --rows 1000000 --out /tmp/bg-1m
    python bench/generate.py --rows 10000000 --out /tmp/bg-10m
    python bench/scale.py /tmp/bg-1m /tmp/bg-10m --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one whole process, from /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wall, rss_kb = out.read().split()[-2:]
    return float(wall), int(rss_kb) / 1024, proc.returncode


def median_of(cmd: list[str], runs: int) -> tuple[float, float, int]:
    results = [timed(cmd) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results), results[-1][2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--frictionless-max-rows", type=int, default=2_000_000)
    args = parser.parse_args()
    friction_rate: float | None = None  # seconds per row, from the largest measured size
    print(f"{'package':22} {'rows':>11} {'MB':>5} | {'tool':24} {'wall s':>8} {'peak MB':>8} {'rows/s':>11}")
    for pkg in args.packages:
        summary = json.loads((pkg / "expected.json").read_text())
        rows, mb = summary["rows"], summary["bytes"] / 1e6
        csv = pkg / "resources" / "exports.csv"
        scan = [
            str(BIN / "python"),
            "-c",
            f"import duckdb; duckdb.sql(\"SELECT count(*) FROM read_csv('{csv}')\").fetchall()",
        ]
        ours = [str(BIN / "bgopendata"), "validate", "--engine", "duckdb", str(pkg)]
        floor_s, floor_mb, _ = median_of(scan, args.runs)
        ours_s, ours_mb, code = median_of(ours, args.runs)
        if rows <= args.frictionless_max_rows:
            fr_s, fr_mb, _ = timed([str(BIN / "frictionless"), "validate", str(pkg / "datapackage.json")])
            friction_rate, fr_note = fr_s / rows, "measured once"
        elif friction_rate is not None:
            fr_s, fr_mb, fr_note = friction_rate * rows, float("nan"), "extrapolated (linear)"
        else:
            fr_s, fr_mb, fr_note = float("nan"), float("nan"), "not measured"
        name = pkg.name
        for tool, s, m in (
            (f"bgopendata (exit {code})", ours_s, ours_mb),
            ("duckdb scan (floor)", floor_s, floor_mb),
            (f"frictionless ({fr_note})", fr_s, fr_mb),
        ):
            print(f"{name:22} {rows:>11,} {mb:>5.0f} | {tool:24} {s:>8.2f} {m:>8.0f} {rows / s:>11,.0f}")
            name = ""
        print(
            f"{'':42} goals: {fr_s / ours_s:6.1f}x faster than frictionless (>= 50), "
            f"{ours_s / floor_s:4.2f}x the DuckDB floor (<= 2), peak {ours_mb:5.0f} MB (<= 1024)"
        )


if __name__ == "__main__":
    main()
