"""Where validation at scale spends its time, run by hand: each step of ``--engine duckdb`` timed.

``bench/scale.py`` times whole processes against the peers; this splits one run into its
steps (imports, reading and typing each CSV, the field constraints through pandera, keys,
foreign keys, each group rule), so a change can be aimed at the step that costs most.
One run in-process; the machines are shared, so repeat it and read the medians.
``--reference`` splits the hand-written SQL peer (``bench/reference_sql.py``) the same way.

Example:
    python bench/generate.py --rows 10000000 --out /tmp/bg-10m
    python bench/scale_steps.py /tmp/bg-10m --runs 3
    python bench/scale_steps.py /tmp/bg-10m --runs 3 --reference
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def steps(root: Path) -> dict[str, float]:
    """Seconds per step of one validation of ``root`` on the DuckDB engine."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    import pandera.ibis  # noqa: F401 - the import is a step of its own

    from bgopendata.engines.duckdb_tables import TypedTables
    from bgopendata.engines.group_rules import run_group_rules
    from bgopendata.package import open_package
    from bgopendata.rules.registry import declare

    times["imports"] = time.perf_counter() - start
    package = open_package(root)
    rules = declare(package).group

    def timed(name: str, work) -> None:
        began = time.perf_counter()
        work()
        times[name] = times.get(name, 0.0) + time.perf_counter() - began

    with TypedTables(package) as tables:
        timed("read and type", tables.load)
        for res in package.resources:
            if res.name in tables.tables:
                timed("constraints (pandera)", lambda res=res: tables._cells(res))
                timed("keys", lambda res=res: tables._keys(res))
                timed("foreign keys", lambda res=res: tables._foreign_keys(res))
        for item in rules:
            timed(f"rule {item.rule.id}", lambda item=item: run_group_rules(tables, [item]))
        began = time.perf_counter()
    times["close"] = time.perf_counter() - began
    times["total"] = time.perf_counter() - start
    return times


def reference_steps(root: Path) -> dict[str, float]:
    """Seconds per step of one run of ``bench/reference_sql.py`` on ``root``."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import duckdb
    import reference_sql as ref

    times["imports"] = time.perf_counter() - start
    con = duckdb.connect()
    con.execute(ref.SETUP)

    def timed(name: str, work) -> None:
        began = time.perf_counter()
        work()
        times[name] = times.get(name, 0.0) + time.perf_counter() - began

    readable: set[str] = set()

    def load(name: str) -> None:
        if ref.load(con, root, name):
            readable.add(name)

    for name in ref.TABLES:
        timed("read and type", lambda name=name: load(name))
    for name in ref.TABLES:
        if name in readable:
            timed(f"constraints and keys of {name}", lambda name=name: ref.check_table(con, name, readable))
    for name, statement in (("shares-sum", ref.SHARES_SUM), ("growth", ref.GROWTH), ("ranking", ref.RANKING)):
        timed(f"rule {name}", lambda statement=statement: con.execute(statement))
    timed("close", con.close)
    times["total"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--reference", action="store_true", help="split the hand-written SQL peer instead")
    args = parser.parse_args()
    runs = [(reference_steps if args.reference else steps)(args.package) for _ in range(args.runs)]
    for name in runs[0]:
        values = [run[name] for run in runs]
        print(f"{name:36} median {statistics.median(values):7.2f} s  (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
