"""The shortcuts the ingest path takes must give exactly what the general code gives."""

from __future__ import annotations

import hashlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from supplygraph.graph.model import normalize
from supplygraph.graph.model.ids import make_id

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)


@given(ascii_text)
@settings(max_examples=2000)
@example("Vision Digital 7 Co., Ltd.")
@example(" \t\x1c$^`~Acme--(Holdings)  Inc.\x7f ")
@example("")
def test_ascii_shortcut_matches_normality(text: str) -> None:
    assert normalize._base(text) == normalize._base_full(text)


@given(st.text(max_size=40))
@settings(max_examples=500)
def test_base_matches_normality_on_any_text(text: str) -> None:
    assert normalize._base(text) == normalize._base_full(text)


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_strip_cjk_legal_shortcut(text: str) -> None:
    full = text
    for suffix in normalize._CJK_LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            full = text[: -len(suffix)]
            break
    assert normalize._strip_cjk_legal(text) == full


def _reference_id(prefix: str, *parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
    return f"{prefix}-{digest}"


parts = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.dates(), st.floats())


@given(st.text(max_size=10), st.lists(parts, max_size=4))
@settings(max_examples=500)
def test_make_id_is_unchanged(prefix: str, values: list[object]) -> None:
    assert make_id(prefix, *values) == _reference_id(prefix, *values)


@given(st.text(max_size=40))
@settings(max_examples=300)
@example("Hangzhou Hikvision Digital Technology Co.,Ltd.")
@example("杭州海康威视数字技术股份有限公司")
def test_index_terms_are_name_keys_and_tokens(text: str) -> None:
    keys, tokens = normalize.index_terms(text)
    assert keys == normalize.name_keys(text)
    assert tokens == normalize.name_tokens(text)
