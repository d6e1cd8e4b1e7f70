"""The sweep file's `strategies`: two or more versions of the pathway that every parameter set
runs on the same patients (common random numbers), the first the reference the others are
compared with. Each is a pathway folder, as `sciatica compare` takes them, or a pathway with
changes (sweep_changes.py):

    strategies:
      current: shipped                          # the installed pathway
      my_version: my-pathway                    # a folder, relative to the sweep file
      mri_at_4_weeks:                           # the installed pathway, changed
        from: shipped
        change:
          - {file: conditions.yaml, replace: "conservative_care_weeks >= 6 and", with: "conservative_care_weeks >= 4 and"}

A name is a short identifier (it heads a column's values and a plot's legend); a folder that is
missing or does not load is reported at the strategy's line, with the pathway's own first problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from ruamel.yaml.comments import CommentedMap

from pathway.errors import PathwayError, Problem, where
from pathway.spec import PathwaySpec
from pathway.yamlsource import Node, key_line

from .sweep_changes import changed_pathway, read_changes
from .sweep_words import name_given, what_given

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_STRATEGIES = 10  # each runs every parameter set: the work grows with the count
SHIPPED = "shipped"


@attrs.frozen
class Strategy:
    name: str
    folder: str  # as written in the sweep file
    line: int | None
    spec: PathwaySpec = attrs.field(eq=False, repr=False)


def read_strategies(top: Node) -> tuple[Strategy, ...]:
    """The strategies `strategies` names, each with its loaded pathway; problems go to `top`."""
    if not top.has("strategies"):
        return ()
    entries = top.raw("strategies")
    if not isinstance(entries, CommentedMap) or not 2 <= len(entries) <= MAX_STRATEGIES:
        given = (f"{len(entries)} strateg{'y' if len(entries) == 1 else 'ies'}"
                 if isinstance(entries, CommentedMap) and entries else what_given(entries))
        top.problem("strategies", f"`strategies` of the sweep file must map 2 to {MAX_STRATEGIES} names to pathway "
                    f"folders (the first is the reference), e.g. {{current: shipped, mri_at_4_weeks: "
                    f"strategies/mri-at-4-weeks}}, not {given}")
        return ()
    base = Path(top.file).parent
    strategies = []
    for name, folder in entries.items():
        at = where(top.file, key_line(entries, str(name)))
        if isinstance(folder, CommentedMap):
            strategy = _changed(top, name, folder, base, key_line(entries, str(name)))
        else:
            strategy = _strategy(name, folder, base, at, key_line(entries, str(name)))
        if isinstance(strategy, str):
            top.problems.append(Problem(at, strategy))
        elif strategy is not None:
            strategies.append(strategy)
    return tuple(strategies) if len(strategies) == len(entries) else ()


def _strategy(name, folder, base: Path, at: str, line: int | None) -> Strategy | str:
    """One strategy with its pathway loaded, or what is wrong with it."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return (f"strategy name {name_given(name)} in `strategies`: allowed, a lower-case letter then up to 39 "
                "lower-case letters, digits or underscores, e.g. mri_at_4_weeks")
    if not isinstance(folder, str) or not folder.strip():
        return (f"strategy `{name}` is {what_given(folder)}; a strategy is a pathway folder (relative to the sweep "
                f"file) or `{SHIPPED}` for the installed pathway")
    path = _folder(folder, base)
    if not path.is_dir() and not (path.name == "pathway.yaml" and path.is_file()):
        return (f"strategy `{name}`: no pathway folder at {folder} (looked for {path}); a strategy is a pathway "
                f"folder, relative to the sweep file, or `{SHIPPED}`")
    from pathway.loader import load_pathway

    try:
        spec = load_pathway(path)
    except PathwayError as err:
        first, count = err.problems[0] if err.problems else "", len(err.problems)
        more = f" (and {count - 1} more: `sciatica validate {path}` lists them)" if count > 1 else ""
        return f"strategy `{name}`: the pathway at {folder} is not valid: {first}{more}"
    return Strategy(name, folder, line, spec)


def _changed(top: Node, name, value: CommentedMap, base: Path, line: int | None) -> Strategy | str | None:
    """A strategy written as changes to a pathway; None when its problems are on `top` already."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return _strategy(name, "", base, "", line)  # the name's problem
    node = Node(value, top.file, top.problems, line, what=f"strategy `{name}`")
    if not node.keys(("from", "change")):
        return None
    source = node.raw("from")
    path = _folder(source, base) if isinstance(source, str) and source.strip() else None
    if path is None or not path.is_dir():
        node.problem("from", f"`from` of strategy `{name}` is {what_given(source)}: the pathway the changes are made "
                             f"to, a folder relative to the sweep file or `{SHIPPED}`")
        return None
    changes = read_changes(node, name)
    if changes is None:
        return None
    try:
        spec = changed_pathway(path, changes, name, top.problems)
    except PathwayError as err:
        return f"strategy `{name}`: {err.problems[0]}"
    return None if spec is None else Strategy(name, f"{source}, changed", line, spec)


def _folder(folder: str, base: Path) -> Path:
    if folder == SHIPPED:
        from pathway.shipped import shipped_pathway

        return shipped_pathway()
    path = Path(folder).expanduser()
    return path if path.is_absolute() else base / path
