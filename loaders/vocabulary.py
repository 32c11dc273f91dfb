"""One designation vocabulary: every source's own list codes mapped onto ``seed_data/lists.yaml``.

The list ids are stable; a loader never invents one. A code we do not know maps to
``other-sanctions`` and the source's own wording is kept in the designation's program.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from .seed import SeedList, seed_dir

OTHER = "other-sanctions"

# CSL "source" values end with "(ABBR) - Agency"; the abbreviation names the list.
CSL_ABBREVIATIONS: dict[str, str] = {
    "SDN": "us-ofac-sdn",
    "SSI": "us-ofac-ssi",
    "PLC": "us-ofac-ns-plc",
    "FSE": "us-ofac-fse",
    "CAP": "us-ofac-capta",
    "CAPTA": "us-ofac-capta",
    "MBS": "us-ofac-ns-mbs",
    "NS-MBS": "us-ofac-ns-mbs",
    "CMIC": "us-ofac-ns-cmic",
    "NS-CMIC": "us-ofac-ns-cmic",
    "ISN": "us-state-isn",
    "DTC": "us-state-dtc",
    "DPL": "us-bis-dpl",
    "EL": "us-bis-entity-list",
    "UVL": "us-bis-uvl",
    "MEU": "us-bis-meu",
}

# OFAC program codes on the consolidated (non-SDN) list, by prefix, first match wins.
OFAC_CONS_PROGRAMS: tuple[tuple[str, str], ...] = (
    ("CMIC", "us-ofac-ns-cmic"),
    ("NS-PLC", "us-ofac-ns-plc"),
    ("FSE", "us-ofac-fse"),
    ("UKRAINE-EO13662", "us-ofac-ssi"),
    ("RUSSIA-EO14024", "us-ofac-ns-mbs"),
    ("561-RELATED", "us-ofac-capta"),
)

# OpenSanctions conventions: Sanction.programId prefixes and dataset names.
FTM_PROGRAM_IDS: tuple[tuple[str, str], ...] = (
    ("US-BIS-EL", "us-bis-entity-list"),
    ("US-BIS-MEU", "us-bis-meu"),
    ("US-BIS-UVL", "us-bis-uvl"),
    ("US-BIS-DPL", "us-bis-dpl"),
    ("US-BIS-DENIED", "us-bis-dpl"),
    ("US-CMIC", "us-ofac-ns-cmic"),
    ("US-OFAC-CMIC", "us-ofac-ns-cmic"),
    ("US-SSI", "us-ofac-ssi"),
    ("US-FSE", "us-ofac-fse"),
    ("US-PLC", "us-ofac-ns-plc"),
    ("US-MBS", "us-ofac-ns-mbs"),
    ("US-CAPTA", "us-ofac-capta"),
    ("US-FCC", "us-fcc-covered"),
    ("US-DOD-1260H", "us-dod-1260h"),
    ("US-1260H", "us-dod-1260h"),
    ("US-NDAA-889", "us-ndaa-889"),
    ("US-ISN", "us-state-isn"),
    ("US-DDTC", "us-state-dtc"),
)
FTM_DATASETS: dict[str, str] = {
    "us_ofac_sdn": "us-ofac-sdn",
    "us_bis_denied": "us-bis-dpl",
    "us_fcc_covered_list": "us-fcc-covered",
    "us_dod_chinese_milcorps": "us-dod-1260h",
    "us_cmic": "us-ofac-ns-cmic",
    "us_special_leg": "us-ndaa-889",
}


@lru_cache(maxsize=1)
def lists() -> dict[str, SeedList]:
    """The designation vocabulary, read from ``seed_data/lists.yaml``."""
    data = yaml.safe_load((seed_dir() / "lists.yaml").read_text(encoding="utf-8"))
    return {item["id"]: SeedList.model_validate(item) for item in data["lists"]}


def list_entry(list_id: str) -> SeedList:
    """The vocabulary entry; unknown ids are a programming error, caught by the tests."""
    return lists()[list_id]


_ABBR = re.compile(r"\(([A-Z][A-Z\-]*)\)")


def csl_list_id(source: str) -> str | None:
    """``"Entity List (EL) - Bureau of Industry and Security"`` -> ``us-bis-entity-list``."""
    for abbr in _ABBR.findall(source):
        if abbr in CSL_ABBREVIATIONS:
            return CSL_ABBREVIATIONS[abbr]
    lowered = source.lower()
    if "military-industrial" in lowered or "military industrial" in lowered:
        return "us-ofac-ns-cmic"
    if "menu-based" in lowered:
        return "us-ofac-ns-mbs"
    return None


def ofac_cons_list_ids(programs: list[str]) -> list[str]:
    """The non-SDN lists a consolidated-list entry is on, from its program codes."""
    found: list[str] = []
    for program in programs:
        upper = program.upper()
        for prefix, list_id in OFAC_CONS_PROGRAMS:
            if upper.startswith(prefix) and list_id not in found:
                found.append(list_id)
    return found or ["us-ofac-other"]


def ftm_list_id(program_id: str | None, datasets: list[str], authority: str | None) -> str:
    """An OpenSanctions Sanction's list: by programId, then dataset, then authority."""
    if program_id:
        upper = program_id.upper()
        for prefix, list_id in FTM_PROGRAM_IDS:
            if upper.startswith(prefix):
                return list_id
    for dataset in datasets:
        if dataset in FTM_DATASETS:
            return FTM_DATASETS[dataset]
    if authority and "foreign assets control" in authority.lower():
        return "us-ofac-other"
    return OTHER
