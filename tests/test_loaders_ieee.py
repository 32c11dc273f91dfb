"""The IEEE CSV reader (MA-L, MA-M, MA-S, IAB) on small files in the registry's own layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.records import Identifier, IdScheme, NodeKind
from supplygraph.loaders.detect import detect_format
from supplygraph.loaders.ingest import load_file
from supplygraph.loaders.oui import ieee_org_id
from supplygraph.service import SupplyGraph


def test_ma_l_and_iab_rows_become_blocks_assigned_to_their_assignees(
    test_data: Path, tmp_path: Path
) -> None:
    assert detect_format(test_data / "ieee-csv/oui.csv") == "ieee"
    graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'ieee.db'}")
    graph.load_seed()
    report = load_file(graph.store, test_data / "ieee-csv/oui.csv")
    assert (report.format, report.dataset) == ("ieee", "ieee-ma-l")
    assert report.counts["read"] == 7 and report.counts["skipped"] == 0
    iab = load_file(graph.store, test_data / "ieee-csv/iab.csv")
    assert iab.dataset == "ieee-iab" and iab.counts["read"] == 3

    view = graph.view
    found = view.find_by_identifier(
        [
            Identifier(scheme=IdScheme.OUI, value="BCAD28"),
            Identifier(scheme=IdScheme.OUI36, value="0050C2F71"),
        ]
    )
    assert len(found) == 2
    hik = view.nodes([ieee_org_id("Hangzhou Hikvision Digital Technology Co.,Ltd.")])
    (org,) = hik.values()
    assert org.kind is NodeKind.ORGANIZATION and org.country == "CN"
    assert "ieee-ma-l-csv" in {s.id for s in org.sources}
    # The reviewed assignee mapping of the seed ties the registry's assignee to Hikvision.
    assert graph.resolve(mac="BC:AD:28:01:02:03").verdict == "yes"
    assert graph.resolve(mac="90:02:A9:01:02:03").verdict == "no"  # Dahua's block
    rf = graph.resolve(mac="00:50:C2:F7:10:01", target="dahua")
    assert rf.matched and rf.matched[0].name.startswith("MAC block 0050C2F71")
    graph.close()


def test_other_registries_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "mam.csv"
    # Test rows in the registry layout (no such assignments are claimed to exist).
    path.write_text(
        "Registry,Assignment,Organization Name,Organization Address\n"
        "MA-M,AABBCC1,Example Test Assignee,1 Test Street Testville ZZ 00000\n"
        "MA-M,AABBCC,Too Short Ltd,Nowhere ZZ 1\n"
        "XX-Q,AABBCC2,Unknown Registry Ltd,Nowhere ZZ 1\n",
        encoding="utf-8",
    )
    graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'mam.db'}")
    report = load_file(graph.store, path)
    assert report.dataset == "ieee-ma-m"
    assert report.counts["read"] == 3 and report.counts["skipped"] == 2
    assert any("not 7 hex digits" in w for w in report.warnings)
    assert any("unknown registry" in w for w in report.warnings)
    found = graph.view.find_by_identifier([Identifier(scheme=IdScheme.OUI28, value="AABBCC1")])
    assert len(found) == 1
    broken = tmp_path / "broken.csv"
    broken.write_text("Registry,Assignment,Organization Name\nMA-L,AABBCC,X\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="Organization Address"):
        load_file(graph.store, broken, "ieee")
    graph.close()
