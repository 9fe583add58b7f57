"""The lean core install and its extras: a bare install pulls none of the optional libraries,
and each command whose extra is missing says in one line which extra to install (exit 2).

A missing library is simulated by ``sys.modules[name] = None``, which makes Python (and
``importlib.util.find_spec``) treat the module as not installed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bgopendata import engines
from bgopendata.cli import cli
from bgopendata.extras import EXTRAS, MissingExtra, installed, require
from conftest import ROOT, bench_generate
from http_release_server import serve_release

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RELEASE_FIXTURE = ROOT / "tests" / "fixtures" / "release"
OWN_EXTRAS = PROJECT["optional-dependencies"]
OPTIONAL = {"vl-convert-python", "rdflib", "ibis-framework", "sqlglot", "duckdb-extension-httpfs", "pyspark"}


def message(extra: str) -> str:
    return f"error: {EXTRAS[extra][0]} needs the [{extra}] extra: pip install 'bgopendata[{extra}]'\n"


def closure(requirements: list[str]) -> set[str]:
    """Every distribution a pip install of ``requirements`` pulls, read from the installed metadata
    (bgopendata's own from pyproject.toml, which an installed copy may predate)."""
    pulled: set[str] = set()
    expanded: set[tuple[str, str]] = set()
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        pulled.add(name)
        for chosen in ["", *sorted(req.extras)]:
            if (name, chosen) in expanded:
                continue
            expanded.add((name, chosen))
            if name == "bgopendata":
                todo += [
                    (Requirement(text), "") for text in (OWN_EXTRAS[chosen] if chosen else PROJECT["dependencies"])
                ]
            else:
                todo += [(Requirement(text), chosen) for text in metadata.requires(name) or []]
    return pulled


@pytest.fixture
def missing(monkeypatch):
    """``missing("ibis")``: the module cannot be imported for the rest of the test."""

    def hide(*names: str) -> None:
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


@pytest.fixture(scope="module")
def grouped(tmp_path_factory) -> Path:
    """A small package with group-* rules (bench/generate.py at 200 rows)."""
    out = tmp_path_factory.mktemp("grouped") / "pkg"
    bench_generate().generate(out, 200)
    return out


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_one_line(result, extra: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == message(extra)


# -- what a bare install pulls -------------------------------------------------------------


def test_the_core_dependencies_name_none_of_the_optional_libraries():
    named = {canonicalize_name(Requirement(text).name) for text in PROJECT["dependencies"]}
    assert not named & OPTIONAL
    assert "jinja2" not in named  # only the site renders templates; frictionless brings it anyway


def test_a_bare_install_pulls_none_of_the_optional_libraries_even_indirectly():
    pulled = closure(PROJECT["dependencies"])
    assert {"frictionless", "pandera", "pydantic", "click", "duckdb", "pandas", "pyarrow"} <= pulled
    assert not pulled & OPTIONAL, pulled & OPTIONAL


def test_the_closure_would_see_an_optional_library_pulled_through_an_extra():
    """Proves the test above can fail: pandera's own ibis extra brings ibis and sqlglot."""
    assert {"ibis-framework", "sqlglot"} <= closure(["pandera[ibis]"])


def test_each_extra_of_the_code_is_declared_and_all_holds_them_all():
    declared = PROJECT["optional-dependencies"]
    assert set(EXTRAS) | {"all", "test"} == set(declared)
    assert declared["all"] == [f"bgopendata[{','.join(EXTRAS)}]"]
    brings = {
        "site": {"vl-convert-python"},
        "dcat": {"rdflib"},
        "scale": {"ibis-framework", "sqlglot"},
        "remote": {"duckdb-extension-httpfs"},
        "spark": {"pyspark", "ibis-framework", "sqlglot"},
    }
    assert closure(["bgopendata[all]"]) >= OPTIONAL
    for extra in EXTRAS:
        pulled = closure([f"bgopendata[{extra}]"]) - closure(["bgopendata"])
        assert pulled & OPTIONAL == brings[extra], extra
        assert installed(extra), f"the test environment lacks [{extra}]: pip install -e '.[all,test]'"


def test_require_names_the_extra_in_one_line(missing):
    require("dcat")
    missing("rdflib")
    with pytest.raises(MissingExtra) as raised:
        require("dcat")
    assert str(raised.value) == "bgopendata metadata needs the [dcat] extra: pip install 'bgopendata[dcat]'"
    assert raised.value.exit_code == 2 and raised.value.extra == "dcat"


# -- each optional command without its extra -------------------------------------------------


@pytest.mark.parametrize("module", ["jinja2", "vl_convert"])
def test_site_without_the_site_extra(missing, tmp_path, module):
    missing(module)
    result = run("site", str(RELEASE_FIXTURE), "--out", str(tmp_path / "site"))
    assert_one_line(result, "site")
    assert not (tmp_path / "site").exists()


def test_metadata_without_the_dcat_extra(missing):
    missing("rdflib")
    assert_one_line(run("metadata", str(RELEASE_FIXTURE)), "dcat")


def test_the_duckdb_engine_without_the_scale_extra(missing):
    missing("ibis")
    assert_one_line(run("validate", "--engine", "duckdb", str(RELEASE_FIXTURE)), "scale")


def test_auto_above_the_scale_threshold_without_the_scale_extra(missing, monkeypatch):
    monkeypatch.setattr(engines, "SCALE_BYTES", 0)  # every package is large: auto picks DuckDB
    missing("ibis")
    assert_one_line(run("validate", str(RELEASE_FIXTURE)), "scale")


def test_group_rules_on_the_default_engine_without_the_scale_extra(missing, grouped):
    missing("sqlglot")
    assert_one_line(run("validate", str(grouped)), "scale")  # small: the default engine


def test_spark_without_the_spark_extra(missing, grouped):
    missing("pyspark")
    assert_one_line(run("validate", "--engine", "spark", str(grouped)), "spark")


def test_remote_query_without_the_remote_extra(missing, tmp_path):
    from bgopendata.publish.build import build

    release = build(RELEASE_FIXTURE, tmp_path / "dist").path
    missing("duckdb_extension_httpfs")
    with serve_release({"v0.9.0": release}) as server:
        result = run("query", "--release", server.release_url("v0.9.0"), "SELECT 1")
    assert_one_line(result, "remote")


def test_the_core_commands_need_no_extra(missing, tmp_path):
    """validate, build and query (a folder or a release) with every optional library hidden."""
    missing("jinja2", "vl_convert", "rdflib", "ibis", "sqlglot", "duckdb_extension_httpfs", "pyspark")
    assert run("validate", str(RELEASE_FIXTURE)).exit_code == 0
    assert run("build", str(RELEASE_FIXTURE), "--out", str(tmp_path / "dist")).exit_code == 0
    result = run("query", "--package", str(RELEASE_FIXTURE), "--format", "csv", "SELECT count(*) AS n FROM areas")
    assert result.exit_code == 0 and re.fullmatch(r"n\n\d+\n", result.output)
    assert run("query", "--release", str(tmp_path / "dist"), "SELECT 1").exit_code == 0
