"""The Table Schema syntax of ``number`` and ``integer`` cells, written once for every reader.

Python's ``float()`` and ``int()`` accept ``1_778``, `` 13.1 `` and Arabic-Indic digits, and
DuckDB's casts accept underscores too, so each reader left to itself reads a different
language. Every check (lexical, the DuckDB engine, ``query``) matches a cell against these
expressions first; they hold no look-around, so Python's ``re`` and DuckDB's RE2 agree.
"""

from __future__ import annotations

import re

NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
INTEGER = r"^[+-]?[0-9]+$"
_NUMBER, _INTEGER = re.compile(NUMBER, re.ASCII), re.compile(INTEGER, re.ASCII)


def is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None and not text.endswith("\n")


def is_integer(text: str) -> bool:
    return _INTEGER.fullmatch(text) is not None and not text.endswith("\n")


def python_reads_it(text: str, type_: str) -> bool:
    """Whether Python (and so frictionless) would read ``text`` as a ``type_`` value."""
    try:
        int(text) if type_ == "integer" else float(text)
    except ValueError:
        return False
    return True
