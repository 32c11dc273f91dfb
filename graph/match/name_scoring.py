"""Scoring one typed name against one known name, part by part.

People type partial names ("Hangzhou Hikvision", "hikvision digital", "Zhejiang Dahua"), drop or
abbreviate legal forms and generic words ("Co", "Tech", "Intl"), swap word order and make typos.
A whole-string ratio punishes all of that alike and cannot tell a dropped city prefix from a
different company. So each name is split into parts with rigour's name analysis (the tooling
behind OpenSanctions' matchers) and each part gets a role:

- ``legal``: legal forms and their symbols (Co., Ltd, Corp, GmbH, 股份有限公司): ignored;
- ``place``: a location rigour knows (Zhejiang, Guangdong, USA; not every city): dropping it
  costs little;
- ``generic``: a business-domain or generic word (Technology, Electronics, Holding, Hotel);
- ``number``: digits, which must match exactly;
- ``distinctive``: everything else (Hikvision, Dahua, Hytera).

Parts pair up by equal form, then by a shared rigour symbol (``tech`` and ``technology`` are both
DOMAIN:TECH), then through rigour's typo-aware residue comparison (``compare_parts``: one typo in
a long word, a split or merged word). The score weighs how much of the query is explained
(``query_coverage``) above how much of the known name is (``name_coverage``): a user who types
fewer words names the same company, a user who types a word the name lacks ("Dahua Hotel",
"Dahua Electronics") names another one, so any such word rejects the pair outright.

CJK names carry no spaces; they are compared as sets of character bigrams with the same roles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import OSA, Levenshtein
from rigour.names import NamePart as RigourPart
from rigour.names import NamePartTag, NameTypeTag, analyze_names, compare_parts

from supplygraph.graph.model.normalize import fuzzy_key, has_cjk

Role = Literal["distinctive", "generic", "place", "number", "legal"]

WEIGHTS: dict[Role, float] = {
    "distinctive": 1.0,
    "number": 1.0,
    "generic": 0.3,
    "place": 0.2,
    "legal": 0.0,
}
# rigour symbols that are legal forms in all but name ("Co", "Corp" and the ORG_CLASS family).
_LEGAL_SYMBOLS = frozenset({"SYMBOL:CO", "SYMBOL:CORP"})
# Legal-form words rigour's tables leave as ordinary words: Japanese (K.K., Kabushiki Kaisha,
# Yugen Kaisha, Godo Kaisha), Indian (Pvt), Indonesian (Tbk), Spanish (S.L.).
_LOCAL_LEGAL_FORMS = frozenset({"kk", "kabushiki", "yugen", "godo", "pvt", "tbk", "sl"})
# A fuzzy pairing below this rigour alignment score is two different words.
FUZZY_PART_MIN = 0.7
# rigour pairs a word with a much shorter one when the short one is inside it ("sberbank" and
# "bank"): the joined forms must be this alike as plain strings too.
FUZZY_FORM_MIN = 0.75
# One typo (a wrong, missing, extra or swapped letter) in a word of TYPO_MIN letters or more, two
# in one of TYPO_TWO or more; such a pair scores TYPO_SCORE per edit below 1.
TYPO_MIN = 5
TYPO_TWO = 10
TYPO_SCORE = 0.1
# A fuzzy match never ties an exact one: the same normalized name scores 1.0, nothing else does.
FUZZY_CEILING = 0.99
# Words of legal forms that rigour recognizes only as whole phrases in their usual order ("joint
# stock company", "sociedad anonima"): when such a word pairs with nothing it is ignored, so
# "Genbank Joint Stock Company" typed as "Joint Stock Company Genbank" or reordered still matches.
LEGAL_WORDS = frozenset(
    """joint stock company public closed open limited liability private incorporated
    sociedad anonima responsabilidad limitada ltda ltd llc inc corp corporation co jsc ojsc
    cjsc pjsc ooo oao zao pao gmbh ag plc pte pvt sa srl spa sarl bhd sdn bv nv kg the
    compania compagnie companhia obshchestvo ogranichennoi otvetstvennostyu aktsionernoe""".split()  # noqa: SIM905  # a word list reads better than 70 quoted strings
)
# A query part the known name lacks (other than a place) caps the pair here: below any
# sensible threshold, so "Dahua Hotel" never becomes Zhejiang Dahua.
UNEXPLAINED_CAP = 0.5
# Too little of the query explained (say one common given name): no match whatever the ratio.
MIN_EXPLAINED_WEIGHT = 0.7
# How much the query's coverage counts against the known name's: partial company names are
# normal ("Hangzhou Hikvision"), partial person names are how common names collide.
QUERY_SHARE_ORG = 0.75
QUERY_SHARE_PERSON = 0.5

# A query word found under many names in the store says less (an inverse document frequency):
# full weight up to RARE_DF names, down to DF_FLOOR_WEIGHT for the most common ones.
RARE_DF = 30
DF_FLOOR_WEIGHT = 0.35

# Cities that often open a Chinese company's name in pinyin ("Hangzhou Hikvision", "Shenzhen
# ..."): rigour's tagger knows countries, provinces and the four municipalities, not these, and
# a city a query adds or leaves out should cost as little as a province does.
_PINYIN_CITIES = frozenset(
    [
        "hangzhou",
        "shenzhen",
        "guangzhou",
        "wuhan",
        "chengdu",
        "nanjing",
        "suzhou",
        "ningbo",
        "xiamen",
        "dongguan",
        "foshan",
        "qingdao",
        "dalian",
        "hefei",
        "changsha",
        "jinan",
        "zhengzhou",
        "fuzhou",
        "kunming",
        "shenyang",
        "harbin",
        "urumqi",
        "zhuhai",
        "wuxi",
        "xian",
        "shijiazhuang",
        "nanchang",
        "taiyuan",
        "changchun",
        "hohhot",
        "guiyang",
        "nanning",
        "lanzhou",
        "yinchuan",
        "xining",
        "haikou",
        "lhasa",
        "wenzhou",
        "jiaxing",
        "shaoxing",
    ]
)

# CJK bigrams that are places or generic business words (technology, electronics, group, ...).
_CJK_PLACES = frozenset(
    [
        "浙江",
        "杭州",
        "深圳",
        "北京",
        "上海",
        "广东",
        "广州",
        "江苏",
        "南京",
        "福建",
        "厦门",
        "中国",
        "香港",
        "美国",
        "加拿",
        "拿大",
        "英国",
    ]
)
_CJK_GENERIC = frozenset(
    [
        "技术",
        "科技",
        "电子",
        "電子",
        "集团",
        "集團",
        "数字",
        "數字",
        "通信",
        "通讯",
        "网络",
        "網絡",
        "控股",
        "投资",
        "系统",
    ]
)


@dataclass(frozen=True)
class Part:
    text: str  # the comparable form
    role: Role
    symbols: frozenset[str] = frozenset()
    weight: float = 1.0
    source: RigourPart | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class AnalyzedName:
    """A name split into scored parts; ``cjk`` marks bigram parts."""

    original: str
    parts: tuple[Part, ...]
    cjk: bool = False


@dataclass
class PartPair:
    query: str
    name: str
    similarity: float
    how: str  # exact | symbol | typo | fuzzy


@dataclass
class NameScore:
    """The comparison of a query with one known name, with every feature that made the score."""

    name: str
    score: float
    pairs: list[PartPair]
    query_only: list[str]
    name_only: list[str]
    features: dict[str, float]


def _role(part: RigourPart, symbols: frozenset[str]) -> Role:
    # Most parts carry no symbol: their symbol tests are skipped (every stored name is
    # analysed once, on first sight, so this runs on every new candidate).
    tag, form = part.tag, part.form
    if tag == NamePartTag.LEGAL or (symbols and any(s.startswith("ORGCLS:") for s in symbols)):
        return "legal"
    if (symbols and symbols & _LEGAL_SYMBOLS) or form in _LOCAL_LEGAL_FORMS:
        return "legal"
    if tag == NamePartTag.NUM or part.numeric:
        return "number"
    if (symbols and any(s.startswith("LOC:") for s in symbols)) or form in _PINYIN_CITIES:
        return "place"
    if symbols and any(s.startswith(("DOMAIN:", "SYMBOL:")) for s in symbols):
        return "generic"
    if tag == NamePartTag.STOP:
        return "legal"
    return "distinctive"


def _cjk_parts(text: str) -> tuple[Part, ...]:
    chars = [ch for ch in fuzzy_key(text) if not ch.isspace()]
    grams = {a + b for a, b in zip(chars, chars[1:], strict=False)} or set(chars)
    parts = []
    for gram in sorted(grams):
        role: Role = (
            "place" if gram in _CJK_PLACES else "generic" if gram in _CJK_GENERIC else "distinctive"
        )
        parts.append(Part(text=gram, role=role, weight=WEIGHTS[role]))
    return tuple(parts)


@lru_cache(maxsize=65536)
def analyze(text: str, person: bool = False) -> AnalyzedName:
    """Split a name into parts with roles (cached: known names are compared again and again).

    >>> [(p.text, p.role) for p in analyze("Zhejiang Dahua Technology Co., Ltd.").parts]
    [('zhejiang', 'place'), ('dahua', 'distinctive'), ('technology', 'generic'), ('coltd', 'legal')]
    """
    if has_cjk(text):
        return AnalyzedName(original=text, parts=_cjk_parts(text), cjk=True)
    tag = NameTypeTag.PER if person else NameTypeTag.ORG
    # Person names skip rigour's symbol tagger: its given-name tables take seconds to load and
    # their symbols (given-name equivalents) are not used here; legal and number tags remain.
    analyzed = analyze_names(tag, [text], consolidate=False, phonetics=False, symbols=not person)
    if not analyzed:
        return AnalyzedName(original=text, parts=())
    name = next(iter(analyzed))
    by_part: dict[int, set[str]] = {}
    for span in name.spans:
        for p in span.parts:
            by_part.setdefault(p.index, set()).add(str(span.symbol).strip("[]"))
    parts = []
    for p in name.parts:
        symbols = frozenset(by_part.get(p.index, ()))
        role = _role(p, symbols)
        parts.append(
            Part(text=p.comparable, role=role, symbols=symbols, weight=WEIGHTS[role], source=p)
        )
    return AnalyzedName(original=text, parts=tuple(parts))


def _legal_typo(part: Part) -> bool:
    """A mistyped legal-form word ("copmany", "corproation", "liimted") is still a legal form."""
    return part.role == "distinctive" and _near_legal_word(part.text)


@lru_cache(maxsize=65536)
def _near_legal_word(text: str) -> bool:
    if len(text) < TYPO_MIN or not text.isalpha():
        return False
    budget = 2 if len(text) >= TYPO_TWO else 1
    return any(
        len(word) >= TYPO_MIN and OSA.distance(text, word, score_cutoff=budget) <= budget
        for word in LEGAL_WORDS
    )


def df_weight(df: int) -> float:
    """The weight of a distinctive query word found under ``df`` names in the store."""
    if df <= RARE_DF:
        return 1.0
    return max(DF_FLOOR_WEIGHT, 1.0 - 0.2 * math.log(df / RARE_DF))


def _pair(query: list[Part], known: list[Part]) -> list[tuple[Part, Part, float, str]]:
    """Pairs of query and known parts: equal text, then a shared symbol, then fuzzy."""
    pairs: list[tuple[Part, Part, float, str]] = []
    q_left = list(query)
    k_left = list(known)
    for q in list(q_left):
        hit = next((k for k in k_left if k.text == q.text), None)
        if hit is not None:
            pairs.append((q, hit, 1.0, "exact"))
            q_left.remove(q)
            k_left.remove(hit)
    for q in list(q_left):
        if not q.symbols or q.role == "number":
            continue
        hit = next((k for k in k_left if k.symbols & q.symbols and k.role == q.role), None)
        if hit is not None:
            pairs.append((q, hit, 1.0, "symbol"))
            q_left.remove(q)
            k_left.remove(hit)
    for q in list(q_left):
        if q.role != "distinctive" or len(q.text) < TYPO_MIN or not q.text.isalpha():
            continue
        budget = 2 if len(q.text) >= TYPO_TWO else 1
        near = [
            (d, k)
            for k in k_left
            if k.role != "number"
            and (d := OSA.distance(q.text, k.text, score_cutoff=budget)) <= budget
        ]
        if near:
            dist, hit = min(near, key=lambda t: t[0])
            pairs.append((q, hit, round(1.0 - TYPO_SCORE * dist, 3), "typo"))
            q_left.remove(q)
            k_left.remove(hit)
    fuzzy_q = [q for q in q_left if q.source is not None and q.role != "number"]
    fuzzy_k = [k for k in k_left if k.source is not None and k.role != "number"]
    if fuzzy_q and fuzzy_k:
        by_source_q = {id(q.source): q for q in fuzzy_q}
        by_source_k = {id(k.source): k for k in fuzzy_k}
        sources_q = [q.source for q in fuzzy_q if q.source is not None]
        sources_k = [k.source for k in fuzzy_k if k.source is not None]
        # compare_parts gives back the same part objects it was handed, so they map back.
        for alignment in compare_parts(sources_q, sources_k):
            if not alignment.qps or not alignment.rps or alignment.score < FUZZY_PART_MIN:
                continue
            qs = [by_source_q[id(p)] for p in alignment.qps if id(p) in by_source_q]
            ks = [by_source_k[id(p)] for p in alignment.rps if id(p) in by_source_k]
            if not qs or not ks:
                continue
            joined_q, joined_k = "".join(q.text for q in qs), "".join(k.text for k in ks)
            if Levenshtein.normalized_similarity(joined_q, joined_k) < FUZZY_FORM_MIN:
                continue
            # A split or merged word ("hik vision"): pair every piece with the first partner.
            for q in qs:
                pairs.append((q, ks[0], round(alignment.score, 3), "fuzzy"))
            for k in ks[1:]:
                pairs.append((qs[0], k, round(alignment.score, 3), "fuzzy"))
    return pairs


def compare(
    query: AnalyzedName,
    known: AnalyzedName,
    df: Mapping[str, int] | None = None,
    person: bool = False,
    explain: bool = True,
) -> NameScore:
    """Score a typed name against a known one; see the module docstring for the rules.

    ``explain=False`` gives the same score without the pairs and features (a matcher scores
    dozens of candidate names and explains only the ones it keeps).
    """
    q_parts = [p for p in query.parts if p.role != "legal"]
    k_parts = [p for p in known.parts if p.role != "legal"]
    if not query.cjk and not known.cjk:
        # Legal-form words out of their usual order pair with each other when both sides have
        # them and are dropped when only one side does.
        q_legal = {p.text for p in q_parts if p.text in LEGAL_WORDS}
        k_legal = {p.text for p in k_parts if p.text in LEGAL_WORDS}
        q_parts = [p for p in q_parts if p.text not in q_legal - k_legal and not _legal_typo(p)]
        k_parts = [p for p in k_parts if p.text not in k_legal - q_legal]
    if not q_parts or not k_parts:
        return NameScore(known.original, 0.0, [], [p.text for p in q_parts], [], {})

    pairs = _pair(q_parts, k_parts)
    q_sim: dict[int, float] = {}
    k_sim: dict[int, float] = {}
    for q, k, sim, _ in pairs:
        q_sim[id(q)] = max(q_sim.get(id(q), 0.0), sim)
        k_sim[id(k)] = max(k_sim.get(id(k), 0.0), sim)
    q_weights = [_query_weight(p, df) for p in q_parts]
    q_total = sum(q_weights)
    k_total = sum(p.weight for p in k_parts)
    q_explained = sum(w * q_sim.get(id(p), 0.0) for p, w in zip(q_parts, q_weights, strict=True))
    k_explained = sum(p.weight * k_sim.get(id(p), 0.0) for p in k_parts)
    query_coverage = q_explained / q_total if q_total else 0.0
    name_coverage = k_explained / k_total if k_total else 0.0
    share = QUERY_SHARE_PERSON if person else QUERY_SHARE_ORG
    # Equal normalized names are found by key (score 1.0) before any part is compared.
    score = min(FUZZY_CEILING, share * query_coverage + (1 - share) * name_coverage)
    unexplained = [p for p in q_parts if id(p) not in q_sim and p.role != "place"]
    if unexplained:
        score = min(score, UNEXPLAINED_CAP)
    # A name of places and trade words only ("Berlin Industries Corp") must match in full.
    complete = query_coverage >= 0.99 and name_coverage >= 0.99
    if q_explained < MIN_EXPLAINED_WEIGHT and not complete:
        score = min(score, UNEXPLAINED_CAP)
    if not explain:
        return NameScore(known.original, round(score, 3), [], [], [], {})
    return NameScore(
        name=known.original,
        score=round(score, 3),
        pairs=[PartPair(q.text, k.text, sim, how) for q, k, sim, how in pairs],
        query_only=[p.text for p in q_parts if id(p) not in q_sim],
        name_only=[p.text for p in k_parts if id(p) not in k_sim],
        features={
            "query_coverage": round(query_coverage, 3),
            "name_coverage": round(name_coverage, 3),
            "query_weight_explained": round(q_explained, 3),
            "unexplained_query_parts": float(len(unexplained)),
        },
    )


def _query_weight(part: Part, df: Mapping[str, int] | None) -> float:
    """A query part's weight: a distinctive word counts less the more names carry it."""
    if part.role == "distinctive" and df is not None:
        key = part.source.form if part.source is not None else part.text
        return part.weight * df_weight(df.get(key, 0))
    return part.weight
