"""Sensitivity analysis: one simulated cohort per parameter set, over a grid or a random sample
of natural-history values, summarised as a table and small-multiple plots. This module reads the
sweep file into a plan; simulations.sweep_results runs it and writes what it found.

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

Grid sets are the Cartesian product in file order (the first parameter changes slowest). A
sample's values are a pure function of (sample_seed, set number, parameter name), so adding sets
or parameters leaves the other draws as they were. Every set runs the same patients (the
patients' draws are keyed by `seed` alone: common random numbers), so differences between sets
come from the parameters, not from chance.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import math
import re
from pathlib import Path
from statistics import NormalDist

import attrs
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pathway.errors import PathwayError, Problem, in_file_order, where
from pathway.inputs import missing_file
from pathway.yamlsource import Node, item_line, key_line, read_yaml

from .cohort import CohortSettings
from .parameters import NUMBER_PARAMETERS, Parameters, value_problem
from .schema import CONSTRAINTS, RANGES, SCHEMA, Kind
from .values import is_number, shown

KINDS = ("grid", "sample")
TOP = ("kind", "vary", "question", "patients", "weeks", "seed", "samples", "sample_seed", "report")
SAMPLE_ONLY = ("samples", "sample_seed")
MAX_SETS = 1000  # parameter sets per sweep: each is a whole cohort
MAX_PATIENTS = 1_000_000  # per set; larger cohorts are `sciatica simulate`'s job
MAX_SEED = 2**31 - 1
DEFAULTS = {"patients": 1000, "weeks": 52, "seed": 1, "sample_seed": 1}
Z975 = NormalDist().inv_cdf(0.975)

# The summary figures a sweep can report: key -> (short label for a panel, unit). The keys are
# those of `summarise(result).value(key)`; tests/test_sweep.py checks the two lists agree.
FIGURES: dict[str, tuple[str, str]] = {
    "xray_per_1000": ("X-rays ordered", "per 1,000"),
    "mri_per_1000": ("MRIs without contrast ordered", "per 1,000"),
    "mri_with_contrast_per_1000": ("MRIs with contrast ordered", "per 1,000"),
    "ct_per_1000": ("CTs without contrast ordered", "per 1,000"),
    "ct_with_contrast_per_1000": ("CTs with contrast ordered", "per 1,000"),
    "ct_myelography_per_1000": ("CT myelograms ordered", "per 1,000"),
    "imaging_orders_per_1000": ("imaging orders", "per 1,000"),
    "imaging_without_indication_per_1000": ("imaging without an indication", "per 1,000"),
    "imaging_without_indication_share": ("share of imaging without an indication", "%"),
    "patients_with_mri": ("patients who had an MRI", "patients"),
    "weeks_to_mri_median": ("onset to first MRI, median", "weeks"),
    "weeks_to_mri_p95": ("onset to first MRI, 95th centile", "weeks"),
    "mri_incidental_share": ("MRIs with an incidental finding", "%"),
    "emergency_mri_late": ("emergency MRIs later than target", "scans"),
    "patients_with_red_flag": ("patients who developed a red flag", "patients"),
    "escalation_delay_median": ("red flag to urgent care, median", "weeks"),
    "escalation_delay_p95": ("red flag to urgent care, 95th centile", "weeks"),
    "escalation_delay_max": ("red flag to urgent care, longest", "weeks"),
    "red_flags_never_escalated": ("red flags seen, never escalated", "patients"),
    "red_flags_not_seen": ("red flags not seen by end of follow-up", "patients"),
    "red_flags_missed": ("red flags missed by the screen", "patients"),
    "red_flags_worsened": ("red flags worsened before escalation", "patients"),
    "urgent_work_ups_per_1000": ("urgent and emergency work-ups", "per 1,000"),
    "work_ups_confirmed_share": ("work-ups that confirmed the red flag", "%"),
    "epidurals_per_1000": ("epidural injections", "per 1,000"),
    "surgical_referrals_per_1000": ("surgical referrals", "per 1,000"),
    "surgery_per_1000": ("operations", "per 1,000"),
    "rerouted_per_1000": ("re-routed to another diagnosis", "per 1,000"),
    "returns_per_1000": ("returns after discharge", "per 1,000"),
    "new_episodes_per_1000": ("new episodes after a handover", "per 1,000"),
    "fell_through": ("patients with no transition", "patients"),
    "weeks_in_pathway_mean": ("weeks in the pathway, mean", "weeks"),
    "weeks_in_pathway_p95": ("weeks in the pathway, 95th centile", "weeks"),
    "visits_per_patient": ("visits per patient", "visits"),
}
IMPROVED = re.compile(r"improved_week_(\d+)")  # one figure per recovery week within follow-up
ALL_RECOVERY_WEEKS = CohortSettings(1, 0, 520).recovery_weeks
DEFAULT_REPORT = ("mri_per_1000", "weeks_to_mri_median", "escalation_delay_p95", "surgical_referrals_per_1000",
                  "improved_week_52")


def figure_keys(settings: CohortSettings) -> tuple[str, ...]:
    """Every figure key a sweep with these settings can report."""
    return (*FIGURES, *(f"improved_week_{w}" for w in settings.recovery_weeks))


def figure_label(key: str) -> tuple[str, str]:
    """(label, unit) of a figure key."""
    if key in FIGURES:
        return FIGURES[key]
    return f"improved at week {IMPROVED.fullmatch(key).group(1)}", "%"


# -- distributions for a sample ------------------------------------------------------------------

@attrs.frozen
class Distribution:
    """How a sample draws one parameter: `draw(u)` turns a uniform (0, 1) number into a value."""

    name: str
    args: tuple[float, ...]

    def draw(self, u: float) -> float:
        if self.name == "uniform":
            low, high = self.args
            return low + (high - low) * u
        if self.name == "triangular":  # the inverse of the triangular CDF
            low, mode, high = self.args
            if u < (mode - low) / (high - low):
                return low + math.sqrt(u * (high - low) * (mode - low))
            return high - math.sqrt((1 - u) * (high - low) * (high - mode))
        if self.name == "beta":
            from scipy.special import betaincinv

            return float(betaincinv(self.args[0], self.args[1], u))
        low, high = self.args  # lognormal through its 2.5th and 97.5th centiles
        mu, sigma = (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * Z975)
        return math.exp(mu + sigma * NormalDist().inv_cdf(u))

    def text(self) -> str:
        if self.name == "beta":
            a, b = self.args
            return f"beta({_g(a)}, {_g(b)}), mean {_g(a / (a + b))}"
        if self.name == "lognormal":
            return f"lognormal, 95% between {_g(self.args[0])} and {_g(self.args[1])}"
        if self.name == "triangular":
            return f"triangular from {_g(self.args[0])} to {_g(self.args[2])}, most likely {_g(self.args[1])}"
        return f"uniform from {_g(self.args[0])} to {_g(self.args[1])}"


DISTRIBUTIONS = {  # name -> (arguments, what they are)
    "uniform": (2, "[low, high]"),
    "triangular": (3, "[low, most likely, high]"),
    "beta": (2, "[a, b], a probability with mean a / (a + b)"),
    "lognormal": (2, "[low, high], the 2.5th and 97.5th centiles of a value above 0"),
}
DISTRIBUTIONS_SAID = ", ".join(f"{{{name}: {args}}}" for name, (_, args) in DISTRIBUTIONS.items())


def sample_uniform(sample_seed: int, number: int, name: str) -> float:
    """A uniform (0, 1) number that depends only on the sample seed, the set and the parameter."""
    digest = hashlib.sha256(f"sciatica-sweep:{sample_seed}:{number}:{name}".encode()).digest()
    return ((int.from_bytes(digest[:8], "big") >> 11) + 0.5) * 2.0**-53


# -- the plan ------------------------------------------------------------------------------------

class SweepError(PathwayError):
    """A sweep file that cannot be run: every problem, by `file:line`."""


@attrs.frozen
class Varied:
    name: str  # `section.name`
    kind: Kind
    line: int | None
    values: tuple[float, ...] = ()  # grid
    distribution: Distribution | None = None  # sample

    def text(self) -> str:
        return self.distribution.text() if self.distribution else ", ".join(_g(v) for v in self.values)


@attrs.frozen
class Plan:
    source: str
    kind: str  # grid | sample
    settings: CohortSettings
    varied: tuple[Varied, ...]
    report: tuple[str, ...]
    sets: tuple[tuple[float, ...], ...]  # one value per varied parameter, in file order
    sample_seed: int | None = None
    question: str = ""

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
    path = Path(path)
    file = str(path)
    problems: list[Problem] = []
    missing = missing_file(path, "sweep file")
    if missing is not None:
        raise SweepError([missing], missing=True)
    doc = read_yaml(path, problems, kind="sweep")
    if doc is None:
        raise SweepError(problems or [Problem(file, "file is empty")])
    top = Node(doc, file, problems, what="the sweep file")
    if not top.ok:
        raise SweepError(problems)
    top.keys(("kind", "vary"), TOP[2:])
    kind = _kind(top)
    overrides = {"patients": patients, "seed": seed, "weeks": weeks}
    number = {key: _whole(top, key, low, high, overrides.get(key))
              for key, low, high in (("patients", 1, MAX_PATIENTS), ("weeks", 1, 520), ("seed", 0, MAX_SEED))}
    samples, sample_seed = _sample_settings(top, kind)
    question = top.text("question") if top.has("question") else ""
    before = len(problems)
    varied = _vary(top, kind)
    vary_ok = len(problems) == before and varied
    settings = None
    if None not in number.values():
        settings = CohortSettings(number["patients"], number["seed"], number["weeks"])
    report = _report(top, number["weeks"], overrides["weeks"] is not None)
    sets: tuple = ()
    if vary_ok and kind == "grid":
        sets = _grid(top, varied)
    elif vary_ok and kind == "sample" and samples is not None and sample_seed is not None:
        sets = tuple(tuple(v.distribution.draw(sample_uniform(sample_seed, n, v.name)) for v in varied)
                     for n in range(1, samples + 1))
    if sets:
        _consistent(top, varied, sets, base)
    if problems:
        raise SweepError(in_file_order(problems))
    return Plan(file, kind, settings, tuple(varied), report, sets, sample_seed if kind == "sample" else None,
                question or "")


def _kind(top: Node) -> str | None:
    if not top.has("kind"):
        return None  # reported as missing by keys()
    value = top.raw("kind")
    if value not in KINDS:
        top.problem("kind", f"`kind` of the sweep file is {_word(value)}; allowed: grid (every combination of "
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


def _vary(top: Node, kind: str | None) -> list[Varied]:
    if not top.has("vary"):
        return []  # reported as missing by keys()
    entries = top.raw("vary")
    form = {"grid": "a list of values to try, e.g. [2, 3, 5]",
            "sample": f"a distribution to draw from: {DISTRIBUTIONS_SAID}"}.get(kind, "values to try")
    if not isinstance(entries, CommentedMap) or not entries:
        top.problem("vary", f"`vary` of the sweep file must map parameter names (`section.name`, e.g. "
                    f"`waits.routine_mri_median_weeks`) to {form}, not {_what(entries)}")
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
            distribution = _distribution(top, name, param_kind, value, line)
            if distribution is not None:
                varied.append(Varied(name, param_kind, line, distribution=distribution))
    return varied


def _grid_values(top: Node, name: str, value, line: int | None) -> tuple[float, ...] | None:
    at = where(top.file, line)
    if not isinstance(value, CommentedSeq) or not value:
        extra = "; a distribution such as {uniform: [low, high]} is for kind: sample" \
            if isinstance(value, CommentedMap) else ""
        top.problems.append(Problem(at, f"in `vary`, `{name}` is {_what(value)}; a grid takes a list of values to "
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
            top.problems.append(Problem(item_at, f"in `vary`, `{name}` lists {_g(float(item))} twice; "
                                                 "each value is tried once"))
            fine = False
        else:
            values.append(float(item))
    return tuple(values) if fine else None


def _distribution(top: Node, name: str, kind: Kind, value, line: int | None) -> Distribution | None:
    at = where(top.file, line)

    def problem(message: str) -> None:
        top.problems.append(Problem(at, f"in `vary`, `{name}` {message}"))

    if not isinstance(value, CommentedMap) or len(value) != 1:
        extra = "; a list of values is for kind: grid" if isinstance(value, CommentedSeq) else ""
        problem(f"is {_what(value)}; a sample takes one distribution to draw from: {DISTRIBUTIONS_SAID}{extra}")
        return None
    (dist, args), = value.items()
    if dist not in DISTRIBUTIONS:
        close = difflib.get_close_matches(str(dist), list(DISTRIBUTIONS), n=1)
        problem(f"has unknown distribution {_word(dist)}" + (f"; did you mean `{close[0]}`?" if close else "")
                + f"; allowed: {DISTRIBUTIONS_SAID}")
        return None
    count, said = DISTRIBUTIONS[dist]
    if not isinstance(args, CommentedSeq) or len(args) != count or not all(is_number(a) for a in args):
        problem(f"has {dist} {_shown_list(args)}; {dist} takes {count} numbers: {said}")
        return None
    args = tuple(float(a) for a in args)
    if dist == "beta":
        if kind is not Kind.PROBABILITY:
            problem(f"is {kind.value}, not a probability, so it cannot be drawn from beta (values from 0 to 1); "
                    "allowed: uniform, triangular or lognormal")
        elif min(args) <= 0:
            problem(f"has beta {_shown_list(args)}; a and b must both be more than 0")
        else:
            return Distribution(dist, args)
        return None
    if dist == "lognormal":
        if kind is Kind.PROBABILITY:
            problem("is a probability, which a lognormal can push above 1; allowed for a probability: "
                    "uniform, triangular or beta")
        elif not 0 < args[0] < args[1]:
            problem(f"has lognormal {_shown_list(args)}; the 2.5th and 97.5th centiles must be above 0, low below high")
        else:
            return Distribution(dist, args)
        return None
    messages = [m for m in (value_problem(name, a) for a in args) if m is not None]
    for message in dict.fromkeys(messages):
        top.problems.append(Problem(at, f"in `vary`, {dist} {_shown_list(args)}: {message}"))
    if messages:
        return None
    if not args[0] < args[-1]:
        problem(f"has {dist} {_shown_list(args)}; low must be below high")
    elif dist == "triangular" and not args[0] <= args[1] <= args[2]:
        problem(f"has triangular {_shown_list(args)}; the most likely value must lie from low to high")
    else:
        return Distribution(dist, args)
    return None


def _grid(top: Node, varied: list[Varied]) -> tuple[tuple[float, ...], ...]:
    sizes = [len(v.values) for v in varied]
    total = math.prod(sizes)
    if total > MAX_SETS:
        top.problem("vary", f"`vary` makes a grid of {' x '.join(map(str, sizes))} = {total:,} parameter sets; at most "
                    f"{MAX_SETS:,} are allowed (each is a whole cohort): try fewer values, or kind: sample")
        return ()
    return tuple(itertools.product(*(v.values for v in varied)))


def _report(top: Node, weeks: int | None, weeks_from_cli: bool) -> tuple[str, ...]:
    recovery = tuple(w for w in ALL_RECOVERY_WEEKS if weeks is None or w <= weeks)
    known = (*FIGURES, *(f"improved_week_{w}" for w in recovery))
    if not top.has("report"):
        default = [k for k in DEFAULT_REPORT if k in known]
        if "improved_week_52" not in known and recovery:
            default.append(f"improved_week_{recovery[-1]}")
        return tuple(default)
    entries = top.raw("report")
    if not isinstance(entries, CommentedSeq) or not entries:
        top.problem("report", f"`report` of the sweep file must be a list of figure keys, e.g. [mri_per_1000, "
                    f"weeks_to_mri_median], not {_what(entries)}; known: {', '.join(known)}")
        return ()
    report = []
    for i, key in enumerate(entries):
        at = where(top.file, item_line(entries, i) or top.line("report"))
        match = IMPROVED.fullmatch(str(key))
        if key in known and key in report:
            top.problems.append(Problem(at, f"`report` lists `{key}` twice"))
        elif key in known:
            report.append(key)
        elif match and int(match.group(1)) in ALL_RECOVERY_WEEKS:  # known, but after follow-up ends
            source = "--weeks" if weeks_from_cli else "`weeks`"
            top.problems.append(Problem(at, f"`report` asks for `{key}`, which needs at least {match.group(1)} weeks of "
                                            f"follow-up; {source} is {weeks}"))
        else:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"known: {', '.join(known)}"
            top.problems.append(Problem(at, f"unknown figure {_word(key)} in `report`; {hint}"))
    return tuple(report)


def _consistent(top: Node, varied: list[Varied], sets, base: Parameters) -> None:
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
            said = " with ".join(f"`{n}` {_g(v)}" + ("" if n in line else " (base)") for n, v in zip(names, values))
            count = (f"set {number} has" if len(failing) == 1
                     else f"{len(failing)} of {len(sets)} parameter sets have such values (the first, set {number}, has")
            close = ")" if len(failing) > 1 else ""
            at = where(top.file, next(line[n] for n in names if n in line))
            top.problems.append(Problem(at, f"in `vary`, {count} {said}{close}, which cannot be simulated: {allowed}"))


# -- running -------------------------------------------------------------------------------------


def _g(value: float, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


def _what(value) -> str:
    """What was given, saying so when a list or mapping is empty."""
    if isinstance(value, (list, dict)) and not value:
        return f"an empty {'list' if isinstance(value, list) else 'mapping'}"
    return shown(value)


def _word(value) -> str:
    """A name as written, or what was there instead."""
    return f"`{value}`" if isinstance(value, str) else shown(value)


def _shown_list(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_g(v) if is_number(v) else str(v) for v in value) + "]"
    return shown(value)


__all__ = ["FIGURES", "MAX_SETS", "Plan", "SweepError", "figure_keys", "figure_label", "load_plan"]
