"""The sweep file's `vary`: the parameters varied, each with its values (a grid) or its
distribution (a sample), the parameter sets they make, and the check that every set can be
simulated."""

from __future__ import annotations

import itertools
import math

import attrs
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pathway.errors import Problem, where
from pathway.yamlsource import Node, item_line, key_line

from ..model.parameters import NUMBER_PARAMETERS, Parameters, value_problem
from ..model.schema import CONSTRAINTS, RANGES, SCHEMA, Kind
from .sweep_distributions import DISTRIBUTIONS_SAID, Distribution, read_distribution, sample_uniform
from .sweep_words import number_text, what_given

MAX_SETS = 1000  # parameter sets per sweep: each is a whole cohort


@attrs.frozen
class Varied:
    """One parameter the sweep varies: its values (a grid) or its distribution (a sample)."""

    name: str  # `section.name`
    kind: Kind
    line: int | None
    values: tuple[float, ...] = ()  # grid
    distribution: Distribution | None = None  # sample

    def text(self) -> str:
        return self.distribution.text() if self.distribution else ", ".join(number_text(v) for v in self.values)


def read_vary(top: Node, kind: str | None) -> list[Varied]:
    """The parameters `vary` names, each with its values or distribution; problems go to `top`."""
    if not top.has("vary"):
        return []  # reported as missing by keys()
    entries = top.raw("vary")
    form = {"grid": "a list of values to try, e.g. [2, 3, 5]",
            "sample": f"a distribution to draw from: {DISTRIBUTIONS_SAID}"}.get(kind, "values to try")
    if not isinstance(entries, CommentedMap) or not entries:
        top.problem("vary", f"`vary` of the sweep file must map parameter names (`section.name`, e.g. "
                    f"`waits.routine_mri_median_weeks`) to {form}, not {what_given(entries)}")
        return []
    varied = []
    for name, value in entries.items():
        name = str(name)
        line = key_line(entries, name)
        at = where(top.file, line)
        if name not in NUMBER_PARAMETERS:
            top.problems.append(Problem(at, f"in `vary`: {value_problem(name, 0.0)}"))
            continue
        section, _, short = name.partition(".")
        param_kind = SCHEMA[section][short][0]
        if kind == "grid":
            values = _grid_values(top, name, value, line)
            if values is not None:
                varied.append(Varied(name, param_kind, line, values=values))
        elif kind == "sample":
            distribution = read_distribution(name, param_kind, value)
            if isinstance(distribution, list):
                top.problems.extend(Problem(at, message) for message in distribution)
            else:
                varied.append(Varied(name, param_kind, line, distribution=distribution))
    return varied


def _grid_values(top: Node, name: str, value, line: int | None) -> tuple[float, ...] | None:
    at = where(top.file, line)
    if not isinstance(value, CommentedSeq) or not value:
        extra = "; a distribution such as {uniform: [low, high]} is for kind: sample" \
            if isinstance(value, CommentedMap) else ""
        top.problems.append(Problem(at, f"in `vary`, `{name}` is {what_given(value)}; a grid takes a list of values to "
                                        f"try, e.g. [2, 3, 5]{extra}"))
        return None
    values, fine = [], True
    for i, item in enumerate(value):
        item_at = where(top.file, item_line(value, i) or line)
        message = value_problem(name, item)
        if message is not None:
            top.problems.append(Problem(item_at, f"in `vary`, {message}"))
            fine = False
        elif float(item) in values:
            top.problems.append(Problem(item_at, f"in `vary`, `{name}` lists {number_text(float(item))} twice; "
                                                 "each value is tried once"))
            fine = False
        else:
            values.append(float(item))
    return tuple(values) if fine else None


def grid_sets(top: Node, varied: list[Varied]) -> tuple[tuple[float, ...], ...]:
    """Every combination of the listed values, in file order (the first parameter changes slowest)."""
    sizes = [len(v.values) for v in varied]
    total = math.prod(sizes)
    if total > MAX_SETS:
        top.problem("vary", f"`vary` makes a grid of {' x '.join(map(str, sizes))} = {total:,} parameter sets; at most "
                    f"{MAX_SETS:,} are allowed (each is a whole cohort): try fewer values, or kind: sample")
        return ()
    return tuple(itertools.product(*(v.values for v in varied)))


def sample_sets(varied: list[Varied], samples: int, sample_seed: int) -> tuple[tuple[float, ...], ...]:
    """`samples` sets of values, each drawn from the parameters' distributions."""
    return tuple(tuple(v.distribution.draw(sample_uniform(sample_seed, n, v.name)) for v in varied)
                 for n in range(1, samples + 1))


def check_sets(top: Node, varied: list[Varied], sets, base: Parameters) -> None:
    """Each set's values must make a natural history the simulator can run."""
    line = {v.name: v.line for v in varied}
    ranges = [((v.name,), RANGES[v.kind].allows, f"`{v.name}` must be {RANGES[v.kind].said}") for v in varied]
    for names, holds, allowed in (*ranges, *CONSTRAINTS):  # a draw from a distribution may leave the range
        if not any(n in line for n in names):
            continue
        failing = []
        for number, values in enumerate(sets, 1):
            given = dict(zip(line, values))
            both = [given.get(n, base.value(n)) for n in names]
            if not holds(*both):
                failing.append((number, both))
        if failing:
            number, values = failing[0]
            said = " with ".join(f"`{n}` {number_text(v)}" + ("" if n in line else " (base)")
                                 for n, v in zip(names, values))
            count = (f"set {number} has" if len(failing) == 1
                     else f"{len(failing)} of {len(sets)} parameter sets have such values (the first, set {number}, has")
            close = ")" if len(failing) > 1 else ""
            at = where(top.file, next(line[n] for n in names if n in line))
            top.problems.append(Problem(at, f"in `vary`, {count} {said}{close}, which cannot be simulated: {allowed}"))
