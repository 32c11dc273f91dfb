"""The two caches the engines use: a thread-safe LRU with hit/miss counters for answers keyed by
store version (:class:`AnswerCache`), and a two-generation map as cheap as a dict lookup for the
bulk engine's per-row caches (:class:`TwoGenerationCache`).

AnswerCache:

Engines put the store version in every key, so a load (which bumps the version) makes old
entries unreachable; they age out of the LRU instead of being invalidated one by one.
The counters feed the ``/metrics`` cache hit rate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class AnswerCache(Generic[V]):
    """Bounded LRU mapping ``key -> value``; ``get`` counts hits and misses.

    >>> cache: AnswerCache[int] = AnswerCache(size=2)
    >>> cache.put("a", 1); cache.get("a"), cache.get("b")
    (1, None)
    >>> cache.hits, cache.misses
    (1, 1)
    """

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, count: bool = True) -> V | None:
        """The value or None; ``count=False`` leaves a miss uncounted (a peek before computing)."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += count
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry (counters stay): benchmarks use it to time the uncached path."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class TwoGenerationCache(dict[K, V | None]):
    """A bounded map that keeps what is in use: an approximate LRU as cheap as a dict lookup.

    ``cache[key]`` is the value, or None when the key is not cached (no KeyError). New entries go
    to the young generation (the dict itself); when it is full, the old generation is dropped and
    the young one becomes old. A key found in the old generation is promoted, so keys that keep
    being used survive while memory stays bounded by ``size``. Hits cost one C-level lookup,
    which matters at hundreds of thousands of lookups a second.

    >>> c: TwoGenerationCache[str, int] = TwoGenerationCache(4)
    >>> c.put("a", 1); c.put("b", 2); c.put("c", 3); c.put("d", 4)
    >>> c["a"], c["d"], c["x"]
    (1, 4, None)
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self._half = max(1, size // 2)
        self._old: dict[K, V | None] = {}

    def __missing__(self, key: K) -> V | None:
        value = self._old.get(key)
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        if len(self) >= self._half:
            self._old = dict(self)
            self.clear()
        self[key] = value

    def put_many(self, items: dict[K, V]) -> None:
        """Insert many entries at once (one C-level update instead of a call per key)."""
        if len(self) + len(items) > self._half:
            self._old = dict(self)
            self.clear()
        self.update(items)

    def size(self) -> int:
        """Entries held in both generations (an upper bound on distinct keys)."""
        return len(self) + len(self._old)
