"""Sensitivity analysis: one simulated cohort per parameter set, over a grid or a random sample
of natural-history values, summarised as a table and small-multiple plots. This module reads the
sweep file into a plan (its `vary` in sweep_vary, its `report` in sweep_figures);
simulations.analyses.sweep_results runs it and writes what it found.

A sweep file (YAML, read as strictly as the parameter file: every problem as `file:line`, at once):

    question: How do routine MRI waits change time to MRI?   # optional, heads the outputs
    kind: grid                  # grid: every combination of the values | sample: random draws
    patients: 10000             # per parameter set (default 1000)
    weeks: 52                   # follow-up (default 52)
    seed: 1                     # the patients' seed: every set simulates the same patients
    samples: 50                 # sample only: how many parameter sets
    sample_seed: 7              # sample only: the seed of the parameter draws (default 1)
    vary:                       # single-number parameters, `section.name` as in parameters.yaml
      waits.routine_mri_median_weeks: [2, 3, 5]         # grid: the values to try
      red_flags.cauda_equina: {uniform: [0.0004, 0.0027]} # sample: a distribution to draw from
    report: [mri_per_1000, weeks_to_mri_median]         # summary figure keys (default: a handful)
    strategies:                 # optional: pathway versions, each run on every set (sweep_strategies)
      current: shipped          # the first is the reference
      my_version: my-pathway    # a pathway folder, relative to the sweep file
      mri_at_4_weeks:           # or a pathway with changes (sweep_changes), each found exactly once
        from: shipped
        change: [{file: conditions.yaml, replace: "... >= 6 and", with: "... >= 4 and"}]

Grid sets are the Cartesian product in file order (the first parameter changes slowest). A
sample's values are a pure function of (sample_seed, set number, parameter name), so adding sets
or parameters leaves the other draws as they were. Every set runs the same patients (the
patients' draws are keyed by `seed` alone: common random numbers), so differences between sets
come from the parameters, not from chance. With strategies, each set runs every strategy on those
same patients, and a sample is a probabilistic sensitivity analysis (sweep_psa: the cost-
effectiveness plane, the acceptability curve and the expected value of perfect information).
"""

from __future__ import annotations

from pathlib import Path

import attrs

from pathway.errors import PathwayError, Problem, in_file_order
from pathway.yamlsource import Node, read_document

from ..model.parameters import Parameters
from ..model.values import shown
from ..running.cohort import CohortSettings
from .sweep_figures import read_report
from .sweep_strategies import Strategy, read_strategies
from .sweep_vary import MAX_SETS, Varied, check_sets, grid_sets, read_vary, sample_sets
from .sweep_words import name_given

KINDS = ("grid", "sample")
TOP = ("kind", "vary", "question", "patients", "weeks", "seed", "samples", "sample_seed", "report", "strategies")
SAMPLE_ONLY = ("samples", "sample_seed")
MAX_PATIENTS = 1_000_000  # per set; larger cohorts are `sciatica simulate`'s job
MAX_SEED = 2**31 - 1
DEFAULTS = {"patients": 1000, "weeks": 52, "seed": 1, "sample_seed": 1}


class SweepError(PathwayError):
    """A sweep file that cannot be run: every problem, by `file:line`."""


@attrs.frozen
class Plan:
    """A checked sweep: the cohort each set runs, the parameters varied, the figures reported and
    the parameter sets, each one value per varied parameter."""

    source: str
    kind: str  # grid | sample
    settings: CohortSettings
    varied: tuple[Varied, ...]
    report: tuple[str, ...]
    sets: tuple[tuple[float, ...], ...]  # one value per varied parameter, in file order
    sample_seed: int | None = None
    question: str = ""
    strategies: tuple[Strategy, ...] = ()  # none: the one pathway given on the command line

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.varied)

    def values(self, number: int) -> dict[str, float]:
        """The varied values of set `number` (from 1)."""
        return dict(zip(self.names, self.sets[number - 1]))


