"""Rows answered from their values as typed: the common case of a long audit, done column by
column in C, without a Python step per row.

Once a row is answered, each of its values as typed (a MAC by the text of its 24-bit block, when
that block decides every MAC under it) is noted with its field's outcome; a later row whose every
value was noted is answered from those outcomes' combination (:class:`CaseAnswers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.engine.bulk_keys import block_spellings
from supplygraph.graph.engine.bulk_rows import (
    FIELDS,
    NOTHING_FOUND,
    BulkItem,
    BulkResult,
    FieldOutcome,
    Fields,
    RowProblem,
)
from supplygraph.graph.model.mac_blocks import mac_block_texts, mac_digits

if TYPE_CHECKING:  # annotations only: the cases module needs nothing from here
    from supplygraph.graph.engine.bulk_cases import CaseAnswers

# Stands in for a row problem in known()'s columns: never known, as no MAC is noted under "?"
# (only under the text of a 24-bit block, or "" for none).
_UNKNOWN_ROW: Fields = ("?", "", "", "", "")
NOTHING_FOUND_ROW = (NOTHING_FOUND,) * len(FIELDS)


class TypedRows:
    """For each field, its values as typed -> their outcomes; an absent field found nothing.

    Only outcomes are put in (an answered row has one for every field); the value type says
    ``| None`` so a row's outcomes go in as they are, without a check per row."""

    def __init__(self, size: int) -> None:
        self.typed: tuple[TwoGenerationCache[str, FieldOutcome | None], ...] = tuple(
            TwoGenerationCache(size) for _ in FIELDS
        )
        for typed in self.typed:
            typed.put("", NOTHING_FOUND)

    def known(self, batch: list[BulkItem], cases: CaseAnswers) -> list[BulkResult | None]:
        """Answers for the rows whose every value is known as typed; None for the others.

        Each field's values as typed map to the field's outcome (:meth:`remember` notes them),
        the row's outcomes to its result. Whatever is not known goes to the general path.
        """
        rows: list[BulkItem] | list[Fields] = batch
        if RowProblem in set(map(type, batch)):
            rows = [_UNKNOWN_ROW if item.__class__ is RowProblem else item for item in batch]
        if not rows:
            return []
        macs, fccs, brands, models, names = zip(*rows, strict=True)
        typed_mac, typed_fcc, typed_brand, typed_model, typed_name = self.typed
        outcomes = list(
            zip(
                map(typed_mac.__getitem__, mac_block_texts(macs)),
                map(typed_fcc.__getitem__, fccs),
                map(typed_brand.__getitem__, brands),
                map(typed_model.__getitem__, models),
                map(typed_name.__getitem__, names),
                strict=True,
            )
        )
        combos = cases.combos
        out: list[BulkResult | None] = list(map(combos.__getitem__, outcomes))
        # A combination not seen yet is combined here; a value not known yet (a None among the
        # row's outcomes) is left to the general path.
        for i in _places(out, None):
            if None not in outcomes[i]:
                out[i] = cases.combine(outcomes[i])
        # Rows whose fields all found nothing share one result, unless they hold nothing at all:
        # that is an error, which the general path reports.
        nothing = combos[NOTHING_FOUND_ROW]
        if nothing is not None:
            for i in _places(out, nothing):
                if not "".join(rows[i]).strip():  # type: ignore[arg-type]  # a problem row is never the nothing-found result
                    out[i] = None
        return out

    def remember(
        self,
        batch: list[BulkItem],
        results: list[BulkResult | None],
        done: list[int],
        subdivided: frozenset[str],
    ) -> None:
        """Note the values of the rows at ``done`` as typed, with their outcomes. A MAC is noted
        by its 24-bit block only where that block decides every MAC under it (it is not in
        ``subdivided``); a bare 24-bit prefix then shares that key, rightly, as the same block
        decides it."""
        todo = [at for at in done if batch[at].__class__ is not RowProblem]
        rows: list[Fields] = [batch[at] for at in todo]  # type: ignore[misc]  # problems were left out above
        texts = mac_block_texts([row[0] for row in rows])
        typed_mac, typed_fcc, typed_brand, typed_model, typed_name = self.typed
        for at, row, block_text in zip(todo, rows, texts, strict=True):
            result = results[at]
            assert result is not None
            if not result.outcomes:
                continue  # an error: nothing to note
            mac_out, fcc_out, brand_out, model_out, name_out = result.outcomes
            mac, fcc, brand, model, name = row
            if not mac:
                typed_mac.put("", mac_out)  # in case it aged out
            elif len(block_text) < len(mac) and block_text not in typed_mac:
                digits = mac_digits(block_text)
                if digits not in subdivided:
                    # The block's other usual spellings too: inventories mix notations.
                    for spelling in (block_text, *block_spellings(digits)):
                        typed_mac.put(spelling, mac_out)
            typed_fcc.put(fcc, fcc_out)
            typed_brand.put(brand, brand_out)
            typed_model.put(model, model_out)
            typed_name.put(name, name_out)


def _places(items: list[BulkResult | None], wanted: BulkResult | None) -> Iterator[int]:
    """Where ``wanted`` is in ``items``: list.index does the scanning in C, which matters when
    it is in a few places of a batch of thousands."""
    at = -1
    while True:
        try:
            at = items.index(wanted, at + 1)
        except ValueError:
            return
        yield at
