"""Property-based fuzzing of ``validate``: random CSV bytes and random descriptors never crash it.

Each example must end in a report or a clean ``BgError`` (never another exception), within a
bounded time, and leave its inputs byte-for-byte unchanged. The normal run tries a few
thousand examples; set BGOPENDATA_FUZZ_EXAMPLES for a longer campaign.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bgopendata.errors import BgError
from bgopendata.validation.pipeline import validate

MINI = Path(__file__).parent / "fixtures" / "mini"
EXAMPLES = int(os.environ.get("BGOPENDATA_FUZZ_EXAMPLES", "1500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=5000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HEADER = b"figure_id,geo,year,value,unit\n"
csv_bytes = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=300).map(lambda body: HEADER + body),
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "exports-1",
                    "bergamo",
                    "brescia",
                    "2013",
                    "13.1",
                    "NaN",
                    "",
                    '"',
                    '""',
                    ",",
                    "EUR_bn",
                    "percent",
                    "\r",
                    ";",
                    "\xe9",
                    "-1e308",
                    "1e999",
                ]
            ),
            min_size=0,
            max_size=7,
        ),
        max_size=6,
    ).map(lambda rows: HEADER + "".join(",".join(r) + "\n" for r in rows).encode("utf-8")),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def descriptor_variants() -> st.SearchStrategy:
    base = json.loads((MINI / "datapackage.json").read_text(encoding="utf-8"))
    keys = st.sampled_from(
        ["name", "path", "schema", "fields", "type", "primaryKey", "foreignKeys", "resources", "constraints"]
    )

    def mutate(args):
        key, value, where = args
        d = json.loads(json.dumps(base))
        targets = [d, d["resources"][1], d["resources"][1]["schema"], d["resources"][1]["schema"]["fields"][3]]
        targets[where][key] = value
        return d

    return st.one_of(json_values, st.tuples(keys, json_values, st.integers(0, 3)).map(mutate))


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    pkg = tmp_path_factory.mktemp("fuzz") / "pkg"
    shutil.copytree(MINI, pkg)
    return pkg


def run_validate(pkg: Path) -> None:
    before = digest(pkg)
    try:
        report = validate(pkg, parallel=False)  # in-process: imports once, not per forked child
        assert isinstance(report.valid, bool)
    except BgError as exc:
        assert "\n" not in str(exc)
    assert digest(pkg) == before


@FUZZ
@given(data=csv_bytes)
def test_random_csv_bytes_never_crash_validate(workdir: Path, data: bytes):
    (workdir / "resources/facts.csv").write_bytes(data)
    run_validate(workdir)


@FUZZ
@given(descriptor=descriptor_variants())
def test_random_descriptors_never_crash_validate(workdir: Path, descriptor):
    (workdir / "resources/facts.csv").write_bytes((MINI / "resources/facts.csv").read_bytes())
    (workdir / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    run_validate(workdir)
