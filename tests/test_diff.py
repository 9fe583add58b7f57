"""``bgopendata diff``, ``release-check`` and ``release-notes`` on fixture package pairs,
on the real package, and on real git repositories made in a temporary folder."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.changelog import parse_changelog
from bgopendata.cli import cli
from bgopendata.diff.compare import compare, diff
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.publish.release import check_release, release_notes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "diff"
ORIGINAL = FIXTURES / "original"


def run(*args: str) -> "object":
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def copy_package(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def set_version(folder: Path, version: str, changelog_note: str | None = None) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["version"] = version
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    if changelog_note is not None:
        log = folder / "CHANGELOG.md"
        text = log.read_text(encoding="utf-8")
        entry = f"## [{version}] - 2026-12-01\n\n### Fixed\n\n- {changelog_note}\n\n## [1.0.0]"
        log.write_text(text.replace("## [1.0.0]", entry, 1), encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_cell(path: Path, figure_id: str, field: str, value: str) -> str:
    """Set one cell of the row whose first column is ``figure_id``; return the old value."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(field)
    row = next(r for r in rows[1:] if r[0] == figure_id)
    old, row[column] = row[column], value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return old


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
                           "-c", "init.defaultBranch=main", *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def replace_tree(repo: Path, src: Path) -> None:
    """Make the package files in ``repo`` those of ``src`` (the .git folder stays)."""
    for name in ("datapackage.json", "CHANGELOG.md", "schemas", "resources"):
        target = repo / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        (shutil.copytree if (src / name).is_dir() else shutil.copyfile)(src / name, target)


# --- fixture pairs -----------------------------------------------------------------------

def test_unchanged_copy_has_no_changes():
    result = compare(ORIGINAL, FIXTURES / "unchanged")
    assert not result.changed
    assert result.verdict.ok and result.verdict.summary == "no changes"
    cli_result = run("diff", str(ORIGINAL), str(FIXTURES / "unchanged"))
    assert cli_result.exit_code == 0
    assert cli_result.stdout.strip().endswith("no changes")


def test_corrected_figure_shows_exactly_that_figure_and_flags_the_missing_bump():
    result = compare(ORIGINAL, FIXTURES / "corrected")
    assert [(r.kind, r.resource, r.key) for r in result.rows] == [
        ("row-changed", "exports", "exports-2013-milano")]
    (row,) = result.rows
    assert [(c.field, c.old, c.new) for c in row.changes] == [("value", "37", "36.9")]
    assert row.new["unit"] == "EUR_bn" and "Milan with € 37 bln" in row.new["sentence_en"]
    assert result.schemas == [] and result.metadata == []
    verdict = result.verdict
    assert not verdict.ok
    assert (verdict.required_bump, verdict.suggested_version) == ("patch", "1.0.1")
    assert "still says version 1.0.0" in verdict.problems[0]

    cli_result = run("diff", str(ORIGINAL), str(FIXTURES / "corrected"))
    assert cli_result.exit_code == 1
    assert "exports-2013-milano" in cli_result.stdout
    assert "value: 37 \u2192 36.9 EUR_bn" in cli_result.stdout
    assert "exports-2013-bergamo" not in cli_result.stdout


def test_corrected_figure_passes_with_a_patch_bump_and_its_changelog_entry(tmp_path):
    new = copy_package(FIXTURES / "corrected", tmp_path / "new")
    set_version(new, "1.0.1")
    result = compare(ORIGINAL, new)
    assert not result.verdict.ok
    assert result.verdict.problems == [
        "CHANGELOG.md has no entry for version 1.0.1; add '## [1.0.1] - YYYY-MM-DD' with what changed"]

    set_version(new, "1.0.1", changelog_note="Milan's exports in 2013 were 36.9 billion.")
    result = compare(ORIGINAL, new)
    assert result.verdict.ok, result.verdict.problems
    assert run("diff", str(ORIGINAL), str(new)).exit_code == 0


def test_added_row_is_one_added_figure_and_a_minor_bump():
    result = compare(ORIGINAL, FIXTURES / "added-row")
    assert [(r.kind, r.key, r.new["value"]) for r in result.rows] == [
        ("row-added", "exports-2013-torino", "20")]
    assert result.verdict.required_bump == "minor"
    assert result.verdict.ok, result.verdict.problems


def test_removed_column_is_a_schema_change_needing_a_major_bump(tmp_path):
    result = compare(ORIGINAL, FIXTURES / "removed-column")
    assert [(c.kind, c.resource, c.field) for c in result.schemas] == [
        ("field-removed", "exports", "note")]
    assert result.rows == []  # the dropped cells are not reported as changed figures
    assert (result.verdict.required_bump, result.verdict.suggested_version) == ("major", "2.0.0")
    assert not result.verdict.ok

    too_small = copy_package(FIXTURES / "removed-column", tmp_path / "new")
    set_version(too_small, "1.0.1", changelog_note="Dropped the note column.")
    problems = compare(ORIGINAL, too_small).verdict.problems
    assert problems == ["datapackage.json: 1.0.0 -> 1.0.1 is a patch bump but these changes "
                        "need a major bump (2.0.0)"]


