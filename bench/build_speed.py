"""``bgopendata build`` of the package: wall time (median of several whole-process runs)
and the size of each artifact, run by hand.

    .venv/bin/python bench/build_speed.py [--runs 5] [--package .]

For scale it also times ``bgopendata validate`` on the same package in the same run:
build includes one validation, so the difference is what writing the release costs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--package", type=Path, default=ROOT)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "bgopendata")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        build_cmd = [exe, "build", str(args.package), "--out", str(out)]
        validate_cmd = [exe, "validate", str(args.package)]
        builds, validations = [], []
        for _ in range(args.runs):
            builds.append(timed(build_cmd))
            validations.append(timed(validate_cmd))
        b, v = statistics.median(builds), statistics.median(validations)
        print(f"bgopendata build     median {b:6.2f} s (min {min(builds):.2f}, max {max(builds):.2f}, {args.runs} runs)")
        print(f"bgopendata validate  median {v:6.2f} s (min {min(validations):.2f}, max {max(validations):.2f})")
        print(f"ratio build/validate {b / v:.2f}x; writing the release costs about {b - v:.2f} s")
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        groups = {"csv": ".csv", "parquet": ".parquet"}
        for kind, suffix in groups.items():
            files = [s for n, s in sizes.items() if n.endswith(suffix)]
            print(f"{len(files):3d} {kind:<8} files  {sum(files):>12,} bytes in all")
        for name, size in sizes.items():
            if not name.endswith(tuple(groups.values())):
                print(f"    {name:<22} {size:>12,} bytes")
        print(f"    {'total':<22} {sum(sizes.values()):>12,} bytes")


if __name__ == "__main__":
    main()
