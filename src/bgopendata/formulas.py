"""Text cells a spreadsheet would run as a formula (CSV or formula injection), said once.

``=HYPERLINK(...)``, ``@SUM(...)`` or ``-2+cmd|'/C calc'!A0`` in a published CSV is run by
a spreadsheet that opens it. The data stay as published (a figure such as ``+350%`` is not
a formula); ``validate`` warns on both engines. ``FORMULA`` has no look-around, so Python's
``re`` and DuckDB's RE2 read it alike.
"""

from __future__ import annotations

import re

# optional leading tabs/CRs, then '=' and anything, or '+', '-', '@' and later a call or a link
FORMULA = r"^[\t\r]*(=.+|[+\-@].*([A-Za-z_][A-Za-z0-9_.]*\(|[|!]).*)$"
_FORMULA = re.compile(FORMULA, re.DOTALL)


def looks_like_formula(cell: str) -> bool:
    return _FORMULA.match(cell) is not None


def formula_message(cell: str) -> str:
    return f"the cell {cell[:40]!r} starts like a spreadsheet formula; a spreadsheet opening the CSV may run it"
