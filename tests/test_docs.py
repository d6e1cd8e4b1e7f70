"""The documentation: the site builds with `--strict`, and every command it shows runs as shown.

The pages are README.md and every page under docs/. Their fenced blocks are run as
docs/development.md ("The documentation and its test") says:

- a block marked `sh`, `bash` or `console` runs if it holds a `sciatica` command (in `console`
  blocks only the lines starting `$ ` are commands; the rest is output, not compared); its other
  command lines (`sed`, `cp`) run too and must succeed; every `python` block runs in a fresh Python;
- each page's blocks run in order in a fresh folder holding a copy of `examples/` and of the
  `simulations/` parameter, capacity and sweep files, as if from the top of a source checkout;
- a `sciatica` command must exit 0 unless an HTML comment just before its block says otherwise:
  `<!-- exit: 1 -->` (every `sciatica` command of the block) or `<!-- exit: 0 1 -->` (one status
  per command, in order);
- `<!-- no-run: REASON -->` marks a block that cannot run here; its `sciatica` commands are still
  parsed by the real command line (command, options, choices), and the reason must be given;
- a `sciatica` command in a block of any other kind (`text`, unmarked), or a block marked `py`,
  `shell` and the like, fails the test: nothing is skipped silently.

The pages run two at a time, with the site build, and the whole takes under a minute on 2 cores.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import click
import pytest

from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
SHELL = {"sh", "bash", "console"}
RUN = SHELL | {"python"}
ELSEWHERE = {"py", "python3", "pycon", "ipython", "shell", "zsh", "shell-session", "sh-session"}  # say sh or python
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w-]*)\s*$")
ANNOTATION = re.compile(r"^\s*<!--\s*(?P<key>[\w-]+)\s*:(?P<value>.*?)-->\s*$")
SCIATICA = re.compile(r"^\s*(?:\$\s+)?sciatica(?:\s|$)")
BIN = Path(sys.executable).parent  # the `sciatica` this Python installed
COMMAND_TIMEOUT = 180  # seconds; the documented commands take a few each


@attrs.frozen
class Block:
    page: Path
    line: int  # of the opening fence, counted from 1
    lang: str
    text: str
    annotation: tuple[str, str] | None  # (key, value) of the HTML comment just before it

    @property
    def where(self) -> str:
        shown = self.page.relative_to(REPO) if self.page.is_relative_to(REPO) else self.page
        return f"{shown}:{self.line}"

    def commands(self) -> list[str]:
        """The block's command lines, continuation lines joined; for `console`, the `$ ` lines."""
        found, pending = [], ""
        for raw in self.text.splitlines():
            line = raw.strip()
            if self.lang == "console":
                if not pending and not line.startswith("$ "):
                    continue  # output
                line = line[2:] if not pending else line
            elif not pending and (not line or line.startswith("#")):
                continue
            if line.endswith("\\"):
                pending += line[:-1].rstrip() + " "
                continue
            found.append(pending + line)
            pending = ""
        return found

    def sciatica_commands(self) -> list[str]:
        return [c for c in self.commands() if SCIATICA.match(c)]

    @property
    def runs(self) -> bool:
        return self.lang == "python" or (self.lang in SHELL and bool(self.sciatica_commands()))


def blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, with the annotation comment (if any) just before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        end = i + 1
        while end < len(lines) and not re.match(rf"^{re.escape(indent)}{re.escape(fence)}\s*$", lines[end]):
            end += 1
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines[i + 1:end])
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        note = ANNOTATION.match(before)
        found.append(Block(page, i + 1, opening["lang"].lower(), body,
                           (note["key"], note["value"].strip()) if note else None))
        i = end + 1
    return found


def expected_statuses(block: Block) -> list[int]:
    """What each `sciatica` command of the block must exit with; ValueError for a bad annotation."""
    count = len(block.sciatica_commands())
    if block.annotation is None:
        return [0] * count
    key, value = block.annotation
    if key != "exit":
        raise ValueError(f"unknown annotation `{key}`; use `exit: N` or `no-run: reason`")
    if count == 0:
        raise ValueError("`exit:` on a block with no sciatica command")
    words = value.split()
    if not words or not all(w.isdigit() for w in words) or len(words) not in (1, count):
        raise ValueError(f"`exit: {value}`: give one status for the block, or one per sciatica command ({count})")
    return [int(w) for w in words] * (count if len(words) == 1 else 1)


def page_folder(root: Path, page: Path) -> Path:
    """A fresh folder laid out like the top of a checkout, without the pathway's own `states/`."""
    folder = root / re.sub(r"[^\w.-]+", "_", str(page.relative_to(REPO)))
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "examples", folder / "examples")
    (folder / "simulations").mkdir()
    shutil.copy(REPO / "simulations" / "parameters.yaml", folder / "simulations" / "parameters.yaml")
    shutil.copy(REPO / "simulations" / "capacity.yaml", folder / "simulations" / "capacity.yaml")
    shutil.copytree(REPO / "simulations" / "sweeps", folder / "simulations" / "sweeps")
    return folder


def environment() -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", MPLBACKEND="Agg")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=COMMAND_TIMEOUT)


def said(result: subprocess.CompletedProcess) -> str:
    tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-12:]
    return "\n".join("      " + line for line in tail)


