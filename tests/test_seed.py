"""The curated seed: every fact sourced, references checked, loads idempotent and atomic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from supplygraph.graph.model import Edge, Node
from supplygraph.loaders import seed

from supplygraph.errors import InvalidRecord
from supplygraph.service import SupplyGraph


def test_every_seed_fact_cites_a_source_with_a_url_or_title() -> None:
    records = list(seed.records())
    assert len(records) > 100
    for r in records:
        assert r.sources, r.id
        for s in r.sources:
            assert s.title and (s.url or s.grade == "A"), (r.id, s.id)


def test_core_hikvision_facts_are_present() -> None:
    records = {r.id: r for r in seed.records()}
    hik = records["hikvision"]
    assert isinstance(hik, Node)
    assert "杭州海康威视数字技术股份有限公司" in hik.names
    assert ("uscc", "91330000733796106P") in {(i.scheme.value, i.value) for i in hik.identifiers}
    edges = [r for r in records.values() if isinstance(r, Edge)]
    pairs = {(e.src, e.relation.value, e.dst) for e in edges}
    assert ("hikvision", "ASSIGNED", "fcc_grantee:2ADTD") in pairs
    assert ("cethik", "OWNS", "hikvision") in pairs
    assert ("hikvision", "OWNS_BRAND", "brand-hilook") in pairs


def test_grade_c_alone_never_gives_high_confidence() -> None:
    for r in seed.records():
        weak = isinstance(r, Edge) and all(s.grade == "C" for s in r.sources)
        if weak and r.relation.value not in {"SAME_AS", "ASSIGNED"}:  # type: ignore[union-attr]
            assert r.confidence <= 0.5, r.id  # type: ignore[union-attr]


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "seed"
    shutil.copytree(seed.seed_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "hikvision.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_unknown_reference_is_refused_naming_file_and_entry(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "to: hikvision", "to: hikvisoin")
    with pytest.raises(InvalidRecord) as exc:
        list(seed.records(folder))
    assert exc.value.file.endswith("hikvision.yaml")
    assert str(exc.value.line).startswith("relations/")
    assert "hikvisoin" in exc.value.message


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "entities:", "entities: [")
    with pytest.raises(InvalidRecord) as exc:
        list(seed.records(folder))
    assert isinstance(exc.value.line, int)


def test_reload_changes_nothing_and_a_bad_seed_leaves_the_store_intact(
    empty_graph: SupplyGraph, tmp_path: Path
) -> None:
    empty_graph.load_seed()
    counts = empty_graph.view.counts()
    empty_graph.load_seed()
    assert empty_graph.view.counts() == counts
    folder = _broken_copy(tmp_path, "to: hikvision", "to: nowhere")
    from supplygraph.service import load_records

    with pytest.raises(InvalidRecord):
        load_records(empty_graph.store, seed.records(folder))
    assert empty_graph.view.counts() == counts
