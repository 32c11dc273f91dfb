"""Property tests for the normalizers and the ownership arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplygraph.graph.engine.ownership import combine_paths
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.normalize import fcc_grantee_code, fuzzy_key, mac_prefixes, name_keys
from supplygraph.graph.model.records import Edge, Relation, SourceRef

HEX12 = st.text("0123456789abcdefABCDEF", min_size=12, max_size=12)
SRC = (SourceRef(id="p", title="property test"),)


def _spell(hexed: str, style: int) -> str:
    pairs = [hexed[i : i + 2] for i in range(0, 12, 2)]
    return [
        ":".join(pairs),
        "-".join(pairs),
        ".".join(hexed[i : i + 4] for i in range(0, 12, 4)),
        hexed,
        " " + ":".join(pairs).upper() + " ",
    ][style]


@given(HEX12, st.integers(0, 4), st.integers(0, 4))
def test_every_mac_spelling_gives_the_same_prefixes(hexed: str, a: int, b: int) -> None:
    one, two = mac_prefixes(_spell(hexed, a)), mac_prefixes(_spell(hexed, b))
    assert one == two
    up = hexed.upper()
    assert one == {"oui": up[:6], "oui28": up[:7], "oui36": up[:9]}


@given(st.text(max_size=30))
def test_mac_prefixes_accepts_or_says_mac(text: str) -> None:
    try:
        found = mac_prefixes(text)
    except InvalidQuery as exc:
        assert exc.field == "mac"
        return
    assert set(found) <= {"oui", "oui28", "oui36"}
    assert all(v == v.upper() and len(v) in (6, 7, 9) for v in found.values())


@given(st.text(max_size=30))
def test_fcc_grantee_code_is_a_prefix_or_an_error(text: str) -> None:
    try:
        code = fcc_grantee_code(text)
    except InvalidQuery as exc:
        assert exc.field == "fcc_id"
        return
    compact = "".join(text.split()).upper()
    assert compact.startswith(code)
    assert len(code) == (5 if code.startswith("2") else 3) and "-" not in code


@given(st.text(max_size=40))
@settings(max_examples=200)
def test_name_keys_are_stable_normal_forms(text: str) -> None:
    keys = name_keys(text)
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert key == key.strip() and "  " not in key and key == key.lower()
    # Case and surrounding space never change what a name matches.
    assert name_keys(text.upper().strip()) == name_keys(text.upper())
    assert fuzzy_key(text) == fuzzy_key(" " + text + " ")


shares = st.floats(min_value=0, max_value=100, allow_nan=False)


def _edge(i: int, share: float | None, lo: float | None = None, hi: float | None = None) -> Edge:
    return Edge(
        id=f"e{i}",
        src=f"n{i}",
        dst=f"n{i + 1}",
        relation=Relation.OWNS,
        share=share,
        share_min=lo,
        share_max=hi,
        sources=SRC,
    )


@given(st.lists(st.lists(shares, min_size=1, max_size=4), min_size=1, max_size=5))
def test_exact_shares_multiply_along_and_add_across_paths(paths: list[list[float]]) -> None:
    edges = [[_edge(i, s) for i, s in enumerate(p)] for p in paths]
    result = combine_paths(edges)
    expected = 0.0
    for p in paths:
        product = 1.0
        for s in p:
            product *= s / 100.0
        expected += product
    assert result.exact == pytest.approx(min(expected * 100.0, 100.0), abs=1e-4)
    assert result.low == result.exact and result.high == pytest.approx(result.exact, abs=1e-4)
    assert result.exact is not None and 0.0 <= result.exact <= 100.0


@given(st.lists(st.tuples(shares, st.booleans()), min_size=1, max_size=4))
def test_unknown_shares_widen_never_zero(links: list[tuple[float, bool]]) -> None:
    path = [_edge(i, None if unknown else s) for i, (s, unknown) in enumerate(links)]
    result = combine_paths([path])
    if any(unknown for _, unknown in links):
        assert result.exact is None and result.low is None
        assert result.high is not None and 0.0 <= result.high <= 100.0
    else:
        assert result.exact is not None


@given(shares, shares, shares)
def test_ranges_bound_the_exact_value(lo: float, hi: float, other: float) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    ranged = combine_paths([[_edge(0, None, lo, hi), _edge(1, other)]])
    assert ranged.exact is None
    assert ranged.low is not None and ranged.high is not None
    assert ranged.low <= ranged.high + 1e-9
    for s in (lo, hi):
        exact = combine_paths([[_edge(0, s), _edge(1, other)]]).exact
        assert exact is not None
        assert ranged.low - 1e-6 <= exact <= ranged.high + 1e-6


def test_no_paths_is_unknown() -> None:
    result = combine_paths([])
    assert (result.exact, result.low, result.high) == (None, None, None)


@given(st.text(max_size=30))
def test_has_cjk_shortcut_agrees_with_the_full_scan(text: str) -> None:
    from supplygraph.graph.model.normalize import _is_cjk, has_cjk

    assert has_cjk(text) == any(_is_cjk(ch) for ch in text)
