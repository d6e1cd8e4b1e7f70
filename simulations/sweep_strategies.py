"""The sweep file's `strategies`: two or more versions of the pathway that every parameter set
runs on the same patients (common random numbers), the first the reference the others are
compared with. Each is a pathway folder, as `sciatica compare` takes them:

    strategies:
      current: shipped                          # the installed pathway
      mri_at_4_weeks: strategies/mri-at-4-weeks # a folder, relative to the sweep file

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
        strategy = _strategy(name, folder, base, at, key_line(entries, str(name)))
        if isinstance(strategy, str):
            top.problems.append(Problem(at, strategy))
        else:
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


def _folder(folder: str, base: Path) -> Path:
    if folder == SHIPPED:
        from pathway.shipped import shipped_pathway

        return shipped_pathway()
    path = Path(folder).expanduser()
    return path if path.is_absolute() else base / path
