"""The probabilistic sensitivity analysis drawn: the cost-effectiveness plane (each draw's
incremental QALYs and cost of each strategy against the reference, with the thresholds as lines
through the origin) and the cost-effectiveness acceptability curve. Bytes are fixed for fixed
inputs (plots.figure_bytes strips the date and the software version)."""

from __future__ import annotations

import numpy as np

from .sweep_psa import Psa, acceptability, wtp_grid

COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e", "#ad1457", "#558b2f",
           "#283593")  # one per strategy (at most sweep_strategies.MAX_STRATEGIES)
LINES = ("--", ":")  # the lower and higher threshold


def ce_plane_figure(psa: Psa, title: str = ""):
    """Incremental QALYs (x) and cost (y) per patient of each strategy against the reference, a
    point per draw, the mean as a cross; lines of slope at each threshold: below a line is cost-
    effective at it."""
    from matplotlib.figure import Figure

    from ..results.plots import DPI

    fig = Figure(figsize=(7.5, 6), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    d_cost, d_qalys = psa.cost[:, 1:] - psa.cost[:, :1], psa.qalys[:, 1:] - psa.qalys[:, :1]
    for j, name in enumerate(psa.strategies[1:]):
        colour = COLOURS[(j + 1) % len(COLOURS)]
        ax.plot(d_qalys[:, j], d_cost[:, j], linestyle="none", marker="o", markersize=3, alpha=0.45, color=colour,
                label=f"{name} - {psa.strategies[0]}")
        ax.plot(d_qalys[:, j].mean(), d_cost[:, j].mean(), marker="X", markersize=11, color=colour,
                markeredgecolor="black", linestyle="none")
    reach = max(float(np.abs(d_qalys).max(initial=0.0)), 1e-4) * 1.15
    ax.set_xlim(-reach, reach)
    xs = np.array([-reach, reach])
    for wtp, style in zip(psa.thresholds, LINES):
        ax.plot(xs, wtp * xs, linestyle=style, color="#424242", linewidth=1.2, label=f"£{wtp:,.0f} per QALY")
    ax.axhline(0, color="#9e9e9e", linewidth=0.8)
    ax.axvline(0, color="#9e9e9e", linewidth=0.8)
    ymax = max(float(np.abs(d_cost).max(initial=0.0)), 1.0) * 1.15
    ax.set_ylim(-ymax, ymax)
    ax.set_xlabel("incremental QALYs per patient")
    ax.set_ylabel("incremental cost per patient (£)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    ax.set_title(title or f"Cost-effectiveness plane: {psa.cost.shape[0]:,} draws (X: the mean)", fontsize=11)
    return fig


def ceac_figure(psa: Psa, title: str = ""):
    """The share of draws in which each strategy has the highest net monetary benefit, at each
    threshold from £0 to £50,000 per QALY."""
    from matplotlib.figure import Figure

    from ..results.plots import DPI

    wtps = wtp_grid()
    curve = acceptability(psa, wtps)
    fig = Figure(figsize=(7.5, 5), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    for j, name in enumerate(psa.strategies):
        ax.plot(wtps, curve[:, j], color=COLOURS[j % len(COLOURS)], linewidth=2, label=name)
    for wtp, style in zip(psa.thresholds, LINES):
        ax.axvline(wtp, linestyle=style, color="#424242", linewidth=1)
    ax.set_xlim(wtps[0], wtps[-1])
    ax.set_ylim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(lambda x, _: f"£{x:,.0f}")
    ax.set_xlabel("willingness to pay per QALY")
    ax.set_ylabel("probability of the highest net benefit")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(title or f"Cost-effectiveness acceptability curve: {psa.cost.shape[0]:,} draws", fontsize=11)
    return fig
