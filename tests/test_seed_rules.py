"""Grading and time rules for the curated seed (seed_data/README.md, "Rules").

A "no" must be earned: a relation that ended carries its end, a copy is not graded like the
document it copies, and a seller's page that never names the maker is weak evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from supplygraph.graph.engine.rulebook import read_rules
from supplygraph.graph.model.citations import CuratedSource
from supplygraph.graph.model.records import Edge, Node, Relation
from supplygraph.loaders import seed

# (a) Wording that says a relation is over. Phrases, not bare words: "sold under its own brand"
# (an OEM note) or "the former name" must not count. Quotes of a relation with a known start
# (valid_from) are not read: they document the transfer that began it ("Dahua sold Lorex to
# Skywatch" on the buyer's edge). A note that must use such wording for a relation that still
# holds says so with the token ONGOING (documented in seed_data/README.md).
ENDED = re.compile(
    r"\bformerly\b|\bformer (?:owner|subsidiary|parent|shareholder|supplier|distributor)\b"
    r"|\bhistorical\b|\bno longer\b|\bnot anymore\b|\bended\b|\bdivested\b"
    r"|\bdropped\b|\bstopped (?:selling|relabel\w*|making|supplying)\b|\bpulled\b"
    r"|\bsold (?:to|its|the|it|their|lorex|honor)\b|\bwas sold\b"
    r"|\buntil (?:\d|the sale|it was sold|its sale|(?:january|february|march|april|may|june"
    r"|july|august|september|october|november|december)\b)",
    re.IGNORECASE,
)
ONGOING = "ONGOING"

# (c) Sites that host copies of other publishers' documents, and scraped directories.
COPY_HOSTS = (
    "docslib.org",
    "scribd.com",
    "manualzz.com",
    "manuals.plus",
    "manuzoid.",
    "manual-pdf.com",
    "manualsfile.com",
    "manualspro.net",
    "manualshelf.com",
    "manualsonline.com",
    "documents.pub",
    "vdocuments.",
    "pdfslide.",
    "fdocuments.",
    "studylib.net",
    "lawinsider.com",
    "fcc.report",
    "marketscreener.com",
    "ravepubs.com",
    "advfn.com",
    "jdsupra.com",
    "farclause.com",
    "business.sohu.com",
    "52xujie.com",
    "chaguwang.cn",
    "5etz.com",
    "financetom.com",
    "thehongkongpost.com",
)
DIRECTORY_HOSTS = ("mcpbundles.com",)


def _all_sources() -> list[CuratedSource]:
    sources = list(seed.read_seed().sources.values())
    return [*sources, *read_rules().sources]


def _host(url: str | None) -> str:
    return (urlparse(url or "").hostname or "").lower()


def _edges() -> list[Edge]:
    return [r for r in seed.records() if isinstance(r, Edge)]


def test_relations_worded_as_ended_carry_an_end_date() -> None:
    open_ended = []
    for e in _edges():
        if e.relation in (Relation.SAME_AS, Relation.ASSIGNED):
            continue
        quotes = [] if e.valid_from is not None else [s.quote or "" for s in e.sources]
        text = " ".join([e.note or "", *quotes])
        if ENDED.search(text) and e.valid_to is None and ONGOING not in (e.note or ""):
            open_ended.append((e.src, e.relation.value, e.dst, ENDED.search(text).group(0)))
    assert not open_ended, open_ended


def test_the_ended_wording_rule_keeps_its_phrases_narrow() -> None:
    assert ENDED.search("Honeywell stopped relabelling Dahua products")
    assert ENDED.search("Dahua sold Lorex to Skywatch Inc.")
    assert ENDED.search("HISTORICAL: true as of the 2010 IPO prospectus")
    assert ENDED.search("owned until 17 November 2020")
    assert not ENDED.search("Others go to equipment manufacturers and are sold under those brands")
    assert not ENDED.search("registered under the former name of the company")
    assert not ENDED.search("keep operating until the court rules on a stay")


def test_copies_are_grade_b_at_most_and_directories_grade_c() -> None:
    for s in _all_sources():
        if s.form == "copy":
            assert s.grade in ("B", "C"), s.id
        if s.form == "directory":
            assert s.grade == "C", s.id


def test_sources_on_copy_sites_say_they_are_copies() -> None:
    for s in _all_sources():
        host = _host(s.url)
        if any(h in host for h in COPY_HOSTS):
            assert s.form in ("copy", "directory"), (s.id, host)
        if any(h in host for h in DIRECTORY_HOSTS):
            assert s.form == "directory", (s.id, host)


def _mentions(text: str, names: tuple[str, ...]) -> bool:
    folded = text.casefold()
    for name in names:
        core = re.sub(r"\s*\(.*?\)\s*", " ", name).strip().casefold()
        if core and core in folded:
            return True
    return False


def test_selling_or_making_for_an_unnamed_maker_is_weak() -> None:
    nodes = {r.id: r for r in seed.records() if isinstance(r, Node)}
    for e in _edges():
        if e.relation not in (Relation.DISTRIBUTES, Relation.MANUFACTURES_FOR):
            continue
        quotes = " ".join(s.quote or "" for s in e.sources)
        if not _mentions(quotes, nodes[e.dst].names):
            assert e.confidence < 0.5, (e.src, e.relation.value, e.dst)


def test_known_misgraded_sources_stay_corrected() -> None:
    sources = {s.id: s for s in _all_sources()}
    for sid in (
        "dist-midwich-dvs-acquisition",
        "zte-annual-report-2017",
        "zte-governance-selfcheck-2007",
        "huawei-csl-2019",
    ):
        assert sources[sid].form == "copy" and sources[sid].grade == "B", sid
    eurocctv = sources["dist-eurocctv-directory"]
    assert eurocctv.form == "directory" and eurocctv.grade == "C"
