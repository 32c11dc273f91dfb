"""The format registry is the one list of formats: the docs, the sources file's comment and the
CLI help say what it says, every format module is in it, and a format added to it is detected,
ordered and loaded with no other change."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import supplygraph.loaders as loaders_package
from supplygraph.cli import app
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Node, NodeKind, Record, SourceRef
from supplygraph.graph.store.backends import open_store
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.detect import detect_format
from supplygraph.loaders.format_spec import Flags, LoaderFormat, Peek
from supplygraph.loaders.formats import FORMAT_NAMES, FORMATS
from supplygraph.loaders.ingest import file_source, load_file, plan

ROOT = Path(__file__).resolve().parent.parent


def _table_formats(page: Path) -> list[str]:
    """The names in the first column of the page's table whose header starts with a format."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\| `?-?-?format`? \|", line))
    names = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        names.append(line.split("`")[1])
    return names


@pytest.mark.parametrize("page", ["docs/loading.md", "loaders/README.md"])
def test_docs_tables_list_the_registry_in_its_order(page: str) -> None:
    assert _table_formats(ROOT / page) == list(FORMATS)


def test_the_sources_file_comment_lists_the_registry() -> None:
    text = (ROOT / "loaders" / "sources.default.yaml").read_text(encoding="utf-8")
    stated = re.search(r"^#\s+format\s+(.*?) \(detected if absent\)$", text, re.M)
    assert stated is not None and stated[1] == FORMAT_NAMES


def test_load_help_names_every_format() -> None:
    result = CliRunner().invoke(app, ["load", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert FORMAT_NAMES in " ".join(result.output.split())


def test_every_format_module_is_registered() -> None:
    declared = {}
    for info in pkgutil.iter_modules(loaders_package.__path__):
        module = importlib.import_module(f"supplygraph.loaders.{info.name}")
        entry = getattr(module, "FORMAT", None)
        if isinstance(entry, LoaderFormat):
            declared[entry.name] = entry
    assert declared == FORMATS


def test_the_registry_carries_the_format_rules() -> None:
    # What the generic pipeline used to know by name is now each format's own declaration.
    assert [n for n, f in FORMATS.items() if f.second_process] == ["ftm"]
    assert [n for n, f in FORMATS.items() if f.flags.allow_empty] == ["gleif"]
    assert [n for n, f in FORMATS.items() if not f.flags.link_names] == ["ieee"]
    with pytest.raises(AttributeError):
        FORMATS["ieee"].flags.link_names = True  # type: ignore[misc]  # frozen: proving it


def test_an_unknown_format_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="unknown format 'nope'; use one of ofac, bods"):
        file_source(path, "nope")
    with pytest.raises(InvalidRecord, match=re.escape(f"pass --format (one of {FORMAT_NAMES})")):
        detect_format(path)


# -- a format added in one line ---------------------------------------------------------------
TOY_SOURCE = SourceRef(id="toy", title="Toy list", url="https://example.org/toy", grade="C")


def _toy_records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = "toy"
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], 2):
        ctx.count_read()
        name = line.strip()
        if not name:
            raise ctx.error(line_no, "name", "empty name")
        yield Node(
            id=make_id("toy", name), kind=NodeKind.ORGANIZATION, name=name, sources=[TOY_SOURCE]
        )


def _toy_phase(path: Path) -> int:
    return 1 if "late" in path.name else 0


TOY = LoaderFormat(
    name="toy",
    records=_toy_records,
    recognise=lambda peek: peek.header == {"toy_name"},
    flags=Flags(link_names=False),
    load_phase=_toy_phase,
)


def test_a_format_added_to_the_registry_is_detected_ordered_and_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(FORMATS, "toy", TOY)
    late, early = tmp_path / "late.csv", tmp_path / "early.csv"
    late.write_text("toy_name\nAcme Toys\n", encoding="utf-8")
    early.write_text("toy_name\nBeta Toys\nGamma Toys\n", encoding="utf-8")
    assert detect_format(early) == "toy"
    assert plan([late, early]) == [(early, "toy"), (late, "toy")]
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    report = load_file(store, early)
    assert (report.format, report.dataset, report.counts["read"]) == ("toy", "toy", 2)
    assert file_source(early).link_names is False
    assert store.view().counts()["nodes"] == 2


def test_peek_reads_the_header_of_either_separator() -> None:
    assert Peek(Path("x.csv"), '"a";"b"\n1;2').header == {"a", "b"}
    assert Peek(Path("x.json"), '  [{"a": 1}]').is_json
    assert Peek(Path("x.XML"), "whatever").is_xml
