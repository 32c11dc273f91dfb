"""The questions: ``resolve`` (is it the target?), ``owners`` (who is above?), ``regimes``
(which rules apply?)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from supplygraph.graph.engine.judge import weak_link_text
from supplygraph.graph.model.answers import Step

from .common import (
    AsOfOpt,
    StoreOpt,
    TargetOpt,
    day_of,
    errors_to_exit,
    open_graph,
    out,
    print_model,
)

VERDICT_COLOURS = {"yes": "red", "possible": "dark_orange", "no": "green", "unknown": "yellow"}


def step_line(step: Step) -> str:
    """``A -OWNS 51%-> B  [source titles]``, with ``(weak: why)`` on a weak step."""
    share = f" {step.share}%" if step.share is not None else ""
    weak = f" (weak: {step.weak_reason})" if step.strength == "weak" else ""
    cites = "; ".join(s.title for s in step.sources)
    return f"{step.from_name} -{step.relation}{share}-> {step.to_name}{weak}  [{cites}]"


def resolve(
    name: Annotated[str | None, typer.Option(help="Company or product name")] = None,
    brand: Annotated[str | None, typer.Option(help="Brand")] = None,
    model: Annotated[str | None, typer.Option(help="Model number")] = None,
    mac: Annotated[str | None, typer.Option(help="MAC address or 24-bit prefix")] = None,
    fcc_id: Annotated[str | None, typer.Option("--fcc-id", help="FCC ID")] = None,
    target: TargetOpt = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full JSON answer")] = False,
    store: StoreOpt = None,
) -> None:
    """Is this ultimately the target? Prints the verdict and its evidence paths."""
    with errors_to_exit():
        day = day_of(as_of)
        result = open_graph(store).resolve(
            name=name, brand=brand, model=model, mac=mac, fcc_id=fcc_id, target=target, as_of=day
        )
    if as_json:
        print_model(result)
        return
    colour = VERDICT_COLOURS[result.verdict]
    out.print(
        f"[bold {colour}]{result.verdict}[/] (confidence {result.confidence}) "
        f"- target {escape(result.target.name)}",
        highlight=False,
    )
    out.print(result.explanation, highlight=False, markup=False)
    names = {m.id: m.name for m in result.matched}
    for path in result.paths:
        for step in path:
            names[step.from_], names[step.to] = step.from_name, step.to_name
    for w in result.weak_links:
        out.print(f"weak link: {weak_link_text(w, names)}", highlight=False, markup=False)
    for i, path in enumerate(result.paths, 1):
        out.print(f"path {i}:", highlight=False)
        for step in path:
            out.print(f"  {step_line(step)}", highlight=False, markup=False)
    for step in result.distributes:
        out.print(f"distributes: {step_line(step)}", highlight=False, markup=False)
    for d in result.designations:
        out.print(
            f"designation: {d.entity_name} on {d.list_name or d.list_} from {d.start_date}",
            highlight=False,
        )
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


def owners(
    entity: Annotated[str, typer.Argument(help="Entity id or name")],
    max_depth: Annotated[int, typer.Option("--max-depth")] = 6,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """The upstream ownership and control chain, with integrated shares."""
    with errors_to_exit():
        result = open_graph(store).owners(entity, max_depth, day_of(as_of))
    if as_json:
        print_model(result)
        return
    out.print(f"owners of {result.entity.name} as of {result.as_of}:", highlight=False)
    for o in result.owners:
        share = "unknown" if o.effective_share is None else f"{o.effective_share:g}%"
        if o.effective_share is None and o.effective_share_min is not None:
            share = f"{o.effective_share_min:g}-{o.effective_share_max:g}%"
        flags = ", ".join(f for f, on in (("controls", o.controls), ("ultimate", o.ultimate)) if on)
        out.print(
            f"  {'  ' * (o.depth - 1)}{o.name} [{o.id}] depth {o.depth}, effective {share}"
            f"{' (' + flags + ')' if flags else ''}",
            highlight=False,
            markup=False,
        )
    if result.state_owned is not None:
        out.print(result.state_owned.reason, highlight=False, markup=False)


def regimes(
    entity: Annotated[str, typer.Argument(help="Entity id or name")],
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """Per-regulation verdicts (OFAC 50%, BIS affiliates, listings, NDAA 889, FCC, Canada)."""
    with errors_to_exit():
        result = open_graph(store).regimes(entity, day_of(as_of))
    if as_json:
        print_model(result)
        return
    out.print(f"regimes for {result.entity.name} as of {result.as_of}:", highlight=False)
    for r in result.regimes:
        out.print(f"  {r.regime}: {r.verdict}. {r.reason}", highlight=False, markup=False)