def test_reworded_metadata_is_listed_but_needs_no_bump():
    result = compare(ORIGINAL, FIXTURES / "metadata")
    assert [(c.property, c.new) for c in result.metadata] == [
        ("title", "A small package for the diff tests")]
    assert [(c.kind, c.field, c.property) for c in result.schemas] == [
        ("field-documented", "value", "description")]
    assert result.rows == []
    assert result.verdict.ok and result.verdict.required_bump == "none"


def test_retyped_field_renamed_table_and_lower_version_are_flagged(tmp_path):
    new = copy_package(ORIGINAL, tmp_path / "new")
    replace_in(new / "schemas" / "exports.json", '"name": "period",\n      "type": "string"',
               '"name": "period",\n      "type": "integer"')
    replace_in(new / "datapackage.json", '"name": "areas"', '"name": "places"')
    replace_in(new / "schemas" / "exports.json", '"resource": "areas"', '"resource": "places"')
    set_version(new, "0.9.0")
    result = compare(ORIGINAL, new)
    kinds = {(c.kind, c.resource, c.field) for c in result.schemas}
    assert {("field-retyped", "exports", "period"), ("resource-removed", "areas", None),
            ("resource-added", "places", None)} <= kinds
    assert result.verdict.required_bump == "major"
    assert "the version went down from 1.0.0 to 0.9.0" in " ".join(result.verdict.problems)


def test_numbers_are_compared_as_numbers(tmp_path):
    new = copy_package(ORIGINAL, tmp_path / "new")
    replace_in(new / "resources" / "exports.csv", ",2013,37,EUR_bn,", ",2013,37.0,EUR_bn,")
    assert not compare(ORIGINAL, new).changed


def test_markdown_and_json_output(tmp_path):
    new = copy_package(FIXTURES / "corrected", tmp_path / "new")
    sentence = edit_cell(new / "resources" / "exports.csv", "exports-2013-milano", "sentence_en", "")
    edit_cell(new / "resources" / "exports.csv", "exports-2013-milano", "sentence_en",
              sentence.replace("Milan with € 37 bln", "Milan | € 37 bln"))
    markdown = run("diff", str(ORIGINAL), str(new), "--format", "markdown")
    assert markdown.exit_code == 1
    assert "### Changed figures (1)" in markdown.stdout
    assert "| exports | `exports-2013-milano` | 37 | 36.9 | EUR_bn |" in markdown.stdout
    assert "Milan \\| € 37 bln" in markdown.stdout  # a pipe cannot break the table
    # the long sentence is shown around what changed, not cut before it
    assert "sentence_en: \u2026" in markdown.stdout and "Milan with € 37 bln" in markdown.stdout
    assert "\u274c the data changed but datapackage.json still says version 1.0.0" in markdown.stdout

    data = json.loads(run("diff", str(ORIGINAL), str(new), "--format", "json").stdout)
    assert data["counts"] == {"changed": 1, "added": 0, "removed": 0, "schema": 0, "metadata": 0}
    assert data["verdict"]["suggested_version"] == "1.0.1"
    assert {c["field"] for c in data["rows"][0]["changes"]} == {"value", "sentence_en"}


def test_the_real_package_with_one_changed_figure(tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    for name in ("datapackage.json", "CHANGELOG.md"):
        shutil.copyfile(ROOT / name, new / name)
    for name in ("schemas", "rules", "resources"):
        shutil.copytree(ROOT / name, new / name)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    fact = next(r for r in descriptor["resources"]
                if (new / r["path"]).read_text(encoding="utf-8").startswith("figure_id,"))
    with (new / fact["path"]).open(encoding="utf-8", newline="") as handle:
        figure_id = next(csv.DictReader(handle))["figure_id"]
    old_value = edit_cell(new / fact["path"], figure_id, "value", "")
    new_value = str(float(old_value) + 1)
    edit_cell(new / fact["path"], figure_id, "value", new_value)

    result = compare(ROOT, new)
    assert [(r.resource, r.key) for r in result.rows] == [(fact["name"], figure_id)]
    assert [(c.field, c.old, c.new) for c in result.rows[0].changes] == [
        ("value", old_value, new_value)]
    assert not result.verdict.ok and result.verdict.required_bump == "patch"
    cli_result = run("diff", str(ROOT), str(new))
    assert cli_result.exit_code == 1 and figure_id in cli_result.stdout


# --- git revisions -----------------------------------------------------------------------

@pytest.fixture()
def repo(tmp_path) -> Path:
    """A git repository whose first commit (tagged v1.0.0) holds the original fixture."""
    repo = tmp_path / "repo"
    shutil.copytree(ORIGINAL, repo)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data: original")
    git(repo, "tag", "v1.0.0")
    return repo


def test_diff_against_a_revision_leaves_the_working_tree_alone(repo, monkeypatch):
    replace_tree(repo, FIXTURES / "corrected")
    status_before = git(repo, "status", "--porcelain")
    result = diff("HEAD", ".", cwd=repo)
    assert [r.key for r in result.rows] == ["exports-2013-milano"]
    assert result.old.startswith("HEAD (") and result.new == "."
    assert git(repo, "status", "--porcelain") == status_before == " M resources/exports.csv\n"

    monkeypatch.chdir(repo)
    cli_result = run("diff", "v1.0.0", ".")
    assert cli_result.exit_code == 1 and "value: 37 \u2192 36.9" in cli_result.stdout


def test_diff_from_a_subfolder_reads_the_same_subfolder_of_the_revision(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ORIGINAL, repo / "pkg")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "original")
    replace_tree(repo / "pkg", FIXTURES / "added-row")
    result = diff("HEAD", ".", cwd=repo / "pkg")
    assert [(r.kind, r.key) for r in result.rows] == [("row-added", "exports-2013-torino")]


