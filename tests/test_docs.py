"""README and docs/ stay true: every `supplygraph` verb they show exists, every link resolves.

A command shown in a code block is run with ``--help`` through the installed CLI (the verb, and
the subverb where there is one), so a renamed or removed verb fails here instead of in a reader's
terminal. Links are checked as files (and anchors as headings) relative to the page.
"""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplygraph.cli import app

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _commands(page: Path) -> list[list[str]]:
    """The `supplygraph` invocations in a page's code blocks, as argument lists."""
    found = []
    for block in FENCE.findall(page.read_text(encoding="utf-8")):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip().removeprefix("$ ")
            for part in re.split(r"&&|\|\||;|\|", line):
                words = part.split()
                while words and ("=" in words[0] and not words[0].startswith("-")):
                    words = words[1:]  # VAR=value before the command
                if words and words[0].rsplit("/", 1)[-1] == "supplygraph":
                    try:
                        found.append(shlex.split(" ".join(words[1:])))
                    except ValueError:
                        found.append(words[1:])
    return found


@cache
def _verbs() -> dict[str, set[str]]:
    """Each verb and its subverbs (empty for a plain command)."""
    import typer.main

    click_app = typer.main.get_command(app)
    verbs: dict[str, set[str]] = {}
    for name, command in getattr(click_app, "commands", {}).items():
        verbs[name] = set(getattr(command, "commands", {}) or {})
    return verbs


def _help_args(args: list[str]) -> list[str]:
    verb = args[0]
    subs = _verbs().get(verb, set())
    if len(args) > 1 and args[1] in subs:
        return [verb, args[1], "--help"]
    return [verb, "--help"]


CASES = [
    (page.relative_to(ROOT).as_posix(), args)
    for page in PAGES
    for args in _commands(page)
    if args and not args[0].startswith("-")
]


def test_the_pages_show_commands() -> None:
    assert len(CASES) >= 20, "the command finder found too few commands to be trusted"


@pytest.mark.parametrize(("page", "args"), CASES, ids=[f"{p}:{' '.join(a)}" for p, a in CASES])
def test_every_shown_command_exists(page: str, args: list[str]) -> None:
    assert args[0] in _verbs(), f"{page} shows `supplygraph {args[0]}`, which is no verb"
    result = CliRunner().invoke(app, _help_args(args))
    assert result.exit_code == 0, (page, args, result.output)


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    heads = re.findall(r"^#+ (.*)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_link_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        missing_anchor = bool(anchor) and linked.suffix == ".md" and linked.exists()
        if not linked.exists() or (missing_anchor and anchor not in _anchors(linked)):
            broken.append(target)
    assert broken == []


def test_readme_is_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 160
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in "\n".join(lines), f"README does not link {page.name}"
