"""Bench (run by hand, not a test): cold `bgopendata validate` vs `frictionless validate`.

Both run as fresh processes on the same shipped package, alternating, several runs; prints
each side's median wall time and the ratio (goal: bgopendata <= 1.5x frictionless, while
it also runs every consistency rule).

    .venv/bin/python bench/validate_speed.py [--runs 7] [PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(args.path)
    bindir = Path(sys.executable).parent
    ours = [str(bindir / "bgopendata"), "validate", "."]
    peer = [str(bindir / "frictionless"), "validate", "datapackage.json"]
    wall(ours, root), wall(peer, root)  # warm the OS file cache for both, not the interpreters
    times: dict[str, list[float]] = {"bgopendata validate": [], "frictionless validate": []}
    for _ in range(args.runs):
        times["bgopendata validate"].append(wall(ours, root))
        times["frictionless validate"].append(wall(peer, root))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, ts in times.items():
        print(f"{name:24} median {medians[name]:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in ts)})")
    ratio = medians["bgopendata validate"] / medians["frictionless validate"]
    print(f"ratio bgopendata / frictionless: {ratio:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
