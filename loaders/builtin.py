"""The two sources every store starts from, as the ingest pipeline loads them: the curated seed
data and the IEEE MAC registry shipped inside the installed ``netaddr`` package.

They go through the same pipeline as downloaded files (linker, one transaction, load log), so
``/v1/sources`` lists them and a reload is compared with the previous one like any dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from netaddr.eui import ieee

from supplygraph.graph.model.records import Record

from . import oui, seed
from .common import Ref
from .context import LoadContext
from .ingest import Source

IEEE_DATASET = "ieee-registry"


def _counted(
    dataset: str, records: Callable[[], Iterator[Record]]
) -> Callable[[LoadContext], Iterator[Record | Ref]]:
    def read(ctx: LoadContext) -> Iterator[Record | Ref]:
        ctx.dataset = dataset
        for record in records():
            ctx.count_read()
            yield record
        # Not a download: the seed folder and the registry copy are read whole as they lie,
        # so a listing the seed no longer states is ended.
        ctx.completeness(True, "built-in data, read whole as shipped (not a download)")

    return read


def seed_source(directory: Path | None = None) -> Source:
    """The seed folder (``seed_data/`` unless another is given); the checksum covers its YAML."""
    folder = directory or seed.seed_dir()
    return Source(
        path=folder,
        format="seed",
        members=tuple(sorted(folder.glob("*.yaml"))),
        read=_counted(seed.SEED_DATASET, lambda: seed.records(folder)),
        link_names=False,
    )


def oui_source() -> Source:
    """netaddr's copy of the IEEE MA-L and IAB registries."""
    folder = Path(ieee.__file__).parent
    return Source(
        path=folder / "oui.txt",
        format="ieee",
        members=(folder / "oui.txt", folder / "iab.txt"),
        read=_counted(IEEE_DATASET, oui.records),
        link_names=False,
    )


BUILTIN: dict[str, Callable[[], Source]] = {"seed": seed_source, "oui": oui_source}
