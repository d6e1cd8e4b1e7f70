"""The cohort summary: every figure the planners asked for, each a function of a cohort's exact
integer `Counts` (counts.py), so the same definitions serve one run, and both arms of a
comparison resample by resample (Counts with a leading resample axis, figures computed for all
resamples at once).

Each figure is computed with the same float64 operations, in the same order, as from the
per-patient columns (a rate is PER * sum / patients, a quantile NumPy's inverted CDF), so its
value is the same to the last bit.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs
import numpy as np

from ..running.cohort import CohortResult
from . import economics
from .counts import Counts, divide, quantile

PER = 1000  # rates are per 1,000 patients
# Studies ordered (an amended order in place of the one it amends): a routine scan is cancelled
# when the patient leaves the state waiting for it, e.g. recovered before it.
KIND_LABELS = {"xray": "X-rays ordered", "mri": "MRIs without contrast ordered",
               "mri_with_contrast": "MRIs with contrast ordered", "ct": "CTs without contrast ordered",
               "ct_with_contrast": "CTs with contrast ordered", "ct_myelography": "CT myelograms ordered"}


@attrs.frozen
class Figure:
    key: str
    label: str
    unit: str  # "per 1,000", "%", "weeks", "patients", ...
    compute: Callable[[Counts], np.ndarray]  # one value per resample (a 0-d array for the cohort)
    section: str


def _rate(field: str) -> Callable[[Counts], np.ndarray]:
    return lambda c: divide(PER * c.total[field].astype(float), c.patients)


def _count(field: str) -> Callable[[Counts], np.ndarray]:
    return lambda c: c.total[field].astype(float)


def _present(field: str) -> Callable[[Counts], np.ndarray]:
    return lambda c: c.present[field].astype(float)


def _present_rate(field: str) -> Callable[[Counts], np.ndarray]:
    return lambda c: divide(PER * c.present[field].astype(float), c.patients)


def _mean(field: str) -> Callable[[Counts], np.ndarray]:
    return lambda c: divide(c.total[field], c.patients)


def _quantile(field: str, q: float) -> Callable[[Counts], np.ndarray]:
    return lambda c: quantile(c.histogram[field], q)


def _share_without_indication(c: Counts) -> np.ndarray:
    return divide(100.0 * c.total["imaging_without_indication"].astype(float), c.total["imaging_orders"], when_zero=0.0)


def _share_confirmed(c: Counts) -> np.ndarray:
    confirmed = c.total["work_ups_confirmed"]
    return 100.0 * divide(confirmed, confirmed + c.total["work_ups_excluded"])


def _share_incidental(c: Counts) -> np.ndarray:
    return 100.0 * divide(c.joint["mri_incidental_scanned"], c.present["first_mri_week"])


def _new_episodes(c: Counts) -> np.ndarray:
    return divide(PER * (c.total["episodes"] - c.patients).astype(float), c.patients)


def _improved_at(week: int) -> Callable[[Counts], np.ndarray]:
    return lambda c: 100.0 * divide(c.improved[..., week], c.patients)


def figures(result: CohortResult) -> tuple[Figure, ...]:
    hours = result.params.value("waits.emergency_mri_hours")
    imaging = "Imaging"
    red = "Red flags"
    care = "Treatment and re-routing"
    outcome = "Recovery and time in the pathway"
    rows = [
        *(Figure(f"{kind}_per_1000", label, "per 1,000", _rate(kind), imaging) for kind, label in KIND_LABELS.items()),
        Figure("imaging_orders_per_1000", "imaging orders (an amended order counted once)", "per 1,000",
               _rate("imaging_orders"), imaging),
        Figure("imaging_without_indication_per_1000", "imaging orders without an indication", "per 1,000",
               _rate("imaging_without_indication"), imaging),
        Figure("imaging_without_indication_share", "share of imaging orders without an indication", "%",
               _share_without_indication, imaging),
        Figure("patients_with_mri", "patients who had an MRI", "patients", _present("first_mri_week"), imaging),
        Figure("weeks_to_mri_median", "onset to first MRI, median", "weeks", _quantile("first_mri_week", 0.5), imaging),
        Figure("weeks_to_mri_p95", "onset to first MRI, 95th centile", "weeks", _quantile("first_mri_week", 0.95), imaging),
        Figure("mri_incidental_share", "MRIs reporting an incidental finding", "%", _share_incidental, imaging),
        Figure("emergency_mri_late", f"emergency MRIs later than the {hours:g}-hour target", "scans",
               _count("emergency_mri_late"), imaging),
        Figure("patients_with_red_flag", "patients who developed a red flag", "patients", _present("red_flag_onset_week"), red),
        Figure("escalation_delay_median", "red-flag onset to urgent care, median", "weeks",
               _quantile("escalation_delay_weeks", 0.5), red),
        Figure("escalation_delay_p95", "red-flag onset to urgent care, 95th centile", "weeks",
               _quantile("escalation_delay_weeks", 0.95), red),
        Figure("escalation_delay_max", "red-flag onset to urgent care, longest", "weeks",
               _quantile("escalation_delay_weeks", 1.0), red),
        Figure("red_flags_never_escalated", "red flags seen but never escalated to urgent care", "patients",
               _count("red_flag_never_escalated"), red),
        Figure("red_flags_not_seen", "red flags not yet seen at a visit when follow-up ended", "patients",
               _count("red_flag_not_seen"), red),
        Figure("red_flags_missed", "red flags present at a visit, missed by the screen", "patients",
               _present("red_flag_missed_week"), red),
        Figure("red_flags_worsened", "red flags that worsened before escalation", "patients",
               _count("red_flag_worsened"), red),
        Figure("urgent_work_ups_per_1000", "urgent and emergency work-ups", "per 1,000", _rate("urgent_work_ups"), red),
        Figure("work_ups_confirmed_share", "work-up results that confirmed the red flag", "%", _share_confirmed, red),
        Figure("epidurals_per_1000", "epidural injections", "per 1,000", _rate("epidurals"), care),
        Figure("surgical_referrals_per_1000", "surgical referrals", "per 1,000", _rate("surgical_referral"), care),
        Figure("surgery_per_1000", "operations", "per 1,000", _present_rate("surgery_week"), care),
        Figure("rerouted_per_1000", "re-routed to another diagnosis", "per 1,000", _rate("rerouted"), care),
        Figure("returns_per_1000", "returns after discharge (symptoms back, or a red flag)", "per 1,000",
               _rate("returns"), care),
        Figure("new_episodes_per_1000", "new episodes after a handover (a red flag later)", "per 1,000",
               _new_episodes, care),
        Figure("fell_through", "patients the pathway had no transition for", "patients", _present("fell_through_week"), care),
    ]
    for week in result.settings.recovery_weeks:
        rows.append(Figure(f"improved_week_{week}", f"improved at week {week}", "%", _improved_at(week), outcome))
    rows += [
        Figure("weeks_in_pathway_mean", "weeks in the pathway, mean", "weeks", _mean("weeks_in_pathway"), outcome),
        Figure("weeks_in_pathway_p95", "weeks in the pathway, 95th centile", "weeks", _quantile("weeks_in_pathway", 0.95), outcome),
        Figure("visits_per_patient", "visits per patient", "visits", _mean("visits"), outcome),
    ]
    return tuple(rows) + economic_figures(result)


def economic_figures(result: CohortResult) -> tuple[Figure, ...]:
    """Cost (undiscounted) and QALYs per patient, and net monetary benefit at NICE's two thresholds."""
    params, weeks = result.params, result.settings.weeks
    section = "Costs (pounds, 2012-2017 prices) and quality of life"
    rows = [
        Figure("cost_per_patient", "cost per patient", "pounds", economics.cost(params), section),
        Figure("cost_imaging_per_patient", "  of which imaging", "pounds", economics.cost(params, economics.IMAGING),
               section),
        Figure("cost_treatment_per_patient", "  of which injections, referrals and operations", "pounds",
               economics.cost(params, ("epidural", "specialist_opinion", "surgery")), section),
        Figure("qalys_per_patient", f"QALYs per patient over {weeks} weeks", "QALYs", economics.qalys(params, weeks),
               section),
    ]
    for threshold in ("threshold_low", "threshold_high"):
        per_qaly = params.value(f"quality_of_life.{threshold}")
        rows.append(Figure(f"net_benefit_{threshold.removeprefix('threshold_')}",
                           f"net monetary benefit per patient at {per_qaly:,.0f}/QALY",
                           "pounds", economics.net_benefit(params, weeks, threshold), section))
    return tuple(rows)


