"""Calibrate the untreated natural history against the published shares improved by week.

The targets (parameters.yaml `calibration`) are shares improved at weeks 2, 4, 12 and 52 in
watchful-waiting and placebo groups, so they are compared with the course WITHOUT treatment:
no surgery, no epidural relief.

Untreated, a patient's course depends only on the four `recovery` parameters, and is exactly a
three-state Markov chain (see `expected_improved`), so the share improved can be computed
without sampling. The fit works on that exact chain; `simulated_improved` runs the real
per-patient model (history.py) to check that the two agree.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path

import attrs
import numpy as np
from ruamel.yaml import YAML
from scipy.optimize import least_squares

from diagrams.render import write_atomic

from ..model.history import IMPROVEMENT_WEEK_RELAPSE_STARTS, NaturalHistory
from ..model.parameters import Parameters

FAST_FRACTION = "recovery.fast_fraction"
FAST_RATE = "recovery.fast_weekly_rate"
SLOW_RATE = "recovery.slow_weekly_rate"
RELAPSE_RATE = "recovery.relapse_weekly_rate"
RECOVERY = (FAST_FRACTION, FAST_RATE, SLOW_RATE, RELAPSE_RATE)


def recovery_values(params: Parameters) -> dict[str, float]:
    """The four values the untreated course depends on, by name."""
    return {name: float(params.value(name)) for name in RECOVERY}


def expected_improved(source: Parameters | Mapping[str, float], weeks: int) -> np.ndarray:
    """The exact expected share improved at each week 0..`weeks` of the untreated course.

    `source` is a Parameters, or a mapping giving the four `recovery.*` values by name.

    Three states are enough, because the rules of history.py make every improved patient
    alike and every patient who must improve at the slow rate alike:
      fast  - in the fast group, never relapsed, not improved: improves at the fast rate;
      slow  - not improved and either in the slow group or relapsed: improves at the slow rate
              (a relapsed fast patient improves at the slow rate, as history.py has it);
      well  - improved: from week 13 on, relapses into `slow` at the relapse rate.
    A patient who improves in week t cannot also relapse in week t (history.py checks one or the
    other), so each week is one step of the chain from the previous week's shares.
    """
    v = recovery_values(source) if isinstance(source, Parameters) else {n: float(source[n]) for n in RECOVERY}
    p_fast, p_slow, p_relapse = (1 - math.exp(-v[n]) for n in (FAST_RATE, SLOW_RATE, RELAPSE_RATE))
    fast, slow, well = v[FAST_FRACTION], 1 - v[FAST_FRACTION], 0.0
    shares = np.zeros(weeks + 1)
    for t in range(1, weeks + 1):
        relapses = well * p_relapse if t > IMPROVEMENT_WEEK_RELAPSE_STARTS else 0.0
        fast, slow, well = (fast * (1 - p_fast),
                            slow * (1 - p_slow) + relapses,
                            well - relapses + fast * p_fast + slow * p_slow)
        shares[t] = well
    return shares


BLOCK = 100_000  # patients advanced together by `simulated_improved`


def simulated_improved(params: Parameters, patients: int, seed: int, weeks: int) -> np.ndarray:
    """The Monte Carlo share improved at each week 0..`weeks`, from the model untreated: the
    compiled engine's block of patients, the same people week by week as the reference engine's
    (their differential test says so), a block of BLOCK at a time."""
    model = NaturalHistory(params)
    counts = np.zeros(weeks + 1)
    for first in range(0, patients, BLOCK):
        block = untreated_history(model, seed, min(first + BLOCK, patients), weeks, first)
        counts[0] += np.count_nonzero(block.improved)
        for week in range(1, weeks + 1):
            block.advance(week)
            counts[week] += np.count_nonzero(block.improved)
    return counts / patients


def untreated_history(model: NaturalHistory, seed: int, last: int, weeks: int, first: int = 0):
    """Patients first .. last - 1 of the untreated course, as the compiled engine draws them."""
    from ..engines.compiled.history import CohortHistory

    # The words of the findings drawn at presentation (the untreated course records none later).
    words = {"pain_distribution": tuple(dict.fromkeys([*model.pain, "back_dominant"])),
             "weakness": tuple(dict.fromkeys([*model.weakness, "none"]))}
    return CohortHistory(model, seed, first, last, weeks, words)


@attrs.frozen
class FitResult:
    values: dict[str, float]      # fitted value of each free parameter
    start: dict[str, float]       # its value in the parameter file
    bounds: dict[str, tuple[float, float]]
    residuals: np.ndarray         # (exact - target) / tolerance, in target order, at the fit
    start_cost: float             # half the sum of squared residuals at the start
    cost: float                   # ... and at the fit
    within_tolerance: bool        # every target met by the exact chain at the fitted values
    message: str                  # what the optimiser said


def _residuals(params: Parameters, values: Mapping[str, float]) -> np.ndarray:
    targets = params.calibration
    shares = expected_improved(values, max(t.week for t in targets))
    return np.array([(shares[t.week] - t.value) / t.tolerance for t in targets])


def fit(params: Parameters) -> FitResult:
    """Fit the free recovery parameters to the calibration targets.

    How: bounded weighted least squares on the exact chain (`expected_improved`). Residual i is
    (exact share improved at target i's week - target value) / target tolerance, so a residual
    within +-1 means the target is met; the fit minimises half the sum of their squares with
    scipy.optimize.least_squares (trust-region reflective, 3-point finite-difference Jacobian,
    each parameter scaled by its bound width), starting from the file's values and kept inside
    each `free` parameter's [low, high]. Only free parameters the untreated course depends on
    (the four `recovery.*` values) with low < high are fitted; everything else is as in the
    file. No random numbers are involved, so the result is deterministic.
    """
    current = recovery_values(params)
    free = [b for b in params.free if b.name in RECOVERY and b.low < b.high]
    names = [b.name for b in free]
    low, high = np.array([b.low for b in free]), np.array([b.high for b in free])

    def residuals(x: np.ndarray) -> np.ndarray:
        return _residuals(params, {**current, **dict(zip(names, x))})

    x0 = np.array([current[n] for n in names])
    start = residuals(x0)
    result = least_squares(residuals, x0, bounds=(low, high), method="trf", jac="3-point",
                           x_scale=high - low, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    x = np.clip(result.x, low, high)
    final = residuals(x)
    return FitResult(
        values={n: float(v) for n, v in zip(names, x)},
        start={n: current[n] for n in names},
        bounds={b.name: (b.low, b.high) for b in free},
        residuals=final,
        start_cost=float(0.5 * start @ start),
        cost=float(0.5 * final @ final),
        within_tolerance=bool(np.all(np.abs(final) <= 1.0)),
        message=str(result.message),
    )


@attrs.frozen
class Row:
    name: str
    week: int
    target: float
    tolerance: float
    citations: tuple[str, ...]
    exact: float        # the chain's share improved
    simulated: float    # the per-patient model's share improved
    passed: bool        # |simulated - target| <= tolerance


def calibration_table(params: Parameters, patients: int = 10_000, seed: int = 0, weeks: int = 52) -> list[Row]:
    """One row per calibration target, comparing it with the exact chain and a simulated cohort."""
    weeks = max(weeks, *(t.week for t in params.calibration))
    exact = expected_improved(params, weeks)
    simulated = simulated_improved(params, patients, seed, weeks)
    return [Row(t.name, t.week, t.value, t.tolerance, t.citations, float(exact[t.week]),
                float(simulated[t.week]), abs(simulated[t.week] - t.value) <= t.tolerance)
            for t in params.calibration]


def table_text(rows: list[Row], fit_result: FitResult | None = None) -> str:
    """A plain aligned table for the terminal; with a fit, the fitted values and advice after it."""
    pct = lambda x: f"{100 * x:.1f}%"
    lines = aligned(
        ("target", "week", "value", "tolerance", "exact", "simulated", "result", "citation"),
        [(r.name, str(r.week), pct(r.target), f"±{pct(r.tolerance)}", pct(r.exact), pct(r.simulated),
          "pass" if r.passed else "FAIL", ", ".join(r.citations)) for r in rows],
        right={1, 2, 3, 4, 5},
    )
    if fit_result is not None:
        f = fit_result
        lines += ["", *aligned(
            ("free parameter", "current", "fitted", "low", "high", "fitted, in words"),
            [(n, f"{f.start[n]:.4g}", f"{v:.4g}", f"{f.bounds[n][0]:g}", f"{f.bounds[n][1]:g}", _in_words(n, v))
             for n, v in f.values.items()],
            right={1, 2, 3, 4},
        )]
        lines.append(f"cost (half sum of squared residuals in tolerances): {f.start_cost:.4g} -> {f.cost:.4g}")
        lines.append(_advice(rows, f))
    return "\n".join(lines) + "\n"


def _in_words(name: str, value: float) -> str:
    """A weekly rate is a hazard (it may pass 1); say what it means as a chance each week."""
    if name.endswith("_weekly_rate"):
        return f"a hazard: a {100 * (1 - math.exp(-value)):.0f}% chance each week"
    return f"{100 * value:.1f}%" if name.endswith(("_fraction", "_share")) else ""


def aligned(header: tuple[str, ...], body: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    cell = lambda i, s: s.rjust(widths[i]) if i in right else s.ljust(widths[i])
    return ["  ".join(cell(i, s) for i, s in enumerate(row)).rstrip() for row in (header, *body)]


def _advice(rows: list[Row], f: FitResult) -> str:
    if all(r.passed for r in rows):
        return "parameters.yaml: no update needed; the current values meet every target."
    if f.within_tolerance:
        return "parameters.yaml: update the free parameters to the fitted values; they meet every target."
    return ("parameters.yaml: the fit cannot meet every target inside the bounds; "
            "review the targets or the bounds before updating.")


def write_fitted(params_path: str | Path, fitted_values: Mapping[str, float], out_path: str | Path) -> None:
    """Write a copy of the parameter file with only the `value:` of each fitted parameter changed.

    Round-trip YAML keeps the comments, notes and layout; the file is written to a temporary file
    beside `out_path` and moved into place, so a reader never sees half a file.
    """
    yaml = YAML(typ="rt")  # round-trip: safe (no Python objects built), and keeps comments
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the long notes
    doc = yaml.load(Path(params_path).read_text(encoding="utf-8"))
    for name, value in fitted_values.items():
        section, key = name.split(".", 1)
        doc[section][key]["value"] = float(value)
    text = io.StringIO()
    yaml.dump(doc, text)
    write_atomic(Path(out_path), text.getvalue().encode("utf-8"))