def parse_only(command: str) -> str | None:
    """Parse a `sciatica` command line with the real command line, running nothing; the problem, or None."""
    words = shlex.split(command, comments=True)
    for i, word in enumerate(words):  # the command ends where the shell takes over
        if word in ("|", ">", ">>", "<", "&&", "||", ";", "2>", "&"):
            words = words[:i]
            break
    if words[:1] == ["$"]:
        words = words[1:]
    name, rest = (words[1], words[2:]) if len(words) > 1 else (None, [])
    ctx = click.Context(main, info_name="sciatica")
    command = main.get_command(ctx, name) if name else None
    if command is None:
        return f"`sciatica {name or ''}`: no such command"
    try:
        with command.make_context(name, list(rest), parent=ctx):
            pass
    except click.ClickException as err:
        return f"`sciatica {name}`: {err.format_message()}"
    return None


def run_page(page: Path, root: Path) -> list[str]:
    """Run a page's blocks in order; every way a block did not do what the page says."""
    problems: list[str] = []
    folder = None
    for block in blocks(page):
        if block.lang in ELSEWHERE:
            problems.append(f"{block.where}: a `{block.lang}` block is never run: mark it "
                            f"{'python' if block.lang.startswith(('py', 'ipy')) else 'sh or console'}")
            continue
        if not block.runs:
            if block.lang not in RUN and any(SCIATICA.match(line) for line in block.text.splitlines()):
                problems.append(f"{block.where}: a sciatica command in a `{block.lang or 'unmarked'}` block "
                                "would never run: mark the block sh or console")
            elif block.annotation is not None:
                problems.append(f"{block.where}: `{block.annotation[0]}` on a block that has nothing to run")
            continue
        if block.annotation is not None and block.annotation[0] == "no-run":
            if not block.annotation[1]:
                problems.append(f"{block.where}: `no-run` must say why the block cannot run")
            if block.lang == "python":
                try:
                    compile(block.text, block.where, "exec")
                except SyntaxError as err:
                    problems.append(f"{block.where}: the Python does not parse: {err}")
            for command in block.sciatica_commands():
                if (problem := parse_only(command)) is not None:
                    problems.append(f"{block.where}: {problem}")
            continue
        try:
            statuses = iter(expected_statuses(block))
        except ValueError as err:
            problems.append(f"{block.where}: {err}")
            continue
        folder = folder or page_folder(root, page)
        if block.lang == "python":
            result = run([sys.executable, "-c", block.text], folder)
            if result.returncode != 0:
                problems.append(f"{block.where}: the Python block exited {result.returncode}:\n{said(result)}")
            continue
        for command in block.commands():
            expected = next(statuses) if SCIATICA.match(command) else 0
            result = run(["bash", "-o", "pipefail", "-c", command], folder)
            if result.returncode != expected:
                problems.append(f"{block.where}: `{command}` exited {result.returncode}, the page says "
                                f"{expected}:\n{said(result)}")
    return problems


def build_site(site: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], REPO)


def test_the_site_builds_with_strict(tmp_path):
    result = build_site(tmp_path / "site")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"


def test_every_command_in_the_docs_runs_as_shown(tmp_path):
    """Every page, two at a time (the longest first), each in its own folder; one test, so that
    the pages run once whichever worker takes it. The failure lists every page's problems."""
    if not (BIN / "sciatica").is_file():
        pytest.fail(f"no `sciatica` beside {sys.executable}: install the project (pip install -e '.[test]')")
    pages = sorted(PAGES, key=lambda p: -len(blocks(p)))
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(pages, pool.map(lambda page: run_page(page, tmp_path / "pages"), pages)))
    problems = [problem for page in PAGES for problem in found[page]]
    assert not problems, "\n".join(problems)


def test_the_readme_has_one_python_example_and_it_is_run():
    python = [b for b in blocks(REPO / "README.md") if b.lang == "python"]
    assert len(python) == 1 and python[0].annotation is None, "the README's Python example runs as written"


def test_the_readme_lists_every_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `sciatica ([\w-]+)", readme, re.MULTILINE)
    ctx = click.Context(main, info_name="sciatica")
    assert listed == sorted(main.list_commands(ctx)), "the README's commands table: every command, in order"


def test_ci_installs_exactly_as_the_readme_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("python3 -m venv .venv && . .venv/bin/activate && pip install . && sciatica demo",
                    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest"):
        assert f"```sh\n{command}\n```" in readme
        assert command in ci


def test_the_reader_of_the_pages_finds_what_the_convention_says(tmp_path):
    """The block reader itself, on a page made for it: annotations, console output, continuations."""
    page = tmp_path / "example.md"
    text = ("Text\n\n<!-- exit: 0 1 -->\n```sh\n# a comment\nsciatica validate \\\n  mine\nsed -i s/a/b/ x\n"
            "sciatica check mine\n```\n\n```console\n$ sciatica check\n   1. Red flags  holds\n```\n\n"
            "```text\nsciatica demo\n```\n")
    page.write_text(text, encoding="utf-8")
    first, second, third = blocks(page)
    assert first.commands() == ["sciatica validate mine", "sed -i s/a/b/ x", "sciatica check mine"]
    assert expected_statuses(first) == [0, 1]
    assert second.commands() == ["sciatica check"] and second.runs
    assert third.lang == "text" and not third.runs
    assert parse_only("sciatica check --mutants --hypothesis-examples 0") is None
    unread = tmp_path / "unread.md"
    unread.write_text("```text\nsciatica demo\n```\n\n```py\nprint(1)\n```\n\n<!-- no-run: -->\n```sh\nsciatica demo\n```\n")
    assert [p.split(": ", 1)[1][:24] for p in run_page(unread, tmp_path)] == [
        "a sciatica command in a ", "a `py` block is never ru", "`no-run` must say why th"]
    assert "no such option" in parse_only("sciatica check --mutant").lower()
    assert "no such command" in parse_only("sciatica chek")
    assert "xlsx" in parse_only("sciatica simulate --format xlsx > out.txt")
