"""What the provenance kinds share: each runs one check of ``bgopendata.provenance`` on its table.

The documents, tables and readings are read once per validation and kept in the figure
index's ``memo``, so the eight kinds (one rule per table each) read every text once. A
provenance problem points at a row or at a document's line and is worded by the check
(it names the text it read), so the kinds hand back located ``Problem``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bgopendata.rules.base import FigureRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.report import Problem
    from bgopendata.rules.bind import BoundRule


class QuotedTextRule(FigureRule):
    """A rule that reads a table's rows back from the documents they quote (not a kind itself)."""

    provenance_check: ClassVar[str]  # the function of ``bgopendata.provenance`` that checks it

    def check(self, bound: BoundRule) -> list[Problem]:
        import bgopendata.provenance as provenance

        assert bound.index is not None and bound.index.package is not None
        sources = provenance.sources_of(bound.index.package, bound.index.memo)
        return getattr(provenance, self.provenance_check)(sources, bound.resource)
