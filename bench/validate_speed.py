"""Bench (run by hand, not a test): cold `bgopendata validate` vs `frictionless validate`.

Both run as fresh processes on the same shipped package, alternating, several runs; prints
each side's median wall time and the ratio (goal: bgopendata <= 1.5x frictionless, while
it also runs every consistency rule).

    .venv/bin/python bench/validate_speed.py [--runs 7] [PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import report, side_by_side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    times = side_by_side(
        {
            "bgopendata validate": [str(bindir / "bgopendata"), "validate", "."],
            "frictionless validate": [str(bindir / "frictionless"), "validate", "datapackage.json"],
        },
        args.runs,
        cwd=Path(args.path),
    )
    medians = report(times)
    ratio = medians["bgopendata validate"] / medians["frictionless validate"]
    print(f"ratio bgopendata / frictionless: {ratio:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
