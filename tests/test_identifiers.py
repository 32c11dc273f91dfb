"""LEI, ISIN and USCC check characters: a real identifier from the test data passes, a one-
character typo is never a merge key and is reported as a warning naming file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from factories import org

from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.identifiers import check_identifier, is_checked
from supplygraph.graph.model.records import Identifier, IdScheme, Node
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.loaders import ofac, seed
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.ingest import load_file
from supplygraph.loaders.linker import Linker

# Real identifiers in tests/data: Hikvision's USCC and ISIN in the OFAC CMIC remarks, and the
# LEI of the GLEIF API sample record.
REAL = [
    (IdScheme.USCC, "91330000733796106P"),
    (IdScheme.ISIN, "CNE100000PM8"),
    (IdScheme.LEI, "5493001KJTIIGC8Y1R12"),
    (IdScheme.LEI, "001GPB6A9XPE8XJICC14"),
]
# The same values with one character changed.
TYPOS = [
    (IdScheme.USCC, "91330000733796107P"),
    (IdScheme.ISIN, "CNE100000PM9"),
    (IdScheme.LEI, "5493001KJTIIGC8Y1R13"),
    (IdScheme.LEI, "001GPB6A9XPE8XJICC15"),
]


@pytest.mark.parametrize(("scheme", "value"), REAL)
def test_real_identifiers_pass(scheme: IdScheme, value: str) -> None:
    assert check_identifier(scheme, value) == (value, None)
    assert check_identifier(scheme, f" {value.lower()} ") == (value, None)
    assert is_checked(Identifier(scheme=scheme, value=value))


@pytest.mark.parametrize(("scheme", "value"), TYPOS)
def test_one_character_typos_fail_their_check(scheme: IdScheme, value: str) -> None:
    checked, problem = check_identifier(scheme, value)
    assert checked is None and problem is not None
    assert value in problem and "not used to link records" in problem
    assert not is_checked(Identifier(scheme=scheme, value=value))


def test_other_shapes_are_not_identifiers_and_not_errors() -> None:
    assert check_identifier(IdScheme.LEI, "see remarks") == (None, None)
    assert check_identifier(IdScheme.ISIN, "CNE100000PM") == (None, None)
    assert check_identifier(IdScheme.TICKER, "002415") == (None, None)


def test_real_ofac_isins_with_wrong_check_digits_are_warned_and_dropped(test_data: Path) -> None:
    """The OFAC CMIC list itself holds two ISINs whose check digits do not agree (entry 30930,
    China Communications Construction); they are reported and kept off the node."""
    store = open_store("sqlite:///:memory:")
    report = load_file(store, test_data / "ofac-nonsdn-cmic" / "cons_prim.csv")
    bad = [w for w in report.warnings if "fails its check digit" in w]
    assert bad == [
        "cons_prim.csv:376: ISIN 'CND10002K094' fails its check digit (a typo?); "
        "not used to link records",
        "cons_prim.csv:376: ISIN 'CND10002G601' fails its check digit (a typo?); "
        "not used to link records",
    ]
    node_id = ofac.node_id("30930")
    values = {i.value for i in store.view().nodes([node_id])[node_id].identifiers}
    assert "CND10000GBD8" in values  # a listed ISIN whose check digit agrees
    assert not values & {"CND10002K094", "CND10002G601"}


def _ftm_line(lei: str) -> str:
    return (
        '{"id": "t-vanguard", "schema": "Company", "properties": {"name": ["Vanguard Russell '
        f'1000 Growth Index Trust (FtM copy)"], "leiCode": ["{lei}"]}}, "datasets": ["t"]}}\n'
    )


def test_lei_typo_never_merges_with_the_gleif_record(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, test_data / "gleif-samples" / "golden-copy_lei-data.xml")
    lei = Identifier(scheme=IdScheme.LEI, value="00EHHQ2ZHDCFXJCPCL46")
    [gleif_id] = store.view().find_by_identifier([lei])[lei]
    typo = tmp_path / "typo.ftm.json"
    typo.write_text(_ftm_line("00EHHQ2ZHDCFXJCPCL47"), encoding="utf-8")
    report = load_file(store, typo)
    assert report.counts["linked"] == 0
    assert report.warnings == [
        "typo.ftm.json:1: LEI '00EHHQ2ZHDCFXJCPCL47' fails its check digits (a typo?); "
        "not used to link records"
    ]
    assert store.view().find_by_identifier([lei])[lei] == [gleif_id]
    # The correct LEI links the same record to the GLEIF entity.
    right = tmp_path / "right.ftm.json"
    right.write_text(_ftm_line(lei.value), encoding="utf-8")
    assert load_file(store, right).counts["linked"] == 1


def test_gleif_record_with_a_mistyped_lei_is_skipped_with_a_warning(
    test_data: Path, tmp_path: Path
) -> None:
    text = (test_data / "gleif-samples" / "golden-copy_lei-data.xml").read_text(encoding="utf-8")
    broken = tmp_path / "lei.xml"
    broken.write_text(text.replace("001GPB6A9XPE8XJICC14", "001GPB6A9XPE8XJICC15", 1))
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    report = load_file(store, broken)
    assert (report.counts["read"], report.counts["skipped"]) == (13, 1)
    assert report.warnings == [
        "lei.xml:LEI record 001GPB6A9XPE8XJICC15: LEI '001GPB6A9XPE8XJICC15' fails its check "
        "digits (a typo?); not used to link records; record skipped"
    ]
    assert store.view().counts()["nodes"] == 12


def test_uscc_typo_in_a_csl_row_does_not_merge_into_the_seed_hikvision(
    seeded_path: Path, tmp_path: Path
) -> None:
    from test_loaders_linking import CSL_CMIC_ROW, CSL_HEADER

    copy = tmp_path / "seeded.db"
    shutil.copy(seeded_path, copy)
    store = open_store(f"sqlite:///{copy}")
    row = CSL_CMIC_ROW.replace("91330000733796106P", "91330000733796107P")
    row = row.replace("CNE100000PM8", "CNE100000PM9")
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + row, encoding="utf-8")
    report = load_file(store, path)
    assert report.counts["linked"] == 0
    assert [w.split(" fails")[0] for w in report.warnings] == [
        "csl.csv:2: ISIN 'CNE100000PM9'",
        "csl.csv:2: USCC '91330000733796107P'",
    ]
    hik = store.view().nodes(["hikvision"])["hikvision"]
    assert not [i for i in hik.identifiers if i.value.startswith("us-csl:")]


def test_linker_ignores_a_mistyped_identifier_already_in_the_store(tmp_path: Path) -> None:
    """A record written around the loaders (an old store, a migration) may hold a typo; two
    records sharing it are still not merged."""
    typo = Identifier(scheme=IdScheme.USCC, value="91330000733796107P")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    write_records(store, [org("stored-a", "Alpha Optics", identifiers=(typo,))])
    ctx = LoadContext(path=tmp_path / "b.csv")
    linker = Linker(store.view(), ctx, frozenset())
    [node, *links] = linker.link([org("loaded-b", "Beta Optics", identifiers=(typo,))])
    assert isinstance(node, Node) and node.id == "loaded-b"
    assert links == [] and linker.counts.linked == 0


def test_seed_identifier_typo_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "seed"
    shutil.copytree(seed.seed_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "hikvision.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("value: 91330000733796106P", "value: 91330000733796107P", 1))
    with pytest.raises(InvalidRecord) as exc:
        seed.read_seed(folder)
    assert exc.value.file.endswith("hikvision.yaml") and exc.value.field == "identifiers"
    assert "fails its check character" in exc.value.message
