"""Every example of the README, the docs and every ``--help`` runs as shown, in a fresh copy.

The examples are found by ``doc_examples`` (its docstring says what counts as one and how a
page marks an example that is not run); adding an example to a page needs no change here.
Stale shown outputs are rewritten with ``python tests/doc_examples.py --update``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import doc_examples
from doc_examples import Command, Example, all_examples, environment, fresh_copy, run_in_fresh_copy

EXAMPLES = all_examples()
RUN = [e for e in EXAMPLES if not e.not_run]
NOT_RUN = [e for e in EXAMPLES if e.not_run]


@pytest.mark.slow
@pytest.mark.parametrize("example", RUN, ids=[e.id for e in RUN])
def test_example_runs_as_shown(example: Example):
    _outcome, found = run_in_fresh_copy(example)
    assert not found, "\n\n".join(found)


def test_the_examples_not_run_are_listed_with_a_reason(capsys):
    """Skipping is a visible decision: each is named with its reason, and they stay few."""
    with capsys.disabled():
        print(f"\n{len(RUN)} examples run ({sum(len(e.commands) for e in RUN)} commands); {len(NOT_RUN)} not run:")
        for example in NOT_RUN:
            print(f"  {example.where}: {example.not_run}")
    assert all(e.not_run.strip() for e in NOT_RUN)
    assert len(NOT_RUN) < len(RUN)


def test_every_page_and_every_command_has_examples_that_run():
    """Only `download` has no example run: each of its examples fetches a published release."""
    pages = {e.page for e in RUN if e.page}
    assert {"README.md", "docs/using-the-data.md", "docs/diff.md", "docs/validation.md"} <= pages
    from bgopendata.cli import COMMANDS

    helped = {e.where.removesuffix(" --help") for e in RUN if e.kind == "help"}
    commands = {"bgopendata"} | {f"bgopendata {name}" for name in COMMANDS}
    assert commands - helped == {"bgopendata download"}


def test_the_journalists_questions_run_with_their_output():
    questions = [e for e in RUN if e.page == "docs/using-the-data.md" and e.kind == "sql" and e.commands[0].shown]
    assert len(questions) >= 3


def test_the_readme_query_examples_are_found_with_their_output():
    readme = [e for e in RUN if e.page == "README.md" and e.kind == "console"]
    queries = [c for e in readme for c in e.commands if c.line.startswith("bgopendata query")]
    assert queries and all(c.shown for c in queries)


def test_a_wrong_shown_output_fails(tmp_path):
    """The comparison can fail: the README's validate example with a changed summary line."""
    example = next(e for e in RUN if e.page == "README.md" and e.commands[0].line == "bgopendata validate .")
    command = example.commands[0]
    wrong = [*command.shown[:-1], ".: valid: 0 error(s), 8 warning(s)"]
    broken = Example(example.where, "console", [Command(command.line, wrong)])
    outcome = doc_examples.run(broken, fresh_copy(tmp_path / "copy"))
    assert doc_examples.problems(broken, outcome)


@pytest.mark.parametrize(
    "shown, printed, ok",
    [
        (["a", "...", "z"], "a\nb\nc\nz\n", True),
        (["a", "...", "z"], "a\nb\nc\n", False),
        (["FAIL: HEAD (...) -> ."], "FAIL: HEAD (4f2a9c1) -> .", True),
        (["13"], "13.0", False),
        (["x  "], "x", True),
    ],
)
def test_ellipsis_stands_for_elided_output(shown, printed, ok):
    assert doc_examples.matches(shown, printed) is ok


def test_directives_and_exit_status_are_read_from_the_page():
    text = (
        "<!-- not-run: needs network -->\n```sh\ncurl x\n```\n\n"
        "<!-- setup: cd dist -->\n```console\n$ false\n[1]\n```\n"
    )
    first, second = doc_examples.blocks(text)
    assert first.directives == {"not-run": "needs network"}
    assert second.directives == {"setup": "cd dist"}
    (command,) = doc_examples._console(second.body, second.start)
    assert (command.line, command.shown, command.status) == ("false", [], 1)


def _setup_lines() -> str:
    readme = (doc_examples.ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in doc_examples.blocks(readme) if any("activate" in line for line in b.body))
    return "\n".join(block.body)


def test_the_readme_setup_works_in_a_fresh_shell(tmp_path: Path):
    """`source .venv/bin/activate` then `bgopendata --help`, in bash with a PATH without the venv."""
    copy = fresh_copy(tmp_path / "clone")
    env = environment(copy, path="/usr/local/bin:/usr/bin:/bin")
    lines = _setup_lines()
    assert "source .venv/bin/activate" in lines and "bgopendata --help" in lines
    without = subprocess.run(["bash", "-c", "bgopendata --help"], cwd=copy, env=env, capture_output=True, text=True)
    assert without.returncode == 127, "bgopendata found without activating: the test would prove nothing"
    result = subprocess.run(["bash", "-c", lines], cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: bgopendata")