def load_plan(path: str | Path, base: Parameters, patients: int | None = None, seed: int | None = None,
              weeks: int | None = None) -> Plan:
    """Read and check a sweep file against the base parameters; `patients`, `seed` and `weeks`
    (from the command line) replace the file's. Raise SweepError listing every problem."""
    problems: list[Problem] = []
    top = _top(Path(path), problems)
    top.keys(("kind", "vary"), TOP[2:])
    kind = _kind(top)
    overrides = {"patients": patients, "seed": seed, "weeks": weeks}
    number = {key: _whole(top, key, low, high, overrides.get(key))
              for key, low, high in (("patients", 1, MAX_PATIENTS), ("weeks", 1, 520), ("seed", 0, MAX_SEED))}
    samples, sample_seed = _sample_settings(top, kind)
    question = top.text("question") if top.has("question") else ""
    before = len(problems)
    varied = read_vary(top, kind)
    vary_ok = len(problems) == before and varied
    settings = None
    if None not in number.values():
        settings = CohortSettings(number["patients"], number["seed"], number["weeks"])
    report = read_report(top, number["weeks"], overrides["weeks"] is not None)
    strategies = read_strategies(top)
    sets = _sets(top, kind, varied, samples, sample_seed) if vary_ok else ()
    if sets:
        check_sets(top, varied, sets, base)
    if problems:
        raise SweepError(in_file_order(problems))
    return Plan(top.file, kind, settings, tuple(varied), report, sets, sample_seed if kind == "sample" else None,
                question or "", strategies)


def _top(path: Path, problems: list[Problem]) -> Node:
    """The sweep file's top-level mapping; SweepError when there is none."""
    doc = read_document(path, problems, "sweep", SweepError)
    top = Node(doc, str(path), problems, what="the sweep file")
    if not top.ok:
        raise SweepError(problems)
    return top


def _sets(top: Node, kind: str | None, varied: list[Varied], samples: int | None,
          sample_seed: int | None) -> tuple[tuple[float, ...], ...]:
    """The parameter sets: every combination of a grid's values, or a sample's draws."""
    if kind == "grid":
        return grid_sets(top, varied)
    if kind == "sample" and samples is not None and sample_seed is not None:
        return sample_sets(varied, samples, sample_seed)
    return ()


def _kind(top: Node) -> str | None:
    if not top.has("kind"):
        return None  # reported as missing by keys()
    value = top.raw("kind")
    if value not in KINDS:
        top.problem("kind", f"`kind` of the sweep file is {name_given(value)}; allowed: grid (every combination of "
                    "the listed values) or sample (values drawn at random from distributions)")
        return None
    return value


def _whole(top: Node, key: str, low: int, high: int, override: int | None) -> int | None:
    """A whole number from the command line (which wins) or the file, or None after a problem."""
    if override is not None:
        if isinstance(override, bool) or not isinstance(override, int) or not low <= override <= high:
            top.problems.append(Problem("", f"--{key} must be a whole number from {low:,} to {high:,}, not {override}"))
            return None
        return override
    if not top.has(key):
        return DEFAULTS[key]
    return top.integer(key, low, high)


def _sample_settings(top: Node, kind: str | None) -> tuple[int | None, int | None]:
    if kind == "grid":
        for key in SAMPLE_ONLY:
            if top.has(key):
                top.problem(key, f"`{key}` is {shown(top.raw(key))}, but `{key}` is for kind: sample only; a grid runs "
                            "every combination of the listed values (remove it, or use kind: sample)")
        return None, None
    if kind != "sample":
        return None, None
    if not top.has("samples"):
        top.problem(None, f"the sweep file is missing `samples`: kind: sample needs the number of parameter "
                    f"sets to draw, from 1 to {MAX_SETS:,}")
        samples = None
    else:
        samples = top.integer("samples", 1, MAX_SETS)
    sample_seed = top.integer("sample_seed", 0, MAX_SEED) if top.has("sample_seed") else DEFAULTS["sample_seed"]
    return samples, sample_seed


__all__ = ["Plan", "SweepError", "load_plan"]
