"""Parsing a file in a second process while this one writes: :func:`parallel_records`.

Why two processes: a load spends about as long turning lines into validated records (JSON
parsing, pydantic validation) as it does writing them (merging, index rows, SQLite). Both are
Python work, and one process runs Python on one core at a time; a child process parses while
the parent writes, so the two halves overlap on a machine with two cores. The overlap is not
free: sending a record costs the child a fraction of what parsing it did, and receiving it
costs the parent a fraction too, so it pays only when a core is idle for the child
(`supplygraph bench` measures the pipelined load next to the in-process one); on a machine
whose cores are all busy the two processes take turns and the load is slower than in process,
which is why ``loaders/ingest.py`` looks at the load average before using it.

What crosses the pipe: one message per batch of records, a pickle of ``(kind, payload,
state)``. The records are sent as their field values: the child has validated them, so the
parent rebuilds each model without validating it again (:func:`_rebuild`; the default pickle
of a pydantic model goes through its ``__setstate__``). A source reference or enum shared by
many records is sent once per batch (pickle's memo). ``state`` is the child's
:class:`~supplygraph.loaders.context.LoadContext` (counts, dataset, new warnings, completeness)
after the batch, copied onto the parent's context before the batch is handed out, so the
parent reads the same context an in-process load would leave.

Errors: an exception in the child (an ``InvalidRecord`` naming file, line and field, or any
other) is sent back as its class and attributes and raised again in the parent, unchanged, when
the parent reaches it; the parent's write transaction then rolls back as for any failed load.

Cancellation: the pipe holds about one batch, so the child parses at most one batch ahead and
then waits. When the parent stops consuming (an error of its own, a closed or dropped
generator) it closes its end and ends the child: a child blocked on a send gets a broken pipe
and exits, and a child still parsing is terminated. The child also exits as soon as it
writes to a pipe whose reader is gone, so a killed parent leaves no parser behind either.

How the child starts: a fork of this process, which has the loader imported already (a fresh
interpreter spends most of a second importing it; multiprocessing's "spawn" and "forkserver"
also import the caller's main script again, which runs a script without a ``__main__`` guard
twice). A fork copies only the calling thread, so it is safe only while this process runs one:
with other threads alive (a web server's), a lock one of them held would stay taken in the
child, and the file is parsed in process instead. The child never touches the SQLite
connections it inherits and leaves by ``os._exit`` (multiprocessing's way), which runs no
finalizer that could close them.
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import pickle
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from supplygraph.graph.gc_pause import paused
from supplygraph.graph.model.records import Designation, Edge, Identifier, Node, SourceRef
from supplygraph.graph.store.batches import batched

from .context import LoadContext

# Records per message: large enough that the per-message cost (a pickle, a system call, a
# context update) is noise, small enough that the child stays close behind the parent.
BATCH = 2000
# How long the parent waits for a stopped child before killing it, in seconds.
STOP_WAIT_S = 5.0

# Records, or anything else a loader yields (Ref, for loaders that name entities by identifier).
T = TypeVar("T")
Reader = Callable[[Path, LoadContext], Iterator[T]]
# The context fields a loader sets, copied from the child to the parent after every batch.
_STATE_FIELDS = (
    "dataset",
    "read",
    "skipped",
    "warning_count",
    "published",
    "complete",
    "evidence",
    "tallies",
)
_MODELS: tuple[type[BaseModel], ...] = (Node, Edge, Designation, SourceRef, Identifier)
_object_setattr = object.__setattr__


def _rebuild(cls: type[BaseModel], values: dict[str, Any], fields_set: set[str]) -> Any:
    """A model from field values the child validated: what ``model_construct`` does, minus its
    per-field default handling (every field is in ``values``)."""
    model = cls.__new__(cls)
    _object_setattr(model, "__dict__", values)
    _object_setattr(model, "__pydantic_fields_set__", fields_set)
    _object_setattr(model, "__pydantic_extra__", None)
    _object_setattr(model, "__pydantic_private__", None)
    return model


class _Encoder:
    """Pickles batches with the models reduced to their field values."""

    def __init__(self) -> None:
        self._table = copyreg.dispatch_table.copy()
        for model in _MODELS:
            self._table[model] = self._reduce

    def _reduce(self, model: BaseModel) -> tuple[Any, ...]:
        return _rebuild, (type(model), model.__dict__, model.__pydantic_fields_set__)

    def dumps(self, message: object) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._table
        pickler.dump(message)
        return buffer.getvalue()


@dataclass(frozen=True)
class _Start:
    """What the child needs to rebuild the parent's context (no store view, no callback)."""

    path: Path
    dataset: str
    link_names: bool


