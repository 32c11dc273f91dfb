"""Users' own distributor and OEM lists in the brands CSV: rows land on the seeded entities they
name, a distributor never becomes the maker, and a bad row names its file, line and field."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.records import NodeKind, Relation
from supplygraph.graph.store.protocol import Direction
from supplygraph.loaders.detect import detect_format
from supplygraph.loaders.ingest import load_file
from supplygraph.service import SupplyGraph

FIXTURE = Path(__file__).parent / "fixtures" / "brands_distributors.csv"


def test_distributor_and_oem_rows_load_onto_seeded_entities(empty_graph: SupplyGraph) -> None:
    empty_graph.load_seed()
    assert detect_format(FIXTURE) == "brands"
    report = load_file(empty_graph.store, FIXTURE)
    assert report.counts["read"] == 3
    view = empty_graph.store.view()

    # to_id names the seeded maker and brand: no duplicate is made and the seed's kind stays.
    nodes = view.nodes(["hikvision", "brand-ezviz"])
    assert nodes["hikvision"].kind is NodeKind.ORGANIZATION
    assert nodes["hikvision"].name == "Hangzhou Hikvision Digital Technology Co., Ltd."
    distributes = view.edges(["hikvision", "brand-ezviz"], Direction.IN, [Relation.DISTRIBUTES])
    mine = {e.dst: e for e in distributes if e.sources[0].title.startswith("Example Distribution")}
    assert set(mine) == {"hikvision", "brand-ezviz"}
    agreement = mine["hikvision"]
    assert (agreement.valid_from, agreement.valid_to) == (date(2019, 3, 1), date(2023, 6, 30))
    assert agreement.confidence == 0.85 and agreement.sources[0].grade == "A"
    distributor = view.nodes([agreement.src])[agreement.src]
    assert distributor.name == "Example Distribution Ltd" and distributor.country == "GB"

    # A distributor is not the maker: its name never resolves to Hikvision.
    result = empty_graph.resolve(name="Example Distribution Ltd", target="hikvision")
    assert result.verdict not in ("yes", "possible")

    out = view.edges([agreement.src], Direction.OUT)
    assert {e.relation for e in out} == {Relation.DISTRIBUTES}
    acme = empty_graph.search("Acme Optics")[0]
    made = view.edges([acme.id], Direction.OUT, [Relation.MANUFACTURES_FOR])
    assert [view.nodes([e.dst])[e.dst].name for e in made] == ["Example Cam"]


@pytest.mark.parametrize(
    ("row", "column", "bad", "message"),
    [
        (2, "relation", "RESELLS", "is not one of"),
        (2, "valid_to", "2023-06-31", "is not a date"),
        (3, "confidence", "high", "not a number"),
        (3, "source_grade", "D", "is not A, B or C"),
        (4, "to_kind", "product", "'brand' or 'organization'"),
    ],
)
def test_bad_row_names_file_line_and_field(
    empty_graph: SupplyGraph, tmp_path: Path, row: int, column: str, bad: str, message: str
) -> None:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(column)] = bad
    broken = tmp_path / "my_distributors.csv"
    with broken.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(InvalidRecord) as info:
        load_file(empty_graph.store, broken)
    err = info.value
    assert err.file.endswith("my_distributors.csv")
    assert (err.line, err.field) == (row, column)
    assert message in err.message
    assert empty_graph.store.view().counts()["nodes"] == 0  # nothing of the file is kept
