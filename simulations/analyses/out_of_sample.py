"""Out-of-sample checks: published figures the model was not fitted to (out_of_sample.yaml),
beside what it simulates. `sciatica calibrate` reports them after its targets; a figure outside
its range is shown as such, never failed, because the populations and definitions differ (each
check's note says how).

Two kinds of figure: the untreated natural history's (recurrence, like the calibration targets,
without treatment) and the shipped pathway's (imaging and visits in a simulated cohort).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from pathway.errors import Problem, in_file_order
from pathway.yamlsource import Node, key_line, read_document

from ..model.history import NaturalHistory
from ..model.parameters import ParameterError, Parameters
from ..model.values import is_number, shown

WELL_WEEKS = 4  # "at least a month pain-free" (Suri 2012), as weeks improved running
WITHIN_WEEKS = 52  # a recurrence within a year of that


@attrs.frozen
class Check:
    name: str
    figure: str
    value: float
    low: float
    high: float
    citation: str
    note: str


@attrs.frozen
class Compared:
    check: Check
    simulated: float

    @property
    def within(self) -> bool:
        return self.check.low <= self.simulated <= self.check.high


def shipped_checks() -> Path:
    return Path(__file__).resolve().parent.parent / "out_of_sample.yaml"


def load_checks(params: Parameters, path: Path | None = None) -> tuple[Check, ...]:
    """The checks, each field checked; ParameterError lists every problem by `file:line`."""
    path = path or shipped_checks()
    problems: list[Problem] = []
    top = Node(read_document(path, problems, "out-of-sample", ParameterError), str(path), problems)
    checks = []
    if top.ok and top.keys(("checks",)):
        section = top.raw("checks")
        if not hasattr(section, "items"):
            top.problem("checks", "`checks` must be a mapping of named checks")
            section = {}
        for name, value in section.items():
            check = _check(Node(value, top.file, problems, key_line(section, name), what=f"check `{name}`"),
                           str(name), params)
            if check is not None:
                checks.append(check)
    if problems:
        raise ParameterError(in_file_order(problems))
    return tuple(checks)


def _check(node: Node, name: str, params: Parameters) -> Check | None:
    before = len(node.problems)
    if not node.ok or not node.keys(("figure", "value", "range", "citation", "note")):
        return None
    figure = node.text("figure")
    if figure is not None and figure not in FIGURES:
        node.problem("figure", f"unknown figure `{figure}`; allowed: {', '.join(FIGURES)}")
    value, bounds = node.raw("value"), node.raw("range")
    value_ok = is_number(value) and 0 <= value <= 1
    if not value_ok:
        node.problem("value", f"`value` must be a share from 0 to 1, not {shown(value)}")
    pair = isinstance(bounds, list) and len(bounds) == 2 and all(is_number(b) for b in bounds)
    if not (pair and 0 <= bounds[0] <= bounds[1] <= 1 and (not value_ok or bounds[0] <= value <= bounds[1])):
        node.problem("range", f"`range` must be [low, high], shares with low <= value <= high, not "
                              f"{bounds if pair else shown(bounds)}")
    citation = node.text("citation")
    if citation is not None and citation not in params.references:
        node.problem("citation", f"unknown citation `{citation}`; cite a reference of parameters.yaml")
    if len(node.problems) > before:
        return None
    return Check(name, figure, float(value), float(bounds[0]), float(bounds[1]), citation, node.text("note"))


def compare(checks: tuple[Check, ...], params: Parameters, patients: int, seed: int) -> list[Compared]:
    """Each check beside its simulated figure (each figure worked out once)."""
    found: dict[str, float] = {}
    cohort = _Cohort(params, patients, seed)
    for check in checks:
        if check.figure not in found:
            found[check.figure] = FIGURES[check.figure](cohort)
    return [Compared(c, found[c.figure]) for c in checks]


class _Cohort:
    """What the figures are worked out from, each simulated when first asked for."""

    def __init__(self, params: Parameters, patients: int, seed: int):
        self.params, self.n, self.seed = params, patients, seed
        self._patients: dict[str, np.ndarray] | None = None

    @property
    def on_pathway(self) -> dict[str, np.ndarray]:
        """The patients table of a cohort on the shipped pathway (compiled engine, 52 weeks)."""
        if self._patients is None:
            from pathway import load_pathway, shipped_pathway

            from ..running.execution import ChunkJob, run_chunk

            job = ChunkJob(load_pathway(shipped_pathway()), self.params, WITHIN_WEEKS, self.seed)
            self._patients = run_chunk(job, 0, self.n).patients
        return self._patients


def recurrence_within_year(cohort: _Cohort) -> float:
    """Untreated: of patients improved WELL_WEEKS running (by the end of the first year), the share
    no longer improved at some week of the WITHIN_WEEKS after."""
    from .calibrate import untreated_history

    weeks = 2 * WITHIN_WEEKS
    block = untreated_history(NaturalHistory(cohort.params), cohort.seed, cohort.n, weeks)
    running = np.zeros(cohort.n, dtype=np.int64)
    well_from = np.full(cohort.n, -1)
    relapsed = np.zeros(cohort.n, dtype=bool)
    for week in range(1, weeks + 1):
        block.advance(week)
        improved = block.improved
        running = np.where(improved, running + 1, 0)
        well_from[(well_from < 0) & (running >= WELL_WEEKS)] = week
        relapsed |= (well_from >= 0) & (week > well_from) & (week - well_from <= WITHIN_WEEKS) & ~improved
    followed = (well_from >= 0) & (well_from <= WITHIN_WEEKS)
    return float(relapsed[followed].mean()) if followed.any() else float("nan")


def _share(test: Callable[[dict[str, np.ndarray]], np.ndarray]) -> Callable[[_Cohort], float]:
    return lambda cohort: float(np.mean(test(cohort.on_pathway)))


FIGURES: dict[str, Callable[[_Cohort], float]] = {
    "recurrence_within_year": recurrence_within_year,
    "imaging_requested_share": _share(lambda p: p["imaging_orders"] > 0),
    "one_or_two_visits_share": _share(lambda p: (p["visits"] >= 1) & (p["visits"] <= 2)),
    "one_visit_share": _share(lambda p: p["visits"] == 1),
    "episode_under_a_month_share": _share(lambda p: p["weeks_in_pathway"] < 4),
}


def checks_text(rows: list[Compared]) -> str:
    """The checks as an aligned table, then what a figure outside its range means."""
    from .calibrate import aligned

    pct = lambda x: f"{100 * x:.1f}%"
    lines = aligned(
        ("out-of-sample check (not fitted)", "published", "range", "simulated", "result", "citation"),
        [(r.check.name, pct(r.check.value), f"{pct(r.check.low)}-{pct(r.check.high)}", pct(r.simulated),
          "within" if r.within else "OUTSIDE", r.check.citation) for r in rows],
        right={1, 2, 3},
    )
    outside = [r.check.name for r in rows if not r.within]
    if outside:
        lines.append(f"outside its range: {', '.join(outside)} - reported, not failed; each check's note in "
                     "simulations/out_of_sample.yaml says how far the figures are comparable.")
    return "\n".join(lines) + "\n"
