"""Cohort plots: where a simulated cohort rests week by week, and how soon it improves.

Each plot is built by a ``*_figure`` function that returns a matplotlib Figure (the object-oriented
API, no pyplot: no global state, no GUI backend) and saved by ``save_figure``, which writes PNG or
SVG atomically and deterministically: the same inputs give byte-identical files.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from diagrams.render import write_atomic

SIZE, DPI = (12, 7), 100  # 1200 x 700 pixels
# Routine states in blues, greens, purples, greys (tab20 without its reds, oranges, pinks and
# browns), so that urgent and emergency states, drawn in reds, stand out.
CALM = tuple(matplotlib.colormaps["tab20"].colors[i] for i in (0, 1, 4, 5, 8, 9, 14, 15, 16, 17, 18, 19))
# Fixed stamps instead of the matplotlib version and the clock, so that files are reproducible.
SAVE = {"png": dict(metadata={"Software": None}), "svg": dict(metadata={"Date": None, "Creator": None})}


def occupancy_figure(occupancy: np.ndarray, states: Sequence[str], labels: Mapping[str, str],
                     urgent: Collection[str] = ()) -> Figure:
    """A stacked area of the share of the cohort resting in each state at the end of each week;
    states nobody rested in are left out. ``urgent`` states are drawn in reds."""
    occupancy = np.asarray(occupancy, dtype=float)
    if occupancy.ndim != 2 or occupancy.shape[1] != len(states):
        raise ValueError(f"occupancy has shape {occupancy.shape}, expected (weeks + 1, {len(states)})")
    # Every patient rests somewhere each week, so the busiest row is the cohort.
    cohort = occupancy.sum(axis=1).max() or 1.0
    shown = [i for i in range(len(states)) if occupancy[:, i].any()]
    # Darkest first: pathways list emergencies before urgent referrals.
    reds = iter(matplotlib.colormaps["Reds"](np.linspace(0.95, 0.45, sum(states[i] in urgent for i in shown))))
    calm = iter(CALM * (1 + len(shown) // len(CALM)))
    colours = [next(reds) if states[i] in urgent else next(calm) for i in shown]

    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    weeks = np.arange(occupancy.shape[0])
    ax.stackplot(weeks, 100 * occupancy[:, shown].T / cohort, colors=colours, linewidth=0.3, edgecolor="white",
                 labels=[_wrap(labels.get(states[i], states[i])) for i in shown])
    ax.set(xlim=(0, weeks[-1]), ylim=(0, 100))
    ax.yaxis.set_major_formatter(PercentFormatter())
    label_axes(ax, f"Where the cohort of {cohort:,.0f} simulated patients rests, week by week",
           "Weeks since onset", "Share of the cohort")
    # Outside the axes so it hides no data; reversed so it reads top to bottom like the stack.
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9,
              frameon=False, title="State (top of the stack first)", title_fontsize=10)
    return fig


def occupancy_plot(occupancy: np.ndarray, states: Sequence[str], labels: Mapping[str, str], path: str | Path,
                   urgent: Collection[str] = ()) -> Path:
    """Write ``occupancy_figure`` to ``path`` (.png or .svg)."""
    return save_figure(occupancy_figure(occupancy, states, labels, urgent), path)


def recovery_figure(improved_share: np.ndarray, first_improved: np.ndarray, never_improved: int,
                    targets: Sequence[tuple[int, float, float, str]]) -> Figure:
    """The share not yet improved for the first time (a Kaplan-Meier style step curve; the only
    censoring is at the horizon), the share improved at each week, and the calibration targets
    (week, value, tolerance, source) with error bars of plus or minus the tolerance.

    From totals, not patients: ``first_improved`` counts the patients first improved in each week
    0, 1, ..., and ``never_improved`` those who never were."""
    improved_share = np.asarray(improved_share, dtype=float)
    first = np.asarray(first_improved, dtype=np.int64)
    patients = int(first.sum()) + int(never_improved)
    if patients == 0:
        raise ValueError("no patients: first_improved and never_improved are empty")
    weeks = np.arange(len(improved_share))
    # Patients first improved by each week (a first improvement after the horizon counts nowhere).
    by_week = np.cumsum(np.pad(first, (0, max(0, len(weeks) - len(first)))))[: len(weeks)]
    not_yet = 1 - by_week / patients

    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.step(weeks, 100 * not_yet, where="post", color="#c62828", linewidth=2,
            label="Not yet improved for the first time")
    ax.plot(weeks, 100 * improved_share, color="#1565c0", linewidth=2, label="Improved at that week")
    median = np.flatnonzero(not_yet <= 0.5)
    if median.size:
        ax.axvline(weeks[median[0]], color="#757575", linestyle=":",
                   label=f"Half first improved by week {weeks[median[0]]}")
    by_source: dict[str, list[tuple[int, float, float]]] = {}
    for week, value, tolerance, source in targets:
        by_source.setdefault(source, []).append((week, value, tolerance))
    markers = iter("osD^v<>p*h" * (1 + len(by_source) // 10))
    for source, points in by_source.items():
        week, value, tolerance = (np.array(column, dtype=float) for column in zip(*points))
        ax.errorbar(week, 100 * value, yerr=100 * tolerance, fmt=next(markers), color="#212121", capsize=5,
                    markersize=7, linestyle="none", label=f"Target \u00b1 tolerance: {source}")
    ax.set(xlim=(0, weeks[-1] + 1), ylim=(0, 100))  # room for a target at the horizon
    ax.yaxis.set_major_formatter(PercentFormatter())
    label_axes(ax, f"Recovery of {patients:,} simulated patients", "Weeks since onset", "Share of the cohort")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=10)
    return fig


def recovery_plot(improved_share: np.ndarray, first_improved: np.ndarray, never_improved: int,
                  targets: Sequence[tuple[int, float, float, str]], path: str | Path) -> Path:
    """Write ``recovery_figure`` to ``path`` (.png or .svg)."""
    return save_figure(recovery_figure(improved_share, first_improved, never_improved, targets), path)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as PNG or SVG (from the suffix): all of it or nothing, the same bytes each time."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in SAVE:
        raise ValueError(f"cannot tell the format from `{path.name}`; use .png or .svg")
    write_atomic(path, figure_bytes(fig, fmt))  # a temporary file in the same folder, then os.replace
    return path


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """``fig`` as PNG or SVG bytes, the same bytes each time."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "sciatica"}):  # SVG ids from a fixed salt, not random
        fig.savefig(buffer, format=fmt, dpi=DPI, **SAVE[fmt])
    return buffer.getvalue()


def pngs(plots: dict[str, tuple[tuple, dict]]) -> dict[str, bytes]:
    """Several plots as PNG bytes: `plots` maps each kind ("occupancy", "recovery") to its
    ``*_figure`` arguments (args, kwargs)."""
    return {kind: png(kind, *args, **kwargs) for kind, (args, kwargs) in plots.items()}


def png(kind: str, *args, **kwargs) -> bytes:
    """The "occupancy" or "recovery" figure (its ``*_figure`` arguments) as PNG bytes: what a
    worker process draws and sends back, to be written where ``*_plot`` would write it."""
    figure = {"occupancy": occupancy_figure, "recovery": recovery_figure}[kind]
    return figure_bytes(figure(*args, **kwargs), "png")


def label_axes(ax, title: str, xlabel: str, ylabel: str) -> None:
    """Title and axis labels in the cohort plots' sizes (the review packet's plots use it too)."""
    ax.set_title(title, fontsize=14, fontweight="bold")
    ax.set_xlabel(xlabel, fontsize=12)
    ax.set_ylabel(ylabel, fontsize=12)
    ax.tick_params(labelsize=11)


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, 32)) or label
