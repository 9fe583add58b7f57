"""``bgopendata diff``, ``release-check`` and ``release-notes`` on fixture package pairs,
on the real package, and on real git repositories made in a temporary folder."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.changelog import parse_changelog
from bgopendata.cli import cli
from bgopendata.diff.compare import compare, diff
from bgopendata.diff.precision import classify, written_resolution
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.publish.release import check_release, release_notes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "diff"
ORIGINAL = FIXTURES / "original"


def run(*args: str) -> object:
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
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
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
    assert [(r.kind, r.resource, r.key) for r in result.rows] == [("row-changed", "exports", "exports-2013-milano")]
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
        "CHANGELOG.md has no entry for version 1.0.1; add '## [1.0.1] - YYYY-MM-DD' with what changed"
    ]

    set_version(new, "1.0.1", changelog_note="Milan's exports in 2013 were 36.9 billion.")
    result = compare(ORIGINAL, new)
    assert result.verdict.ok, result.verdict.problems
    assert run("diff", str(ORIGINAL), str(new)).exit_code == 0


def test_added_row_is_one_added_figure_and_a_minor_bump():
    result = compare(ORIGINAL, FIXTURES / "added-row")
    assert [(r.kind, r.key, r.new["value"]) for r in result.rows] == [("row-added", "exports-2013-torino", "20")]
    assert result.verdict.required_bump == "minor"
    assert result.verdict.ok, result.verdict.problems


def test_removed_column_is_a_schema_change_needing_a_major_bump(tmp_path):
    result = compare(ORIGINAL, FIXTURES / "removed-column")
    assert [(c.kind, c.resource, c.field) for c in result.schemas] == [("field-removed", "exports", "note")]
    assert result.rows == []  # the dropped cells are not reported as changed figures
    assert (result.verdict.required_bump, result.verdict.suggested_version) == ("major", "2.0.0")
    assert not result.verdict.ok

    too_small = copy_package(FIXTURES / "removed-column", tmp_path / "new")
    set_version(too_small, "1.0.1", changelog_note="Dropped the note column.")
    problems = compare(ORIGINAL, too_small).verdict.problems
    assert problems == ["datapackage.json: 1.0.0 -> 1.0.1 is a patch bump but these changes need a major bump (2.0.0)"]


def test_reworded_metadata_is_listed_but_needs_no_bump():
    result = compare(ORIGINAL, FIXTURES / "metadata")
    assert [(c.property, c.new) for c in result.metadata] == [("title", "A small package for the diff tests")]
    assert [(c.kind, c.field, c.property) for c in result.schemas] == [("field-documented", "value", "description")]
    assert result.rows == []
    assert result.verdict.ok and result.verdict.required_bump == "none"


def test_retyped_field_renamed_table_and_lower_version_are_flagged(tmp_path):
    new = copy_package(ORIGINAL, tmp_path / "new")
    replace_in(
        new / "schemas" / "exports.json",
        '"name": "period",\n      "type": "string"',
        '"name": "period",\n      "type": "integer"',
    )
    replace_in(new / "datapackage.json", '"name": "areas"', '"name": "places"')
    replace_in(new / "schemas" / "exports.json", '"resource": "areas"', '"resource": "places"')
    set_version(new, "0.9.0")
    result = compare(ORIGINAL, new)
    kinds = {(c.kind, c.resource, c.field) for c in result.schemas}
    assert {
        ("field-retyped", "exports", "period"),
        ("resource-removed", "areas", None),
        ("resource-added", "places", None),
    } <= kinds
    assert result.verdict.required_bump == "major"
    assert "the version went down from 1.0.0 to 0.9.0" in " ".join(result.verdict.problems)


def test_numbers_are_compared_as_numbers(tmp_path):
    new = copy_package(ORIGINAL, tmp_path / "new")
    replace_in(new / "resources" / "exports.csv", ",2013,37,EUR_bn,", ",2013,37.0,EUR_bn,")
    assert not compare(ORIGINAL, new).changed


def test_markdown_and_json_output(tmp_path):
    new = copy_package(FIXTURES / "corrected", tmp_path / "new")
    sentence = edit_cell(new / "resources" / "exports.csv", "exports-2013-milano", "sentence_en", "")
    edit_cell(
        new / "resources" / "exports.csv",
        "exports-2013-milano",
        "sentence_en",
        sentence.replace("Milan with € 37 bln", "Milan | € 37 bln"),
    )
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
    fact = next(
        r for r in descriptor["resources"] if (new / r["path"]).read_text(encoding="utf-8").startswith("figure_id,")
    )
    with (new / fact["path"]).open(encoding="utf-8", newline="") as handle:
        figure_id = next(csv.DictReader(handle))["figure_id"]
    old_value = edit_cell(new / fact["path"], figure_id, "value", "")
    new_value = str(float(old_value) + 1)
    edit_cell(new / fact["path"], figure_id, "value", new_value)

    result = compare(ROOT, new)
    assert [(r.resource, r.key) for r in result.rows] == [(fact["name"], figure_id)]
    assert [(c.field, c.old, c.new) for c in result.rows[0].changes] == [("value", old_value, new_value)]
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
    assert result.stderr.strip() == (f"error: {broken / 'resources' / 'exports.csv'}:5: 9 cells but the header has 8")


def test_a_revision_with_a_symlink_leading_out_is_refused(repo):
    (repo / "escape").symlink_to("/etc")
    git(repo, "add", "escape")
    git(repo, "commit", "-q", "-m", "a link out")
    with pytest.raises(UnusableInput, match="cannot extract revision HEAD"):
        diff("HEAD", ".", cwd=repo)


# --- changelog, release-check and release-notes -------------------------------------------


def test_changelog_entries_ignore_code_blocks_and_link_definitions():
    entries = parse_changelog(
        "# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-12-01\n\n"
        "- new\n\n```\n## [9.9.9]\n```\n\n## 1.0.0\n\n- first\n\n"
        "[1.1.0]: https://example.org/1.1.0\n"
    )
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
    assert wrong.stderr.startswith(
        f"error: {ROOT / 'datapackage.json'} [version]: tag 'v99.0.0' does not match the package version {version}"
    )


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
    result = CliRunner().invoke(
        cli, ["release-notes", "--tag", "v1.1.0", "--out", str(out), str(repo)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr  # tags are read from the package's repository
    written = out.read_text(encoding="utf-8")
    assert written.startswith("### Added") and "`exports-2013-torino`" in written


def test_commands_document_an_example():
    for command in ("diff", "release-check", "release-notes"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, command


# --- precision: rounding differences, source revisions, contradictions -------------------

PRECISION = FIXTURES / "precision-original"


def judged(result) -> dict[str, tuple]:
    return {r.key: (r.precision, r.quote, r.old_interval, r.group) for r in result.rows}


def test_a_rounding_change_lies_within_the_old_precision():
    result = compare(PRECISION, FIXTURES / "precision-rounding")
    assert judged(result) == {
        "exports-2013-bergamo": ("within", "unchanged", "[12.5, 13.5)", "rounding"),  # 13 -> 13.1
        "destination-share-euro-area": ("within", "unchanged", "[45, 46)", "rounding"),  # almost 46%
    }
    assert result.verdict.ok  # the verdict is unchanged: a patch bump with its entry


def test_a_change_outside_the_precision_with_its_quote_revised_is_a_source_revision():
    result = compare(PRECISION, FIXTURES / "precision-revised")
    assert judged(result) == {"exports-2013-milano": ("outside", "revised", "[36.5, 37.5)", "revision")}
    assert {c.field for c in result.rows[0].changes} == {"value", "value_text", "sentence_it", "sentence_en"}


def test_a_change_outside_the_precision_with_its_quote_unchanged_is_a_contradiction():
    result = compare(PRECISION, FIXTURES / "precision-contradiction")
    assert judged(result) == {
        "exports-2013-milano": ("outside", "unchanged", "[36.5, 37.5)", "contradiction"),
        "rd-spending-share-bergamo": ("outside", "unchanged", "(25, inf)", "contradiction"),  # over 25%
    }
    assert result.verdict.ok  # flagged in the summary; refusing it is validate's job


def test_the_interval_bounds_decide_exactly(tmp_path):
    new = copy_package(PRECISION, tmp_path / "new")
    exports, shares = new / "resources" / "exports.csv", new / "resources" / "shares.csv"
    edit_cell(exports, "exports-2013-bergamo", "value", "13.4999")  # [12.5, 13.5): inside
    edit_cell(exports, "exports-2013-milano", "value", "37.5")  # the open upper bound
    edit_cell(shares, "destination-share-euro-area", "value", "45")  # almost 46: [45, 46)
    edit_cell(shares, "rd-spending-share-bergamo", "value", "25.0001")  # over 25: (25, inf)
    assert {k: v[0] for k, v in judged(compare(PRECISION, new)).items()} == {
        "exports-2013-bergamo": "within",
        "exports-2013-milano": "outside",
        "destination-share-euro-area": "within",
        "rd-spending-share-bergamo": "within",
    }


def test_precision_without_a_resolution_column_is_the_last_written_digit():
    # the original fixture has no resolution or qualifier: "37" is exact to the unit
    (row,) = compare(ORIGINAL, FIXTURES / "corrected").rows
    assert (row.precision, row.quote, row.old_interval, row.group) == (
        "within",
        "unchanged",
        "[36.5, 37.5)",
        "rounding",
    )


def test_the_quote_is_every_quote_column_the_table_has_whitespace_collapsed():
    before = {"value": "37", "unit": "EUR_bn", "sentence_en": "Milan with € 37 bln", "value_text_en": "€ 37 bln"}
    moved = {**before, "value": "41"}
    assert classify(before, moved).group == "contradiction"
    assert classify(before, {**moved, "sentence_en": " Milan  with € 37 bln"}).quote == "unchanged"
    assert classify(before, {**moved, "value_text_en": "€ 41 bln"}).group == "revision"
    assert classify({"value": "37"}, {"value": "41"}).quote is None  # no quote column
    assert classify({"value": "37"}, {"value": "41"}).group is None
    assert (written_resolution("13"), written_resolution("13.10"), written_resolution("0.05")) == (
        1,
        Fraction(1, 100),
        Fraction(1, 100),
    )


def test_a_value_in_another_unit_of_the_same_family_is_converted(tmp_path):
    new = copy_package(PRECISION, tmp_path / "new")
    exports = new / "resources" / "exports.csv"
    edit_cell(exports, "exports-2013-bergamo", "value", "13100")
    edit_cell(exports, "exports-2013-bergamo", "unit", "EUR_mn")
    edit_cell(exports, "exports-2013-milano", "value", "37600")
    edit_cell(exports, "exports-2013-milano", "unit", "EUR_mn")
    assert {k: v[0] for k, v in judged(compare(PRECISION, new)).items()} == {
        "exports-2013-bergamo": "within",
        "exports-2013-milano": "outside",
    }


def test_rows_whose_value_did_not_change_or_cannot_be_read_are_not_judged(tmp_path):
    new = copy_package(FIXTURES / "precision-mixed", tmp_path / "new")
    replace_in(new / "resources" / "areas.csv", "milano,Milan", "milano,Milano")
    result = compare(PRECISION, new)
    area = next(r for r in result.rows if r.resource == "areas")
    assert (area.precision, area.quote, area.old_interval, area.group) == (None, None, None, None)

    unreadable = copy_package(PRECISION, tmp_path / "unreadable")
    old = copy_package(PRECISION, tmp_path / "old")
    edit_cell(old / "resources" / "exports.csv", "exports-2013-milano", "value", "")
    (row,) = compare(old, unreadable).rows
    assert (row.precision, row.old_interval, row.group) == (None, None, None)
    table = run("diff", str(old), str(unreadable)).stdout
    assert "precision unknown: the old value cannot be read as a figure" in table


def test_table_output_says_precision_and_quote(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("diff", "precision-original", "precision-contradiction")
    assert result.exit_code == 0
    assert result.stdout == (
        "CHANGED  exports  exports-2013-milano\n"
        "         value: 37 \u2192 41 EUR_bn\n"
        "         outside the precision of 37 [36.5, 37.5), quote unchanged: CONTRADICTS its "
        "quote (validate refuses it)\n"
        "         \u201cWith Euros 13 billion in 2013, Bergamo is the fifth most important Italian "
        "province in terms of export value (compared to that of Milan with € 37 bln, Turin 20).\u201d\n"
        "CHANGED  shares  rd-spending-share-bergamo\n"
        "         value: 25 \u2192 24 percent\n"
        "         outside the precision of 25 (25, inf), quote unchanged: CONTRADICTS its quote "
        "(validate refuses it)\n"
        "         \u201cIn Bergamo there are numerous public and private universities and research "
        "centres, accounting for more than a quarter of R&D spending in Italy.\u201d\n"
        "changed figures: rounding differences 0, source revisions 0, contradictions 2\n"
        "2 changed, 0 added, 0 removed row(s); 0 schema and 0 metadata change(s); "
        "version 1.0.0 -> 1.0.1\n"
        "OK: precision-original -> precision-contradiction: data changes; version 1.0.0 -> "
        "1.0.1 covers the patch bump they need\n"
    )
    rounding = run("diff", "precision-original", "precision-rounding").stdout
    assert (
        "         value: 13 \u2192 13.1 EUR_bn\n"
        "         within the precision of 13 [12.5, 13.5), quote unchanged: a rounding "
        "difference\n"
        "         resolution: 1 \u2192 0.1\n"
    ) in rounding
    revised = run("diff", "precision-original", "precision-revised").stdout
    assert "outside the precision of 37 [36.5, 37.5), quote revised: a source revision\n" in revised


def test_markdown_summary_groups_the_changed_figures(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("diff", "precision-original", "precision-mixed", "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("###")] == [
        "### Changed figures (4)",
        "#### Rounding differences (2)",
        "#### Source revisions (1)",
        "#### \u274c Contradictions (1)",
    ]
    header = (
        "| Table | Figure | Old value | New value | Unit | Old figure's precision | Quote | Other changes | Sentence |"
    )
    assert lines.count(header) == 3

    def section(title: str) -> list[str]:
        start = lines.index(title)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("####")), len(lines))
        return [line for line in lines[start:end] if line.startswith("| ") and line != header]

    assert section("#### Rounding differences (2)") == [
        "| exports | `exports-2013-bergamo` | 13 | 13.1 | EUR_bn | [12.5, 13.5) | unchanged | "
        "resolution: 1 \u2192 0.1 | With Euros 13 billion in 2013, Bergamo is the fifth most "
        "important Italian province in terms of export value (compared to that of Milan with "
        "€ 37 bln, Turin 20). |",
        "| shares | `destination-share-euro-area` | 46 | 45.5 | percent | [45, 46) | unchanged | "
        "resolution: 1 \u2192 0.1 | Almost 46% of Bergamo’s exports go to the Eurozone, 16% are "
        "shipped to non-Euro European countries, while America and Asia acquire around 10% of "
        "the total. |",
    ]
    (revision,) = section("#### Source revisions (1)")
    assert revision.startswith(
        "| exports | `exports-2013-milano` | 37 | 41 | EUR_bn | "
        "[36.5, 37.5) | revised | value_text: 37 \u2192 41; sentence_it: "
    )
    assert section("#### \u274c Contradictions (1)") == [
        "| shares | `rd-spending-share-bergamo` | 25 | 24 | percent | (25, inf) | unchanged |  | "
        "In Bergamo there are numerous public and private universities and research centres, "
        "accounting for more than a quarter of R&D spending in Italy. |"
    ]
    assert (
        "The new value lies outside the old figure's precision but its quote did not change: "
        "the figure now contradicts its own quote, which `bgopendata validate` refuses." in lines
    )


def test_markdown_lists_rows_that_are_not_judged_after_the_groups(tmp_path):
    new = copy_package(FIXTURES / "precision-rounding", tmp_path / "new")
    replace_in(new / "resources" / "areas.csv", "milano,Milan", "milano,Milano")
    markdown = run("diff", str(PRECISION), str(new), "--format", "markdown").stdout
    rounding, others = markdown.index("#### Rounding differences (2)"), markdown.index("#### Other changed rows (1)")
    assert rounding < others
    assert "| areas | `milano` |  |  |  | name_en: Milan \u2192 Milano |  |" in markdown[others:]
    # with no judged figure, changed rows keep the plain table under "Changed figures"
    plain = run("diff", str(ORIGINAL), str(FIXTURES / "metadata"), "--format", "markdown").stdout
    assert "####" not in plain


def test_json_carries_the_classification_per_changed_figure(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    data = json.loads(run("diff", "precision-original", "precision-mixed", "--format", "json").stdout)
    assert {r["key"]: (r["precision"], r["quote"], r["old_interval"], r["group"]) for r in data["rows"]} == {
        "exports-2013-bergamo": ("within", "unchanged", "[12.5, 13.5)", "rounding"),
        "exports-2013-milano": ("outside", "revised", "[36.5, 37.5)", "revision"),
        "destination-share-euro-area": ("within", "unchanged", "[45, 46)", "rounding"),
        "rd-spending-share-bergamo": ("outside", "unchanged", "(25, inf)", "contradiction"),
    }
    assert data["figures"] == {"rounding": 2, "revision": 1, "contradiction": 1}
    assert data["counts"]["changed"] == 4
