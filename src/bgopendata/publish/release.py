"""What the release workflow checks and writes before it publishes a tag.

``check_release`` refuses a tag that is not ``v`` + datapackage.json's version, or a
version with no CHANGELOG.md entry; ``release_notes`` joins that entry with the figure-level
diff against the previous ``vX.Y.Z`` tag. Both run in the tests exactly as in the workflow.
"""

from __future__ import annotations

from pathlib import Path

from bgopendata.changelog import CHANGELOG, read_changelog
from bgopendata.errors import InvalidData
from bgopendata.package import open_package
from bgopendata.versioning import parse_version


def check_release(path: str | Path, tag: str) -> str:
    """Return the version when ``tag`` may be released from the package at ``path``."""
    package = open_package(path)
    shown = str(package.descriptor_path)
    version = package.descriptor.get("version")
    if parse_version(version) is None:
        raise InvalidData(f"version {version!r} is not MAJOR.MINOR.PATCH", path=shown, field="version")
    if tag != f"v{version}":
        raise InvalidData(
            f"tag {tag!r} does not match the package version {version} (its tag "
            f'is v{version}); to release {tag}, set "version" to its number and '
            "add its CHANGELOG.md entry",
            path=shown,
            field="version",
        )
    entries = read_changelog(package.root)
    changelog = str(package.root / CHANGELOG)
    if entries is None:
        raise InvalidData(f"no CHANGELOG.md: add one with a '## [{version}]' entry", path=changelog)
    if version not in entries or not entries[version].body.strip():
        raise InvalidData(
            f"no entry for version {version}: add '## [{version}] - YYYY-MM-DD' with what changed", path=changelog
        )
    return version


def release_notes(path: str | Path, tag: str, *, previous: str | None = None, cwd: str | Path | None = None) -> str:
    """The GitHub release notes for ``tag``: its CHANGELOG.md entry, then the diff against
    ``previous`` (by default the newest earlier ``vX.Y.Z`` tag). Tags are looked up in the
    git repository at ``cwd``, by default the one holding the package."""
    from bgopendata.diff.compare import compare
    from bgopendata.diff.git_tree import package_folder, previous_tag
    from bgopendata.diff.render import render_markdown

    version = check_release(path, tag)
    package = open_package(path)
    entry = read_changelog(package.root)[version]  # type: ignore[index]
    parts = [entry.body.strip(), ""]
    cwd = package.root if cwd is None else cwd
    previous = previous or previous_tag(tag, cwd)
    if previous is None:
        parts.append("First release: there is no earlier `vX.Y.Z` tag to compare with.")
    else:
        with package_folder(previous, cwd) as (old_dir, old_label):
            changes = compare(old_dir, package.root, old_label=old_label, new_label=tag)
        parts.append(render_markdown(changes, limit=200))
    return "\n".join(parts).rstrip("\n") + "\n"
