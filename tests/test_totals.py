"""Totals: exact whole numbers that do not depend on chunking, figures equal to the bit to those
computed from per-patient columns, and Poisson bootstrap weights keyed by patient and resample."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from simulations import load_parameters
from simulations.running.chunk import NONE, PATIENT_FIELDS, STATE, TEXT
from simulations.running.cohort import CohortSettings, chunk_ranges, simulate
from simulations.running.execution import ChunkJob, run_chunk
from simulations.engines.outcome import KINDS
from simulations.results.summary import figures, summarise
from simulations.results.bootstrap import poisson_weights
from simulations.results.counts import Counts, quantile
from simulations.results.totals import Totals

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()
SETTINGS = CohortSettings(patients=300, seed=21, weeks=52)
RESAMPLES = 30


@functools.cache
def cohort(chunk_size: int):
    """The cohort, its chunks and its resampled counts, run in chunks of `chunk_size`."""
    chunks = []
    result = simulate(SPEC, PARAMS, SETTINGS, chunk_size=chunk_size, on_chunk=chunks.append, resamples=RESAMPLES)
    return result, chunks


# -- exact and independent of chunking -----------------------------------------------------------------

@pytest.mark.parametrize("chunk_size", [1, 7])
def test_totals_do_not_depend_on_the_chunk_size(chunk_size):
    reference, _ = cohort(1000)
    result, chunks = cohort(chunk_size)
    assert [(c.first, c.first + c.n) for c in chunks] == chunk_ranges(SETTINGS.patients, chunk_size)
    assert result.totals == reference.totals
    assert result.resampled == reference.resampled
    mine, theirs = summarise(result).values, summarise(reference).values
    assert [f.key for f, _ in mine] == [f.key for f, _ in theirs]
    assert all(same(a, b) for (_, a), (_, b) in zip(mine, theirs))


def test_totals_add_in_any_order():
    result, chunks = cohort(7)
    parts = [Totals.from_chunk(c, SPEC, SETTINGS.weeks) for c in chunks]
    backwards = sum(reversed(parts), Totals.zero(SPEC, SETTINGS.weeks))
    assert backwards == result.totals
    assert sum(parts[::2], Totals.zero(SPEC, SETTINGS.weeks)) + sum(parts[1::2], Totals.zero(SPEC, SETTINGS.weeks)) == result.totals


def test_a_dropped_or_repeated_chunk_is_caught():
    """Every patient counted exactly once: the cohort's totals are those of its patients one by
    one, and leaving out or repeating any chunk changes them."""
    result, chunks = cohort(7)
    job = ChunkJob(SPEC, PARAMS, SETTINGS.weeks, SETTINGS.seed, engine="reference")
    one_by_one = sum((Totals.from_chunk(run_chunk(job, i, i + 1), SPEC, SETTINGS.weeks) for i in range(SETTINGS.patients)),
                     Totals.zero(SPEC, SETTINGS.weeks))
    assert result.totals == one_by_one
    assert result.counts.patients == SETTINGS.patients
    assert (result.occupancy.sum(axis=1) == SETTINGS.patients).all()
    parts = [Totals.from_chunk(c, SPEC, SETTINGS.weeks) for c in chunks]
    zero = Totals.zero(SPEC, SETTINGS.weeks)
    for k in (0, len(parts) // 2, len(parts) - 1):
        assert sum(parts[:k] + parts[k + 1:], zero) != result.totals  # dropped
        assert sum(parts + [parts[k]], zero) != result.totals  # counted twice


def test_flow_counts_are_patients_not_visits():
    result, chunks = cohort(1000)
    by_edge, by_state = result.patients_by_edge, result.patients_by_state
    assert max(by_edge.values()) <= SETTINGS.patients
    assert by_state["onset"] == SETTINGS.patients  # everyone's first visit starts there
    assert all(isinstance(v, int) and v > 0 for v in (*by_edge.values(), *by_state.values()))
    escalations = {t.base_id for t in SPEC.transitions if t.escalation}
    assert not any("@" in e for e in by_edge if e.partition("@")[0] in escalations)
    assert result.visits == sum(len(c.visits["patient"]) for c in chunks)


# -- the figures, from totals and from per-patient columns ------------------------------------------------

def columns(chunks) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The per-patient columns (NaN for "did not happen") and improved matrix, as the summary
    used to keep them."""
    numeric = [n for n in PATIENT_FIELDS if n not in TEXT + STATE]
    cols = {}
    for name in numeric:
        values = np.concatenate([c.patients[name] for c in chunks]).astype(float)
        cols[name] = np.where(values == NONE, np.nan, values)
    return cols, np.concatenate([c.improved for c in chunks], axis=1).T  # (patients, weeks + 1)


