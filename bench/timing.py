"""Side-by-side wall-clock timing of whole processes, shared by the benches in this folder.

Each command runs as a fresh process; one warm-up run each fills the OS file cache (not the
interpreters), then the commands alternate so a noisy neighbour slows both sides alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

OK_EXIT_CODES = (0, 1)  # 1 is a verdict ("invalid"), not a failure of the command


def wall(cmd: list[str], cwd: Path | None = None) -> float:
    """Seconds one run of ``cmd`` takes; exits the bench if the command itself fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in OK_EXIT_CODES:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def side_by_side(commands: dict[str, list[str]], runs: int, cwd: Path | None = None) -> dict[str, list[float]]:
    """Every command's run times, warmed once and then alternating for ``runs`` rounds."""
    for cmd in commands.values():
        wall(cmd, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd, cwd))
    return times


def report(times: dict[str, list[float]], *, unit: str = "s") -> dict[str, float]:
    """Print each command's median, min and max; return the medians in seconds."""
    scale = 1000 if unit == "ms" else 1
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, ts in times.items():
        print(
            f"{name:<24} median {medians[name] * scale:8.2f} {unit}  (min {min(ts) * scale:.2f}, "
            f"max {max(ts) * scale:.2f}, {len(ts)} runs)"
        )
    return medians
