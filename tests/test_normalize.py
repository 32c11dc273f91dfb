"""Normalizers for what users paste."""

from __future__ import annotations

import pytest

from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.normalize import fcc_grantee_code, fuzzy_key, mac_prefixes, name_keys


@pytest.mark.parametrize(
    "mac",
    ["0c:75:d2:11:22:33", "0C-75-D2-11-22-33", "0c75.d211.2233", "0c75d2112233", " 0C75D2112233 "],
)
def test_mac_notations(mac: str) -> None:
    assert mac_prefixes(mac) == {"oui": "0C75D2", "oui28": "0C75D21", "oui36": "0C75D2112"}


def test_mac_prefix_only() -> None:
    assert mac_prefixes("0c:75:d2") == {"oui": "0C75D2"}


@pytest.mark.parametrize("bad", ["", "zz:zz:zz:zz:zz:zz", "0c:75:d2:11:22", "0c75d21122334455"])
def test_bad_macs(bad: str) -> None:
    with pytest.raises(InvalidQuery):
        mac_prefixes(bad)


@pytest.mark.parametrize(
    ("fcc", "code"),
    [
        ("2ADTD-5604SD", "2ADTD"),
        ("2avyf-ipc-f42fx", "2AVYF"),
        ("BBQ123", "BBQ"),
        ("2ADTD", "2ADTD"),
    ],
)
def test_fcc_grantee_codes(fcc: str, code: str) -> None:
    assert fcc_grantee_code(fcc) == code


@pytest.mark.parametrize("bad", ["2AD", "A", "??", "2A-TD1"])
def test_bad_fcc_ids(bad: str) -> None:
    with pytest.raises(InvalidQuery):
        fcc_grantee_code(bad)


def test_name_keys_drop_legal_forms_in_both_scripts() -> None:
    assert "hangzhou hikvision digital technology" in name_keys(
        "Hangzhou Hikvision Digital Technology Co.,Ltd."
    )
    assert "杭州海康威视数字技术" in name_keys("杭州海康威视数字技术股份有限公司")
    assert fuzzy_key("ZHEJIANG DAHUA TECHNOLOGY CO., LTD.") == "zhejiang dahua technology"


def test_compatibility_folding_never_leaves_capitals() -> None:
    # U+1D2C MODIFIER LETTER CAPITAL A folds to a capital "A" under NFKC, after lower-casing.
    keys = name_keys("\u1d2c\u1d2e Industries")
    assert keys[0] == "ab industries"
    assert all(k == k.lower() for k in keys)
    assert fuzzy_key("\u1d2c") == "a"