@attrs.frozen
class Summary:
    result: CohortResult
    values: tuple[tuple[Figure, float], ...]

    def value(self, key: str) -> float:
        return next(v for f, v in self.values if f.key == key)


def summarise(result: CohortResult) -> Summary:
    """Every summary figure of a cohort, from its exact totals; `value(key)` gives one (see the figure keys)."""
    counts = result.totals.counts
    return Summary(result, tuple((f, float(f.compute(counts))) for f in figures(result)))


def shown(value: float, unit: str) -> str:
    if np.isnan(value):
        return "-"
    if unit in ("patients", "scans"):
        return f"{value:,.0f}"
    if unit == "visits":
        return f"{value:,.2f}"
    if unit == "pounds":
        return f"{value:,.0f}"
    if unit == "QALYs":
        return f"{value:,.4f}"
    return f"{value:,.1f}"


# Why this figure is not zero when `sciatica check` proves property 7 (issue 17).
INDICATION_NOTE = (
    "(judged on each simulated patient's true condition, which the pathway cannot see; `sciatica check`",
    "property 7 judges orders on the answers given, and proves each one changes management)",
)


def summary_text(summary: Summary) -> str:
    s = summary.result.settings
    spec = summary.result.spec
    lines = [
        f"{spec.name} {spec.version} ({spec.content_hash[:12]}): {s.patients:,} simulated patients, "
        f"{s.weeks} weeks, seed {s.seed}",
    ]
    section = None
    for figure, value in summary.values:
        if figure.section != section:
            section = figure.section
            lines += ["", section]
        lines.append(f"  {figure.label:<56} {shown(value, figure.unit):>10}  {figure.unit}")
        if figure.key == "imaging_without_indication_share":
            lines += [f"    {line}" for line in INDICATION_NOTE]
    if summary.result.capacity is not None:
        from ..capacity.report import lines as capacity_lines

        lines += capacity_lines(summary.result)
    handed = handovers(summary.result)
    if handed:
        lines += ["", "Handed over, by receiving service (patients ever handed over there)"]
        lines += [f"  {patients:>10,}  {service}" for service, patients in handed.items()]
    lines += ["", "State occupancy (patients resting in each state)", *occupancy_lines(summary.result)]
    return "\n".join(lines) + "\n"