def per_patient_figures(cols: dict[str, np.ndarray], improved: np.ndarray, weeks: tuple[int, ...]) -> dict[str, float]:
    """Every figure computed straight from per-patient columns, as the summary did before totals."""
    n = len(cols["age"])

    def rate(name):
        return 1000 * float(np.nansum(cols[name])) / n

    def q(name, p):
        values = cols[name][~np.isnan(cols[name])]
        return float(np.quantile(values, p, method="inverted_cdf")) if len(values) else float("nan")

    def present(name):
        return float(np.count_nonzero(~np.isnan(cols[name])))

    orders = float(cols["imaging_orders"].sum())
    work_ups = float(cols["work_ups_confirmed"].sum() + cols["work_ups_excluded"].sum())
    scanned = ~np.isnan(cols["first_mri_week"])
    out = {f"{k}_per_1000": rate(k) for k in (*KINDS, "imaging_orders", "imaging_without_indication", "epidurals",
                                              "rerouted", "urgent_work_ups", "returns")}
    out |= {
        "imaging_without_indication_share": 100.0 * float(cols["imaging_without_indication"].sum()) / orders if orders else 0.0,
        "work_ups_confirmed_share": 100.0 * (float(cols["work_ups_confirmed"].sum()) / work_ups) if work_ups else float("nan"),
        "patients_with_mri": present("first_mri_week"),
        "weeks_to_mri_median": q("first_mri_week", 0.5), "weeks_to_mri_p95": q("first_mri_week", 0.95),
        "mri_incidental_share": 100.0 * float(cols["mri_incidental"][scanned].mean()) if scanned.any() else float("nan"),
        "emergency_mri_late": float(np.nansum(cols["emergency_mri_late"])),
        "patients_with_red_flag": present("red_flag_onset_week"),
        "escalation_delay_median": q("escalation_delay_weeks", 0.5),
        "escalation_delay_p95": q("escalation_delay_weeks", 0.95),
        "escalation_delay_max": q("escalation_delay_weeks", 1.0),
        "red_flags_never_escalated": float(np.nansum(cols["red_flag_never_escalated"])),
        "red_flags_not_seen": float(np.nansum(cols["red_flag_not_seen"])),
        "red_flags_missed": present("red_flag_missed_week"),
        "red_flags_worsened": float(np.nansum(cols["red_flag_worsened"])),
        "surgical_referrals_per_1000": rate("surgical_referral"),
        "surgery_per_1000": 1000 * present("surgery_week") / n,
        "new_episodes_per_1000": 1000 * float(np.sum(cols["episodes"] - 1)) / n,
        "fell_through": present("fell_through_week"),
        "weeks_in_pathway_mean": float(cols["weeks_in_pathway"].mean()),
        "weeks_in_pathway_p95": q("weeks_in_pathway", 0.95),
        "visits_per_patient": float(cols["visits"].mean()),
    }
    out |= {f"improved_week_{w}": 100.0 * float(improved[:, w].mean()) for w in weeks}
    return out | economics_per_patient(cols, improved)


def economics_per_patient(cols: dict[str, np.ndarray], improved: np.ndarray) -> dict[str, float]:
    """Cost and QALYs patient by patient, each use at its unit cost, each week at its utility."""
    price = {name.split(".")[1]: p.value for name, p in PARAMS.parameters.items() if name.startswith("costs.")}
    used = {"visit": cols["visits"], "urgent_work_up": cols["urgent_work_ups"], "epidural": cols["epidurals"],
            "specialist_opinion": cols["surgical_referral"], "surgery": ~np.isnan(cols["surgery_week"]),
            **{kind: cols[kind] for kind in KINDS}}
    each = {name: price[name] * np.nan_to_num(np.asarray(used[name], dtype=float)) for name in price}
    cost = sum(each.values())
    well, unwell = PARAMS.value("quality_of_life.utility_improved"), PARAMS.value("quality_of_life.utility_not_improved")
    qalys = np.where(improved[:, 1:SETTINGS.weeks + 1], well, unwell).sum(axis=1) / 52  # one year: no discount
    out = {"cost_per_patient": cost.mean(), "qalys_per_patient": qalys.mean(),
           "cost_imaging_per_patient": sum(each[k] for k in KINDS).mean(),
           "cost_treatment_per_patient": (each["epidural"] + each["specialist_opinion"] + each["surgery"]).mean()}
    for threshold in ("threshold_low", "threshold_high"):
        per_qaly = PARAMS.value(f"quality_of_life.{threshold}")
        out[f"net_benefit_{threshold.removeprefix('threshold_')}"] = per_qaly * out["qalys_per_patient"] - out["cost_per_patient"]
    return {key: float(value) for key, value in out.items()}


def same(a: float, b: float, key: str = "") -> bool:
    """Equal to the bit; costs and QALYs, summed here patient by patient, to within rounding."""
    if key.startswith(("cost_", "qalys_", "net_benefit_")):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b or (math.isnan(a) and math.isnan(b))


