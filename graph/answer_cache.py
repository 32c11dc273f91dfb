"""A small thread-safe LRU with hit/miss counters, for answers keyed by store version.

Engines put the store version in every key, so a load (which bumps the version) makes old
entries unreachable; they age out of the LRU instead of being invalidated one by one.
The counters feed the ``/metrics`` cache hit rate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

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
