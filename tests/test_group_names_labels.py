"""Shape checks for bench/data/group_names.yaml (independent of the package)."""

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

PATH = Path(__file__).resolve().parent.parent / "bench" / "data" / "group_names.yaml"
LABELS = {"member", "related", "unrelated", "unclear", "control"}
GROUPS = {"hikvision", "dahua", "huawei", "zte", "hytera"}
REGISTRIES = {"ieee-ma-l", "ieee-ma-m", "ieee-ma-s", "ieee-iab", "csl", "ofac-sdn", "ofac-cmic"}
MAC_RE = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


@pytest.fixture(scope="module")
def rows():
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("rows"), list)
    return data["rows"]


def test_not_empty(rows):
    assert len(rows) >= 20
    assert {r["group"] for r in rows} == GROUPS


def test_row_fields(rows):
    for r in rows:
        assert r["registry"] in REGISTRIES, r
        assert r["group"] in GROUPS, r
        assert r["label"] in LABELS, r
        assert isinstance(r["query"], dict) and len(r["query"]) == 1, r
        if r["registry"].startswith("ieee-"):
            assert isinstance(r["assignee"], str) and r["assignee"], r
            assert "mac" in r["query"], r
        else:
            assert isinstance(r["listed_name"], str) and r["listed_name"], r
            assert r["query"] == {"name": r["listed_name"]}, r
        assert isinstance(r.get("sources", []), list), r


def test_sources_for_researched_labels(rows):
    for r in rows:
        if r["label"] in ("unclear", "control"):
            continue
        sources = r.get("sources") or []
        assert sources, r
        for s in sources:
            assert set(s) >= {"title", "url", "date", "quote"}, s
            assert str(s["url"]).startswith(("http://", "https://")), s
            assert isinstance(s["quote"], str) and s["quote"].strip(), s
            assert len(s["quote"].split()) < 40, s


def test_mac_queries_parse(rows):
    for r in rows:
        mac = r["query"].get("mac")
        if mac is None:
            continue
        assert MAC_RE.match(mac), mac
        octets = [int(x, 16) for x in mac.split(":")]
        assert not octets[0] & 1, mac  # unicast, as any assigned block is


def test_no_duplicate_queries(rows):
    keys = [tuple(sorted(r["query"].items())) for r in rows]
    assert len(keys) == len(set(keys))


def test_controls_present(rows):
    controls = [r for r in rows if r.get("kind") == "control"]
    assert 10 <= len(controls) <= 20
    assert all(r["label"] in ("control", "unrelated") for r in controls)
