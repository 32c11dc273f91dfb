# The compiled pairing (_pairing.c); fast_scoring._pair_py is its Python twin.
from collections.abc import Sequence

def pair(
    query_rows: Sequence[tuple[str, frozenset[str], str, int, bool]],
    known_rows: Sequence[tuple[str, frozenset[str], str, bool]],
    known_texts: frozenset[str],
    typo_sims: tuple[float, ...],
    form_min: float,
    /,
) -> tuple[list[float | None], list[float | None], list[int], list[int]]: ...
