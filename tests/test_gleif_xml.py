"""The GLEIF golden-copy XML reader: records whole across read chunks, hostile XML refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplygraph.bench.gleif import lei_of, write_lei_file, write_rr_file
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.records import Node
from supplygraph.loaders import gleif
from supplygraph.loaders.context import LoadContext


def _read(path: Path) -> tuple[list[str], LoadContext]:
    ctx = LoadContext(path=path)
    return [repr(item) for item in gleif.records(path, ctx)], ctx


def test_records_cut_by_the_read_chunks_come_out_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lei_file = write_lei_file(tmp_path / "lei.xml", 120)
    rr_file = tmp_path / "rr.xml"
    write_rr_file(rr_file, 120, 200)
    whole = {path: _read(path) for path in (lei_file, rr_file)}
    # An odd chunk size cuts the files inside tags, names and text many times over.
    monkeypatch.setattr(gleif, "_CHUNK", 613)
    for path, (items, ctx) in whole.items():
        cut_items, cut_ctx = _read(path)
        assert cut_items == items
        assert (cut_ctx.read, cut_ctx.complete, cut_ctx.evidence) == (
            ctx.read,
            True,
            f"the header's RecordCount ({ctx.read:,}) matches the records",
        )
    assert whole[lei_file][1].read == 120 and whole[rr_file][1].read == 200
    nodes = list(gleif.records(lei_file, LoadContext(path=lei_file)))
    assert all(isinstance(node, Node) and node.name for node in nodes)
    assert [node.identifiers[0].value for node in nodes if isinstance(node, Node)] == [
        lei_of(i) for i in range(120)
    ]


DOCTYPES = {
    "entity expansion": '<!DOCTYPE LEIData [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    "external entity": '<!DOCTYPE LEIData [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
    "parameter entity": '<!DOCTYPE LEIData [<!ENTITY % ext SYSTEM "http://example.org/x">%ext;]>',
}


@pytest.mark.parametrize("doctype", DOCTYPES.values(), ids=DOCTYPES.keys())
def test_entities_and_external_references_are_refused_naming_the_file(
    tmp_path: Path, doctype: str
) -> None:
    path = tmp_path / "lei.xml"
    path.write_text(
        f'<?xml version="1.0"?>{doctype}\n'
        '<LEIData xmlns="http://www.gleif.org/data/schema/leidata/2016"><LEIRecords>'
        "<LEIRecord><LEI>&b;</LEI></LEIRecord></LEIRecords></LEIData>",
        encoding="utf-8",
    )
    with pytest.raises(InvalidRecord) as refused:
        _read(path)
    assert refused.value.file == str(path)
    assert "XML refused (entities or external references)" in refused.value.message
