"""What the kinds over ``quantity_id`` share: the field they group by and the figures they relate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from bgopendata.quantities import KEY, statements
from bgopendata.rules.base import FigureRule
from bgopendata.rules.figures import Figure

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class QuantityRule(FigureRule):
    """A rule over every quantity of the package: its figures are found by ``key``, not named."""

    key: str = Field(default=KEY, description="the field naming the quantity each row states")

    def quantities(self, bound: BoundRule) -> dict[str, list[Figure]]:
        assert bound.index is not None
        return statements(bound.index, self.key)

    def reads(self, bound: BoundRule) -> list[str]:
        """The statements tied to others (a quantity stated once relates its figure to nothing)."""
        return [f.figure_id for group in self.quantities(bound).values() if len(group) > 1 for f in group]
