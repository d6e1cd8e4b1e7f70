"""The cohort plots of the review packet, from a cohort's exact totals (no per-patient table is
kept): state occupancy, time to recovery and time to MRI as Kaplan-Meier curves with 95%
confidence bands (scipy.stats.ecdf), and time from red flag to urgent care.

Every simulated patient is followed for the same number of weeks, so the only censoring is at
the horizon: a patient not yet improved (or not yet scanned) by then is censored there. The
totals keep how many patients had each week as their event week, which is all a survival curve
needs; the patients are rebuilt from those counts as repeated weeks.
"""

from __future__ import annotations

import base64
import warnings

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from scipy import stats

from pathway.spec import Urgency
from simulations.running.cohort import CohortResult
from simulations.results.plots import DPI, figure_bytes, label_axes, occupancy_figure

SIZE = (10, 5.2)


def cohort_figures(result: CohortResult) -> dict[str, str]:
    """Each plot of the packet as a PNG data URI (inline; nothing is fetched), by name."""
    spec, counts, weeks = result.spec, result.counts, result.settings.weeks
    urgent = [s.id for s in spec.states if s.urgency >= Urgency.URGENT]
    figures = {
        "occupancy": occupancy_figure(result.occupancy, result.states, {s.id: s.label for s in spec.states}, urgent),
        "recovery": survival_figure(
            counts.histogram["first_improved_week"], int(counts.patients), weeks,
            "Time to first improvement", "Not yet improved", "#c62828"),
        "mri": survival_figure(
            counts.histogram["first_mri_week"], int(counts.patients), weeks,
            "Time from onset to first MRI", "Had an MRI", "#1565c0", rising=True),
        "red_flag": delay_figure(counts.histogram["escalation_delay_weeks"]),
    }
    return {name: png_data_uri(fig) for name, fig in figures.items()}


def survival_curve(events_by_week: np.ndarray, patients: int, horizon: int):
    """Kaplan-Meier estimate from the number of patients whose event fell in each week; the rest
    are censored at the end of follow-up (``horizon``, or the last week an event was seen, if
    later: a scan booked in the last week is done after it)."""
    counts = np.asarray(events_by_week, dtype=np.int64)
    if not counts.sum():
        raise ValueError("no events: nothing to draw a survival curve of")
    events = np.repeat(np.arange(len(counts)), counts)
    censored = np.full(patients - int(counts.sum()), max(horizon, len(counts) - 1))
    return stats.ecdf(stats.CensoredData(uncensored=events, right=censored))


def survival_figure(events_by_week: np.ndarray, patients: int, horizon: int, title: str, ylabel: str,
                    colour: str, rising: bool = False) -> Figure:
    """The share of the cohort still without the event, week by week, with its 95% band; with
    ``rising``, the share who have had it (1 - survival), on an axis scaled to the data, for
    events few patients have (an MRI)."""
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if not np.asarray(events_by_week).sum():
        _empty(ax, "No simulated patient had this event.")
    else:
        sf = survival_curve(events_by_week, patients, horizon).sf
        with warnings.catch_warnings():
            # Undefined where the estimate is exactly 0 or 1 (scipy warns); drawn as a gap there.
            warnings.simplefilter("ignore", RuntimeWarning)
            band = sf.confidence_interval(0.95, method="log-log")
        shown = (lambda p: 100 * (1 - p)) if rising else (lambda p: 100 * p)
        weeks = np.concatenate([[0], sf.quantiles])
        ax.step(weeks, shown(np.concatenate([[1], sf.probabilities])), where="post", color=colour, linewidth=2,
                label="Kaplan-Meier estimate")
        ax.fill_between(sf.quantiles, shown(band.low.probabilities), shown(band.high.probabilities), step="post",
                        color=colour, alpha=0.2, label="95% confidence band")
        median = sf.quantiles[np.flatnonzero(sf.probabilities <= 0.5)]
        if median.size:
            ax.axvline(median[0], color="#616161", linestyle=":", label=f"Half the cohort by week {median[0]:g}")
        ax.legend(loc="best", fontsize=10)
    ax.set_xlim(0, horizon)
    if not rising:
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.grid(alpha=0.3)
    label_axes(ax, f"{title} ({patients:,} simulated patients, followed {horizon} weeks)", "Weeks since onset",
           f"{ylabel} (share of the cohort)")
    return fig


def delay_figure(delay_by_week: np.ndarray) -> Figure:
    """Patients by whole weeks from red-flag onset to reaching an urgent or emergency state."""
    delays = np.asarray(delay_by_week, dtype=np.int64)
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if not delays.sum():
        _empty(ax, "No simulated patient reached urgent care after a red flag.")
    else:
        weeks = np.arange(len(delays))
        bars = ax.bar(weeks, delays, color=["#2e7d32" if w == 0 else "#c62828" for w in weeks], width=0.8)
        ax.bar_label(bars, labels=[f"{d:,}" if d else "" for d in delays], fontsize=10)
        ax.set_xticks(weeks)
        ax.set_xlim(-0.6, max(len(weeks), 4) - 0.4)
        ax.grid(axis="y", alpha=0.3)
    label_axes(ax, f"Red-flag onset to urgent care: {int(delays.sum()):,} patients (green: the same week)",
           "Whole weeks from onset of the red flag to an urgent or emergency state", "Patients")
    return fig


def png_data_uri(fig: Figure) -> str:
    """The figure as a PNG data URI, the same bytes each time (no software or date stamp)."""
    return "data:image/png;base64," + base64.b64encode(figure_bytes(fig, "png")).decode("ascii")


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=13, transform=ax.transAxes)
