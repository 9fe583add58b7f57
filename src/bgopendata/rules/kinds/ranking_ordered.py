"""ranking-ordered: a ranking agrees with the values it ranks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from bgopendata.intervals import to_fraction
from bgopendata.rules.base import Failure, FieldRef, FigureGroup, FigureRule, SameUnit
from bgopendata.rules.figures import Figure, most_involved, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class RankingOrdered(FigureRule):
    title: ClassVar[str] = "A ranking agrees with the values it ranks"
    summary: ClassVar[str] = (
        "Rank 1 is the largest value: a better rank never has a surely smaller value, equal "
        "ranks have values that can be equal, and a rank r leaves at most r - 1 values surely "
        "above it. Gaps are allowed where the document names only some ranks."
    )
    message: ClassVar[str] = "the ranking disagrees with the values: {violations}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("values",), at="values")

    kind: Literal["ranking-ordered"]
    values: FigureGroup
    ranks: FigureGroup
    key: Annotated[str, FieldRef("values", "ranks")] = "geo"

    def check_bound(self, refs: dict[str, Any]) -> tuple[str, str] | None:
        """Each key (say, each province) has one value to rank."""
        seen: dict[str, str] = {}
        for fig in refs["values"]:
            key_value = fig.row.cells.get(self.key, "")
            if key_value in seen:
                return (
                    f"two values for {self.key} {key_value!r} ({seen[key_value]}, {fig.figure_id}); exclude one",
                    "values",
                )
            seen[key_value] = fig.figure_id
        return None

    def check(self, bound: BoundRule) -> list[Failure]:
        """Better ranks have values that can be larger; a rank r has at most r - 1 values surely above.

        Ranks are positions (1 = largest value), read as written; equal ranks are ties and need
        values that can be equal; gaps are allowed (a document may name only some ranks).
        """
        key = self.key
        values = {f.row.cells.get(key, ""): f for f in bound.refs["values"] if usable(f)}
        ranks = [(f, to_fraction(f.row.cells["value"])) for f in bound.refs["ranks"] if usable(f)]
        problems: list[str] = []
        pairs: list[tuple[Figure, Figure]] = []
        for i, (a, ra) in enumerate(ranks):
            ka = a.row.cells.get(key, "")
            for b, rb in ranks[i + 1 :]:
                kb = b.row.cells.get(key, "")
                if ka == kb:
                    if ra != rb:
                        problems.append(f"{ka} is ranked both {ra} and {rb}")
                        pairs.append((a, b))
                    continue
                if ka not in values or kb not in values:
                    continue
                va, vb = values[ka].bounds, values[kb].bounds
                if ra == rb:
                    ok = va.intersects(vb)
                elif ra > rb:  # b ranks better: its value must be able to be >= a's
                    ok = va.can_be_at_most(vb)
                else:
                    ok = vb.can_be_at_most(va)
                if not ok:
                    problems.append(
                        f"{ka} rank {ra} ({values[ka].figure_id} = {values[ka].row.cells['value']}) vs "
                        f"{kb} rank {rb} ({values[kb].figure_id} = {values[kb].row.cells['value']})"
                    )
                    pairs.append((a, b))
        seen: set[str] = set()
        for a, ra in ranks:
            ka = a.row.cells.get(key, "")
            if ka not in values or ka in seen:
                continue
            seen.add(ka)
            mine = values[ka].bounds
            above = [f for k, f in values.items() if k != ka and not f.bounds.can_be_at_most(mine)]
            if len(above) > ra - 1:
                problems.append(
                    f"{ka} is ranked {ra} but {len(above)} value(s) are surely above it "
                    f"({', '.join(f.figure_id for f in above)})"
                )
                pairs.append((a, a))
        if not problems:
            return []
        anchor = most_involved(pairs, [f for f, _ in ranks])
        return [
            Failure(
                anchor.row,
                {"violations": "; ".join(problems)},
                expected="rank 1 = largest value, ranks ordered like the values",
                found="; ".join(problems),
                figures=sorted(
                    {f.figure_id for pair in pairs for f in pair}
                    | {
                        values[f.row.cells.get(key, "")].figure_id
                        for pair in pairs
                        for f in pair
                        if f.row.cells.get(key, "") in values
                    }
                ),
            )
        ]
