"""bgopendata: the economic figures published about the province of Bergamo, as open data.

The public Python API is deliberately small and imports nothing heavy at start-up, so
that ``bgopendata --help`` stays fast: ``validate`` loads frictionless, pandas (and, for
group rules, DuckDB and pandera) only when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "1.0.0"
__all__ = ["__version__", "read", "validate"]

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.report import Report


def validate(path: str = ".", *, strict: bool = False, **options: Any) -> Report:
    """Validate the data package at ``path`` (a folder, its descriptor, or a zip holding the
    descriptor at its root) and return its report.

    ``options`` go to ``bgopendata.validation.pipeline.validate`` unchanged (for example ``parallel``).
    """
    from bgopendata.access.archive import is_zip, unpacked
    from bgopendata.validation.pipeline import validate as _validate

    if is_zip(path):
        with unpacked(path) as folder:
            report = _validate(str(folder), strict=strict, **options)
        report.package = str(path)  # the user's zip, not the temporary folder
        return report
    return _validate(path, strict=strict, **options)


def read(name: str, source: str = ".", *, frame: str = "pandas") -> Any:
    """The table ``name`` of the package or release folder ``source`` as a typed data frame
    (``frame``: pandas, polars or arrow), ``period`` and codes such as ``'016'`` kept as text."""
    from bgopendata.access.read import read as _read

    return _read(name, source, frame=frame)
