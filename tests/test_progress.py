"""Progress of ``validate``: one rewritten line on a terminal's stderr, and nothing for programs."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from bgopendata import validate
from bgopendata.validation.pipeline import stages
from bgopendata.validation.progress import Step, describe
from conftest import ROOT


def _on_terminal(args: list[str]) -> tuple[bytes, bytes, int]:
    """Run ``bgopendata validate ARGS`` with stderr on a pseudo-terminal: (stderr, stdout, exit code)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bgopendata", "validate", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    stdout = proc.stdout.read() if proc.stdout else b""
    return seen, stdout, proc.wait(timeout=60)


def test_on_a_terminal_each_stage_is_named_then_the_line_is_erased():
    seen, stdout, code = _on_terminal(["."])
    assert code == 0
    names = [s.name for s in stages("frictionless")]
    positions = [seen.find(f"\r{name} ".encode()) for name in names]
    assert -1 not in positions, seen
    assert positions == sorted(positions)  # in the pipeline's order
    last = seen.rsplit(b"\r", 2)
    assert last[-1] == b"" and last[-2].strip(b" ") == b"", seen  # blanked, cursor back at the start
    assert b"\n" not in seen  # one line, never scrolled
    assert b"\r" not in stdout and b"valid" in stdout  # the report itself is untouched


def test_at_scale_each_table_is_counted():
    pytest.importorskip("ibis")
    seen, _, code = _on_terminal(["--engine", "duckdb", "."])
    assert code == 0
    counted = re.findall(rb"structure: (\S+\.csv) \((\d+)/(\d+) tables\)", seen)
    files = {path.decode() for path, _, _ in counted}
    assert "resources/province_exports.csv" in files
    totals = {int(total) for _, _, total in counted}
    assert len(totals) == 1 and len(files) == totals.pop()  # every table, once each, out of all of them


@pytest.mark.parametrize("flags", [["--format", "json"], ["--format", "github"], ["-q"], ["--quiet"]])
def test_no_progress_for_programs_or_when_asked(flags):
    seen, stdout, code = _on_terminal([*flags, "."])
    assert code == 0
    assert seen == b""
    assert stdout


def test_nothing_on_stderr_when_it_is_piped():
    done = subprocess.run(
        [sys.executable, "-m", "bgopendata", "validate", "."], cwd=ROOT, capture_output=True, timeout=300
    )
    assert done.returncode == 0
    assert done.stderr == b""


def test_the_library_reports_every_stage_in_order_and_prints_nothing(capfd):
    steps: list[Step] = []
    report = validate(str(ROOT), engine="frictionless", progress=steps.append)
    assert report.valid
    assert [s.stage for s in steps if not s.item] == [s.name for s in stages("frictionless")]
    assert capfd.readouterr().err == ""


def test_a_step_reads_as_stage_table_count_and_time():
    assert describe(Step("structure", "resources/exports.csv", 2, 5), 12.4) == (
        "structure: resources/exports.csv (2/5 tables) 12 s"
    )
    assert describe(Step("figure-rules"), 0.2) == "figure-rules 0 s"
