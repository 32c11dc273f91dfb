"""The bulk engine's keys: what decides each field of a row, and the outcomes cached under them.

A MAC is keyed by the IEEE block that decides it (its 24-, 28- or 36-bit block, or ``none/...``
when no block holds it), an FCC ID by its grantee code, a brand, model or name by its text as
typed. :class:`KeyLookup` finds a row's five field outcomes in the run's caches, or says what the
batch still has to fetch (identifiers) or match (keys without an outcome yet).
"""

from __future__ import annotations

import re
from functools import lru_cache

from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.engine.bulk_rows import FIELDS, NOTHING_FOUND, FieldOutcome, Fields
from supplygraph.graph.engine.cached_view import CachedView
from supplygraph.graph.model.mac_blocks import deciding_block, mac_digits
from supplygraph.graph.model.normalize import fcc_grantee_code, mac_prefixes
from supplygraph.graph.model.records import IdScheme

_HEX12 = re.compile(r"[0-9A-F]{12}")
_BLOCK_SCHEMES = (IdScheme.OUI, IdScheme.OUI28, IdScheme.OUI36)
_NOTHING: tuple[str, ...] = ()


@lru_cache(maxsize=65536)
def grantee(fcc_id: str) -> str:
    """The grantee code of an FCC ID (raises InvalidQuery), remembered: inventories repeat them."""
    return fcc_grantee_code(fcc_id)


def mac_blocks(mac: str) -> tuple[str, ...]:
    """(oui, oui28, oui36) of a MAC, or (oui,) for a bare 24-bit prefix; raises InvalidQuery."""
    digits = mac_digits(mac)
    if len(digits) == 12 and _HEX12.fullmatch(digits):
        # What mac_prefixes returns for twelve hex digits, without its slower general parser.
        return (digits[:6], digits[:7], digits[:9])
    return tuple(mac_prefixes(mac).values())


def block_spellings(digits: str) -> tuple[str, ...]:
    """A 24-bit block's text in each notation :func:`mac_block_texts` recognizes, in upper and
    lower case: ``"B0C787"`` -> ``"B0:C7:87"``, ``"b0-c7-87"``, ``"B0C7.87"``, ...

    >>> block_spellings("B0C787")[:4]
    ('B0C787', 'B0:C7:87', 'B0-C7-87', 'B0C7.87')
    """
    pairs = (digits[:2], digits[2:4], digits[4:6])
    upper = (digits, ":".join(pairs), "-".join(pairs), f"{digits[:4]}.{digits[4:]}")
    return upper + tuple(text.lower() for text in upper)


def _locally_administered(oui: str) -> bool:
    return bool(int(oui[:2], 16) & 0x02)


def _block_key(block: tuple[str, str]) -> str:
    scheme, value = block
    return _unassigned(value) if scheme == "none" else f"{scheme}:{value}"


def _unassigned(oui: str) -> str:
    """The key of a MAC in no assigned block: the answer still depends on the U/L bit (the note
    on locally administered addresses)."""
    return "none/local" if _locally_administered(oui) else "none/global"


class KeyLookup:
    """A run's field outcomes by key (one cache per field), and the store caches read per row
    to find a row's keys (bound to plain attributes by :meth:`bind`)."""

    def __init__(self, size: int) -> None:
        # One outcome cache per field; MAC outcomes are keyed by the block that decided them.
        self.out: dict[str, TwoGenerationCache[str, FieldOutcome]] = {
            f: TwoGenerationCache(size) for f in FIELDS
        }
        # Set by mac_key when it assumed a 36-bit block unassigned (see there).
        self.assumed = False

    def bind(self, cached: CachedView) -> None:
        """Bind the caches read per row to plain attributes (re-bound after every fetch)."""
        self.assigned24, self.assigned28, self.assigned36, self.assigned_fcc = (
            cached.oui,
            cached.oui28,
            cached.oui36,
            cached.fcc,
        )
        self.subdivided = cached.subdivided_blocks()
        out = self.out
        self._by_mac_block, self._by_grantee, self._by_brand, self._by_model, self._by_name = (
            out[f] for f in FIELDS
        )

    def mac_key(
        self, blocks: tuple[str, ...], idents: set[tuple[IdScheme, str]] | None
    ) -> str | None:
        """The key of the block that decides a MAC (:func:`deciding_block`); None if that is not
        cached yet, in which case the blocks to look up are added to ``idents``."""
        if len(blocks) == 3 and blocks[0] in self.subdivided:
            holders = [self.assigned24[blocks[0]], self.assigned28[blocks[1]]]
            holders36 = self.assigned36[blocks[2]]
            if holders36 is None and idents is not None:
                # Usually the only unknown: go on as if unassigned, flag the row, let the batch's
                # identifier call confirm it (the caller re-checks flagged rows).
                idents.add((IdScheme.OUI36, blocks[2]))
                self.assumed = True
                holders36 = _NOTHING
            holders.append(holders36)
            known = [None if h is None else bool(h) for h in holders]
            decided = deciding_block(blocks, known)
            if decided is None:
                if idents is not None:
                    for scheme, value, got in zip(_BLOCK_SCHEMES, blocks, known, strict=True):
                        if got is None:
                            idents.add((scheme, value))
                return None
            return _block_key(decided)
        holders24 = self.assigned24[blocks[0]]
        if holders24 is None:
            if idents is not None:
                idents.add((IdScheme.OUI, blocks[0]))
            return None
        # The prefix is not subdivided: its 24-bit block decides every MAC under it.
        return _block_key(deciding_block(blocks[:1], [bool(holders24)]) or ("none", blocks[0]))

    def lookup(
        self,
        fields: Fields,
        blocks: tuple[str, ...],
        code: str,
        idents: set[tuple[IdScheme, str]] | None,
        want: dict[tuple[str, str], str] | None,
    ) -> tuple[FieldOutcome | None, ...] | None:
        """The row's five field outcomes, or None when a key is not cached yet.

        Identifiers not cached go to ``idents``; outcomes not cached, with the raw value to
        match them from, go to ``want``.
        """
        mac, fcc, brand, model, name = fields
        complete = True
        mac_out: FieldOutcome | None = NOTHING_FOUND
        fcc_out: FieldOutcome | None = NOTHING_FOUND
        if mac:
            key = self.mac_key(blocks, idents)
            if key is None:
                complete = False
            else:
                mac_out = self._by_mac_block[key]
                if mac_out is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("mac", key), mac)
        if fcc:
            if self.assigned_fcc[code] is None:
                complete = False
                if idents is not None:
                    idents.add((IdScheme.FCC_GRANTEE, code))
            else:
                fcc_out = self._by_grantee[code]
                if fcc_out is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("fcc_id", code), fcc)
        # Names as typed: cached by their text, matched from the same text when missing.
        named: list[FieldOutcome | None] = []
        for kind, value, cache in (
            ("brand", brand, self._by_brand),
            ("model", model, self._by_model),
            ("name", name, self._by_name),
        ):
            outcome = cache[value] if value else NOTHING_FOUND
            if value and outcome is None:
                complete = False
                if want is not None:
                    want[(kind, value)] = value
            named.append(outcome)
        return (mac_out, fcc_out, *named) if complete else None