def handovers(result: CohortResult) -> dict[str, int]:
    """Receiving service -> patients ever handed over to it (entered an exit naming it; summed over
    the exits that name it), for the services anyone was handed over to; from the exact
    patients-per-state totals."""
    by_state = result.patients_by_state
    found: dict[str, int] = {}
    for state in result.spec.exits:
        if by_state.get(state.id):
            service = state.receiving_service or state.label
            found[service] = found.get(service, 0) + by_state[state.id]
    return found


def occupancy_lines(result: CohortResult) -> list[str]:
    weeks = [w for w in (0, 2, 4, 12, 26, 52, result.settings.weeks) if w <= result.settings.weeks]
    weeks = sorted(set(weeks))
    shown = [(state, result.occupancy[weeks, j]) for j, state in enumerate(result.states)
             if result.occupancy[weeks, j].any()]
    width = max([len("state"), *(len(state) for state, _ in shown)])  # the longest state id sets the column
    lines = [f"  {'state':<{width}}" + "".join(f"{'week ' + str(w):>10}" for w in weeks)]
    lines += [f"  {state:<{width}}" + "".join(f"{c:>10,}" for c in counts) for state, counts in shown]
    return lines


def summary_json(summary: Summary) -> str:
    """Deterministic JSON: the settings, the pathway and parameter identities, every figure,
    occupancy by week and the patients per diagram edge."""
    result = summary.result
    s = result.settings
    doc = {
        "pathway": {"name": result.spec.name, "version": result.spec.version, "content_hash": result.spec.content_hash},
        "parameters": {"content_hash": result.params.content_hash},
        "settings": {"patients": s.patients, "seed": s.seed, "weeks": s.weeks},
        "figures": {f.key: {"label": f.label, "unit": f.unit, "value": _json_number(v)} for f, v in summary.values},
        "occupancy": {state: result.occupancy[:, j].tolist() for j, state in enumerate(result.states)},
        "patients_by_edge": dict(sorted(result.patients_by_edge.items())),
        "patients_by_state": dict(sorted(result.patients_by_state.items())),
        "handovers": handovers(result),
        "visits": result.visits,
    }
    if result.capacity is not None:
        from ..capacity.report import report

        doc["capacity"] = report(result)
    return json.dumps(doc, indent=2) + "\n"


def _json_number(value: float):
    return None if np.isnan(value) else round(value, 6)
