"""``bgopendata build`` of the package: wall time (median of several whole-process runs)
and the size of each artifact, run by hand.

    .venv/bin/python bench/build_speed.py [--runs 5] [--package .]

For scale it also times ``bgopendata validate`` on the same package in the same run:
build includes one validation, so the difference is what writing the release costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import report, side_by_side

ROOT = Path(__file__).resolve().parent.parent


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
        medians = report(side_by_side({"bgopendata build": build_cmd, "bgopendata validate": validate_cmd}, args.runs))
        b, v = medians["bgopendata build"], medians["bgopendata validate"]
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