def test_unknown_revision_and_bad_csv_are_one_line_errors(repo, monkeypatch, tmp_path):
    with pytest.raises(UnusableInput, match="neither a folder nor a git revision"):
        diff("no-such-branch", ".", cwd=repo)
    monkeypatch.chdir(repo)
    result = run("diff", "no-such-branch", ".")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr

    broken = copy_package(ORIGINAL, tmp_path / "broken")
    with (broken / "resources" / "exports.csv").open("a", encoding="utf-8") as handle:
        handle.write("x,bergamo,2013,1,EUR_bn,a,b,c,one too many\n")
    result = run("diff", str(ORIGINAL), str(broken))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {broken / 'resources' / 'exports.csv'}:5: "
                                     "9 cells but the header has 8")


def test_a_revision_with_a_symlink_leading_out_is_refused(repo):
    (repo / "escape").symlink_to("/etc")
    git(repo, "add", "escape")
    git(repo, "commit", "-q", "-m", "a link out")
    with pytest.raises(UnusableInput, match="cannot extract revision HEAD"):
        diff("HEAD", ".", cwd=repo)


# --- changelog, release-check and release-notes -------------------------------------------

def test_changelog_entries_ignore_code_blocks_and_link_definitions():
    entries = parse_changelog("# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-12-01\n\n"
                              "- new\n\n```\n## [9.9.9]\n```\n\n## 1.0.0\n\n- first\n\n"
                              "[1.1.0]: https://example.org/1.1.0\n")
    assert sorted(entries) == ["1.0.0", "1.1.0", "unreleased"]
    assert entries["1.1.0"].body == "- new\n\n```\n## [9.9.9]\n```"
    assert entries["1.0.0"].body == "- first"
    assert entries["unreleased"].body == ""


def test_release_check_accepts_the_real_package_version_and_refuses_another_tag():
    version = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert check_release(ROOT, f"v{version}") == version
    ok = run("release-check", "--tag", f"v{version}", str(ROOT))
    assert ok.exit_code == 0
    wrong = run("release-check", "--tag", "v99.0.0", str(ROOT))
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith(f"error: {ROOT / 'datapackage.json'} [version]: tag 'v99.0.0' "
                                   f"does not match the package version {version}")


def test_release_check_refuses_a_version_without_changelog_entry(tmp_path):
    new = copy_package(ORIGINAL, tmp_path / "new")
    set_version(new, "1.0.1")
    with pytest.raises(InvalidData, match=r"no entry for version 1\.0\.1"):
        check_release(new, "v1.0.1")


def test_release_notes_join_the_changelog_entry_and_the_diff_with_the_previous_tag(repo, tmp_path):
    assert "First release" in release_notes(repo, "v1.0.0", cwd=repo)
    replace_tree(repo, FIXTURES / "added-row")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data: Turin")
    git(repo, "tag", "v1.1.0")
    notes = release_notes(repo, "v1.1.0", cwd=repo)
    assert notes.startswith("### Added\n\n- Turin's exports in 2013.")
    assert "## Data changes: `v1.0.0" in notes and "`exports-2013-torino`" in notes
    assert "[1.0.0]:" not in notes

    out = tmp_path / "notes" / "release-notes.md"
    result = CliRunner().invoke(cli, ["release-notes", "--tag", "v1.1.0", "--out", str(out),
                                      str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr  # tags are read from the package's repository
    written = out.read_text(encoding="utf-8")
    assert written.startswith("### Added") and "`exports-2013-torino`" in written


def test_commands_document_an_example():
    for command in ("diff", "release-check", "release-notes"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, command
