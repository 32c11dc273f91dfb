"""One budget for every graph walk: nodes collected, edges read, path steps taken, seconds spent.

Ownership (owners, holdings), the upstream neighbourhood the regime rules read, and the
evidence-path reach all walk the graph from one entity. On a dense graph (60 companies each
owning 1% of every other) the number of simple paths grows as 58^depth, so a walk without a
budget runs for minutes on one core. A walk that runs out of budget stops and says so
(``exhausted``, with the limit that stopped it); the answer built from it is marked partial and
never claims more than it saw: sums become lower bounds, and upper bounds are computed another
way (see :mod:`supplygraph.graph.engine.ownership`).

>>> budget = WalkBudget(max_nodes=2)
>>> budget.take_nodes(2), budget.take_nodes(1), budget.exhausted
(True, False, 'more than 2 nodes')
"""

from __future__ import annotations

import time
from dataclasses import dataclass

# Defaults sized so an answer on a dense graph comes back well under a second on one core,
# while every chain in the real lists (depth <= 8, a few hundred owners) fits many times over.
MAX_NODES = 5_000
MAX_EDGES = 50_000
MAX_PATH_STEPS = 100_000
MAX_SECONDS = 0.25
# The clock is read once every this many steps: reading it costs more than a step.
_CLOCK_EVERY = 512


@dataclass
class WalkBudget:
    """What one walk may spend; ``exhausted`` names the first limit it reached (or None)."""

    max_nodes: int = MAX_NODES
    max_edges: int = MAX_EDGES
    max_path_steps: int = MAX_PATH_STEPS
    max_seconds: float = MAX_SECONDS
    nodes: int = 0
    edges: int = 0
    steps: int = 0
    exhausted: str | None = None
    # The clock runs from the first path step: the seconds bound the enumeration of paths (the
    # part that explodes on a dense graph), not the store reads before it, which the node and
    # edge limits bound (a slow server is no reason to cut an answer short).
    started: float | None = None

    def _stop(self, why: str) -> bool:
        if self.exhausted is None:
            self.exhausted = why
        return False

    def take_nodes(self, count: int) -> bool:
        """Spend ``count`` collected nodes; False (and exhausted) past the limit."""
        self.nodes += count
        if self.nodes > self.max_nodes:
            return self._stop(f"more than {self.max_nodes} nodes")
        return self.exhausted is None

    def take_edges(self, count: int) -> bool:
        """Spend ``count`` edges read; False (and exhausted) past the limit."""
        self.edges += count
        if self.edges > self.max_edges:
            return self._stop(f"more than {self.max_edges} edges")
        return self.exhausted is None

    def take_step(self) -> bool:
        """One step of a path enumeration; the clock is checked every few hundred steps."""
        if self.started is None:
            self.started = time.monotonic()
        self.steps += 1
        if self.steps > self.max_path_steps:
            return self._stop(f"more than {self.max_path_steps} path steps")
        if self.steps % _CLOCK_EVERY == 0:
            return self.in_time()
        return self.exhausted is None

    def in_time(self) -> bool:
        if self.started is not None and time.monotonic() - self.started > self.max_seconds:
            return self._stop(f"more than {self.max_seconds:g} s")
        return self.exhausted is None

    def note(self, what: str) -> str:
        """The sentence an answer carries when the walk stopped early."""
        return (
            f"{what} is partial: the walk stopped at {self.exhausted} "
            f"({self.nodes} nodes, {self.edges} edges, {self.steps} path steps read); "
            "shares are bounds over what was read."
        )
