"""Two pathway versions, the same patients: every summary figure side by side, with the
difference and a 95% confidence interval from a paired Poisson bootstrap.

Common random numbers: patient `i` has the same natural history in both arms (its random
streams are keyed by seed and `i`, and every draw that depends on the pathway is keyed by the
week it is made), so differences come from the pathways, not from who was simulated.

The bootstrap is the Poisson bootstrap (Hanley & MacGibbon 2006, "Creating non-parametric
bootstrap samples using Poisson frequencies", Comput Methods Programs Biomed 83:57-62; Chamandy
et al. 2012, "Estimating uncertainty for massive data streams", Google): in each resample every
patient is counted a Poisson(1) number of times instead of drawing exactly N patients with
replacement. For large N the two agree, and each patient's weights are drawn on their own,
without knowing the others: each chunk's resampled counts are exact whole numbers, added up as
chunks finish (`CohortResult.add`, bootstrap.poisson_weights), so no per-patient data is kept. A
patient's weights are keyed by (seed, patient, resample) alone, the same in both arms (a paired
bootstrap), so a pathway compared with itself gives exactly zero, interval [0, 0]. The interval
is the 2.5th and 97.5th centiles of the resampled differences.
"""

from __future__ import annotations

import json
import textwrap

import attrs
import numpy as np

from ..results.summary import Figure, figures, shown
from ..running.cohort import CohortResult

RESAMPLES = 200
LABEL = 40  # the figure column's width: every line within 100 columns


@attrs.frozen
class Row:
    figure: Figure
    old: float
    new: float
    low: float  # 95% interval of the difference new - old
    high: float

    @property
    def difference(self) -> float:
        return self.new - self.old


@attrs.frozen
class Comparison:
    old: CohortResult
    new: CohortResult
    rows: tuple[Row, ...]
    resamples: int


def compare_cohorts(old: CohortResult, new: CohortResult) -> Comparison:
    """Both arms simulated with the same settings and `resamples` (`simulate(..., resamples=R)`)."""
    if old.settings != new.settings:
        raise ValueError("both arms must simulate the same patients (same size, seed and weeks)")
    if not old.resamples or old.resamples != new.resamples:
        raise ValueError("both arms must be simulated with the same number of bootstrap resamples (1 or more), "
                         f"not {old.resamples} and {new.resamples}")
    rows = []
    for figure in figures(old):
        diffs = figure.compute(new.resampled) - figure.compute(old.resampled)
        low, high = _interval(diffs)
        rows.append(Row(figure, float(figure.compute(old.counts)), float(figure.compute(new.counts)), low, high))
    return Comparison(old, new, tuple(rows), old.resamples)


def _interval(diffs: np.ndarray) -> tuple[float, float]:
    diffs = diffs[~np.isnan(diffs)]
    if not len(diffs):
        return float("nan"), float("nan")
    low, high = np.quantile(diffs, [0.025, 0.975], method="inverted_cdf")
    return float(low), float(high)


def _name(result: CohortResult) -> str:
    return f"{result.spec.version} ({result.spec.content_hash[:8]})"


def comparison_text(c: Comparison, changed_only: bool = False) -> str:
    """Every figure side by side; `changed_only`: only the figures the change moved."""
    s = c.old.settings
    old, new = _name(c.old), _name(c.new)
    lines = [
        f"{c.old.spec.name}: OLD {old} vs NEW {new}",
        f"the same {s.patients:,} simulated patients in both (seed {s.seed}, {s.weeks} weeks);",
        f"95% intervals from a paired bootstrap of {c.resamples} resamples",
        "",
        f"  {'figure':<{LABEL}} {'OLD':>8} {'NEW':>8} {'NEW-OLD':>8}  {'95% interval':<19} unit",
    ]
    rows = [r for r in c.rows if not changed_only or _moved(r)]
    if not rows:
        return "\n".join(lines[:3] + ["no simulated figure changed"]) + "\n"
    section = None
    for row in rows:
        f = row.figure
        if f.section != section:
            section = f.section
            lines += ["", section]
        interval = "-" if np.isnan(row.low) else f"[{_signed(row.low, f.unit)}, {_signed(row.high, f.unit)}]"
        flag = " *" if not np.isnan(row.low) and (row.low > 0 or row.high < 0) else ""
        first, *rest = textwrap.wrap(f.label, LABEL)  # within 100 columns: long labels take two lines
        lines.append(f"  {first:<{LABEL}} {shown(row.old, f.unit):>8} {shown(row.new, f.unit):>8} "
                     f"{_signed(row.difference, f.unit):>8}  {interval:<19} {f.unit}{flag}")
        lines += [f"    {more}" for more in rest]
    lines += ["", "* the interval excludes zero"]
    return "\n".join(lines) + "\n"


def _moved(row: Row) -> bool:
    same = row.old == row.new or (np.isnan(row.old) and np.isnan(row.new))
    return not same


def _signed(value: float, unit: str) -> str:
    if np.isnan(value):
        return "-"
    text = shown(abs(value), unit)
    return text if text.strip("0.,") == "" else ("+" if value > 0 else "-") + text


def comparison_json(c: Comparison) -> str:
    def number(v: float):
        return None if np.isnan(v) else round(v, 6)

    doc = {
        "old": {"version": c.old.spec.version, "content_hash": c.old.spec.content_hash},
        "new": {"version": c.new.spec.version, "content_hash": c.new.spec.content_hash},
        "settings": attrs.asdict(c.old.settings),
        "resamples": c.resamples,
        "figures": {
            r.figure.key: {"label": r.figure.label, "unit": r.figure.unit, "old": number(r.old), "new": number(r.new),
                           "difference": number(r.difference), "interval": [number(r.low), number(r.high)]}
            for r in c.rows
        },
    }
    return json.dumps(doc, indent=2) + "\n"
