"""translation-agrees: the Italian and English wordings of each figure agree."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.base import Failure, FigureRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class TranslationAgrees(FigureRule):
    title: ClassVar[str] = "The Italian and English wordings agree"
    summary: ClassVar[str] = (
        "Where a figure is stated in both languages, the precision (qualifier_it vs "
        "qualifier_en) and the unit (unit vs unit_en) agree; each known difference is "
        "explained in the row's note."
    )
    message: ClassVar[str] = "the translation changes the figure: {differences}"

    kind: Literal["translation-agrees"]

    def check(self, bound: BoundRule) -> list[Failure]:
        """Each row of the table whose English wording changes the precision or the unit: one failure per row."""
        failures = []
        for row in bound.table_rows:
            cells = row.cells
            q_it, q_en = cells.get("qualifier_it", ""), cells.get("qualifier_en", "")
            unit, unit_en = cells.get("unit", ""), cells.get("unit_en", "")
            differences, fields = [], []
            if q_it and q_en and q_it != q_en:
                differences.append(f"precision {q_it} in Italian, {q_en} in English")
                fields += ["qualifier_it", "qualifier_en"]
            if unit_en and unit and unit_en != unit:
                differences.append(f"unit {unit} in Italian, {unit_en} in English")
                fields += ["unit", "unit_en"]
            if not differences:
                continue
            note = cells.get("note", "")
            text = "; ".join(differences) + (f" ({note})" if note else "")
            failures.append(
                Failure(
                    row,
                    {"differences": text},
                    expected=f"qualifier {q_it}, unit {unit} in both languages",
                    found=f"qualifier_en {q_en}, unit_en {unit_en or unit}",
                    figures=[cells.get("figure_id", "")],
                    fields=fields,
                )
            )
        return failures