def _state(ctx: LoadContext, warnings_sent: int) -> dict[str, Any]:
    state = {name: getattr(ctx, name) for name in _STATE_FIELDS}
    state["new_warnings"] = ctx.warnings[warnings_sent:]
    return state


def _error(exc: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]:
    """An exception as class, args and attributes: exceptions whose ``__init__`` takes other
    arguments than ``args`` (``InvalidRecord``) do not survive a plain pickle."""
    state = dict(vars(exc))
    try:
        pickle.dumps((exc.args, state))
    except Exception:  # an attribute that cannot cross: send the text, as a plain error
        return RuntimeError, (f"{type(exc).__name__}: {exc}",), {}
    return type(exc), exc.args, state


def _raise(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> None:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    raise exc


def _produce(
    conn: Connection, parent_end: Connection, read: Reader[Any], start: _Start, batch: int
) -> None:
    """The child: read the file, send batches, then "done" or the error."""
    # The fork copied the parent's end of the pipe too: while this process holds it, a parent
    # that died would not close the pipe, and a send here would wait forever.
    parent_end.close()
    # A batch is held whole until it is sent: thousands of young objects that all survive, so
    # the collector's automatic runs find nothing and re-traverse the heap (a third of the
    # child's time). Parsing makes no reference cycles worth waiting for; one young collection
    # per batch, after the batch is dropped, takes what there is.
    gc.disable()
    ctx = LoadContext(path=start.path, dataset=start.dataset, link_names=start.link_names)
    encoder = _Encoder()
    sent = 0
    try:
        try:
            records = read(start.path, ctx)
            while chunk := list(islice(records, batch)):
                conn.send_bytes(encoder.dumps(("batch", chunk, _state(ctx, sent))))
                sent = len(ctx.warnings)
                del chunk
                gc.collect(1)
            message: tuple[str, Any, dict[str, Any]] = ("done", None, _state(ctx, sent))
        except (BrokenPipeError, EOFError, KeyboardInterrupt):
            return  # the parent stopped listening: nothing to tell it
        except Exception as exc:
            message = ("error", _error(exc), _state(ctx, sent))
        conn.send_bytes(encoder.dumps(message))
    except (BrokenPipeError, EOFError, OSError):
        return
    finally:
        conn.close()


def _decode(message: bytes) -> Any:
    """One message, with the collector paused: every object a batch unpickles lives on (see
    :mod:`supplygraph.graph.gc_pause`)."""
    with paused():
        return pickle.loads(message)


def _apply(ctx: LoadContext, state: dict[str, Any]) -> None:
    before = ctx.read
    new_warnings = state.pop("new_warnings")
    for name, value in state.items():
        setattr(ctx, name, value)
    ctx.warnings.extend(new_warnings)  # the child kept at most MAX_KEPT_WARNINGS of them
    if ctx.progress is not None and ctx.read > before:
        ctx.progress(ctx.read - before)


def parallel_records(
    read: Reader[T], path: Path, ctx: LoadContext, batch: int = BATCH
) -> Iterator[list[T]]:
    """Batches of ``read(path, ctx)``'s records, parsed in a child process.

    ``read`` is a loader's record iterator that does not use ``ctx.view`` (the child has no
    store). ``ctx`` is updated as the child reads, batch by batch, exactly
    as ``read`` would update it in this process; ``ctx.progress`` is called here.
    """
    if threading.active_count() > 1:
        # Forking copies only this thread: a lock another thread holds (the import lock, a
        # logging handler's) would stay taken in the child. Parse here instead.
        yield from batched(read(path, ctx), batch)
        return
    fork = multiprocessing.get_context("fork")
    receiver, sender = fork.Pipe(duplex=False)
    start = _Start(path=path, dataset=ctx.dataset, link_names=ctx.link_names)
    child = fork.Process(
        target=_produce,
        args=(sender, receiver, read, start, batch),
        name="supplygraph-parse",
        daemon=True,  # ended by multiprocessing when this process exits
    )
    child.start()
    sender.close()  # the child holds the only write end: its exit reads as end of file here
    finished = False
    try:
        while True:
            try:
                kind, payload, state = _decode(receiver.recv_bytes())
            except EOFError:
                raise RuntimeError(
                    f"{path}: the parsing process ended without a result (exit code "
                    f"{child.exitcode})"
                ) from None
            _apply(ctx, state)
            if kind == "batch":
                yield payload
            elif kind == "error":
                finished = True
                _raise(*payload)
            else:
                finished = True
                return
    finally:
        receiver.close()
        if not finished:
            child.terminate()  # stopped early: the child may be mid-batch, with no one to read
        child.join(STOP_WAIT_S)
        if child.is_alive():
            child.kill()
            child.join()