def test_figures_from_totals_equal_figures_from_patients():
    result, chunks = cohort(7)
    expected = per_patient_figures(*columns(chunks), SETTINGS.recovery_weeks)
    summary = summarise(result)
    assert {f.key for f, _ in summary.values} == set(expected)
    for figure, value in summary.values:
        assert same(value, expected[figure.key], figure.key), (figure.key, value, expected[figure.key])
    assert summary.value("patients_with_red_flag") > 0 and summary.value("patients_with_mri") > 0


def test_resampled_figures_equal_figures_of_the_resampled_patients():
    """Resample r counts patient i weights[r, i] times: its figures are those of the cohort with
    each patient repeated that often (the classic bootstrap's multiset of patients)."""
    result, chunks = cohort(7)
    cols, improved = columns(chunks)
    weights = poisson_weights(SETTINGS.seed, 0, SETTINGS.patients, RESAMPLES)
    computed = {f.key: f.compute(result.resampled) for f in figures(result)}
    for r in range(RESAMPLES):
        index = np.repeat(np.arange(SETTINGS.patients), weights[r])
        expected = per_patient_figures({k: v[index] for k, v in cols.items()}, improved[index], SETTINGS.recovery_weeks)
        for key, values in computed.items():
            assert same(float(values[r]), expected[key], key), (r, key)


@pytest.mark.parametrize("seed", range(5))
def test_quantile_from_a_histogram_is_numpys_inverted_cdf(seed):
    rng = np.random.default_rng(seed)
    for n in (1, 2, 3, 7, 20, 101, 1000):
        values = rng.integers(0, 30, n)
        for q in (0.0, 0.025, 0.05, 0.25, 0.5, 0.95, 0.975, 0.999, 1.0):
            assert quantile(np.bincount(values), q) == np.quantile(values, q, method="inverted_cdf"), (n, q)
    batch = np.stack([np.bincount(rng.integers(0, 9, 50), minlength=9) for _ in range(4)] + [np.zeros(9, int)])
    assert np.array_equal(quantile(batch, 0.5)[:4], [np.quantile(np.repeat(np.arange(9), h), 0.5, method="inverted_cdf")
                                                     for h in batch[:4]])
    assert np.isnan(quantile(batch, 0.5)[4]) and np.isnan(quantile(np.zeros(0, int), 0.5))


# -- Poisson bootstrap weights --------------------------------------------------------------------------

def test_poisson_weights_are_poisson_with_mean_one():
    weights = poisson_weights(seed=3, first=0, n=20_000, resamples=50)
    assert weights.shape == (50, 20_000) and weights.dtype == np.int64
    assert abs(weights.mean() - 1) < 0.005
    assert abs(weights.var() - 1) < 0.01
    for k in range(4):  # P(K = k) = e^-1 / k!
        assert abs(np.mean(weights == k) - math.exp(-1) / math.factorial(k)) < 0.003


def test_poisson_weights_are_keyed_by_seed_patient_and_resample():
    weights = poisson_weights(seed=3, first=0, n=1000, resamples=40)
    assert np.array_equal(weights, poisson_weights(seed=3, first=0, n=1000, resamples=40))  # both arms alike
    assert np.array_equal(weights[:, 600:], poisson_weights(seed=3, first=600, n=400, resamples=40))  # any chunk
    assert np.array_equal(weights[:10], poisson_weights(seed=3, first=0, n=1000, resamples=10))
    assert all(not np.array_equal(weights[r], weights[r + 1]) for r in range(39))  # resamples differ
    assert not np.array_equal(weights, poisson_weights(seed=4, first=0, n=1000, resamples=40))


def test_a_resample_of_nobody_gives_no_figure():
    """A resample may weigh every patient 0 (likely only for tiny cohorts): its figures are NaN,
    and the comparison leaves it out of the interval."""
    _, chunks = cohort(7)
    empty = Counts.of(chunks[0], np.zeros((2, chunks[0].n), dtype=np.int64))
    result, _ = cohort(7)
    for figure in figures(result):
        values = figure.compute(empty)
        assert values.shape == (2,)
        if figure.key not in ("imaging_without_indication_share",) and figure.unit not in ("patients", "scans"):
            assert np.isnan(values).all(), figure.key


def test_the_occupancy_the_engine_counts_is_that_of_its_states():
    """The compiled engine counts who rests where as patients move; Totals would count it from
    the chunk's states: the same numbers."""
    import attrs

    chunk = run_chunk(ChunkJob(SPEC, PARAMS, SETTINGS.weeks, SETTINGS.seed), 0, 300)
    assert chunk.occupancy is not None
    counted = Totals.from_chunk(attrs.evolve(chunk, occupancy=None), SPEC, SETTINGS.weeks)
    assert Totals.from_chunk(chunk, SPEC, SETTINGS.weeks) == counted
    assert np.array_equal(counted.occupancy, chunk.occupancy)
