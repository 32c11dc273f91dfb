"""Process settings for the long-running commands (``serve`` workers, ``audit``, ``bench``).

A store in use keeps large, long-lived caches (analysed names, candidate profiles, answers with
their sources), half a million objects after a few thousand new names. CPython's default
collector thresholds (700, 10, 10) make a full collection, which rescans all of them, every few
hundred questions, and each full pass is a pause a waiting request feels. With (700, 10, 1000)
the young generations are collected as before and a full pass waits until far more objects have
accumulated: less time collecting in all, and shorter pauses. (Raising the first threshold as
well collects less often but in longer pauses.) Objects freed by
reference counting, nearly all of them, are unaffected; cycles live a little longer.
The library itself never touches the collector: only the processes our CLI owns do.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (700, 10, 1000)


def tune_gc() -> None:
    """Raise the collector's thresholds for a process that holds large caches."""
    gc.set_threshold(*GC_THRESHOLDS)


def settle() -> None:
    """After start-up: collect once, then keep everything allocated so far (modules, rule
    tables, the opened store) out of later collections."""
    gc.collect()
    gc.freeze()
