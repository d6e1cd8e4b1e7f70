"""sweep.png: each reported figure against the parameters that move it. Small multiples, one row
per figure and one column per parameter, while figures x parameters is at most MAX_PANELS; past
that (a PSA of a dozen parameters and a dozen figures would need 150 panels, each an Axes that
matplotlib is slow to lay out and draw), one heat map of the Spearman rank correlation of each
figure with each parameter across the sets: a picture of fixed cost, a cell per pair."""

from __future__ import annotations

import textwrap

import numpy as np

from .sweep_figures import figure_label
from .sweep_run import SweepResult

MAX_PANELS = 16  # more, and small multiples are slow to draw and too small to read
BLUE = "#1565c0"


def influence(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(figures, parameters) Spearman rank correlation of each figure with each parameter (0
    where either does not vary, or a figure is missing in some set)."""
    from scipy.stats import rankdata

    def ranked(a: np.ndarray) -> np.ndarray:
        r = rankdata(a, axis=0)
        r = r - r.mean(axis=0)
        norm = np.sqrt((r * r).sum(axis=0))
        return np.divide(r, norm, out=np.zeros_like(r), where=norm > 0)

    ok = np.isfinite(y).all(axis=0)
    rho = ranked(x).T @ ranked(np.where(np.isfinite(y), y, 0.0))  # (parameters, figures)
    return np.where(ok[None, :], rho, 0.0).T


def reference_sets(result: SweepResult) -> tuple[np.ndarray, np.ndarray]:
    """The reference strategy's (or only) sets: x (sets, parameters) and y (sets, figures)."""
    plan = result.plan
    first = [r for r in result.sets if r.strategy == (plan.strategies[0].name if plan.strategies else "")]
    x = np.array([r.values for r in first], dtype=float).reshape(len(first), len(plan.names))
    y = np.array([r.figures for r in first], dtype=float).reshape(len(first), len(plan.report))
    return x, y


def sweep_figure(result: SweepResult):
    """Small multiples, or past MAX_PANELS the heat map of rank correlations."""
    plan = result.plan
    if len(plan.names) * len(plan.report) > MAX_PANELS:
        return correlation_figure(result)
    return panels_figure(result)


def correlation_figure(result: SweepResult):
    """A cell per figure (row) and parameter (column): the rank correlation across the sets of
    the reference strategy, blue where the figure rises with the parameter, red where it falls."""
    from matplotlib.figure import Figure

    from ..results.plots import DPI

    plan = result.plan
    rho = influence(*reference_sets(result))
    rows, cols = rho.shape
    fig = Figure(figsize=(4.5 + 0.55 * cols, 3.2 + 0.42 * rows), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(rho, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    for i in range(rows):
        for j in range(cols):
            ax.text(j, i, f"{rho[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(rho[i, j]) > 0.6 else "black")
    ax.set_xticks(range(cols), [f"p{j + 1} {n}" for j, n in enumerate(plan.names)], rotation=90, fontsize=8)
    ax.set_yticks(range(rows), [f"{figure_label(k)[0]} ({figure_label(k)[1]})" for k in plan.report], fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8).set_label("Spearman rank correlation across the sets", fontsize=9)
    reference = f" (strategy {plan.strategies[0].name})" if plan.strategies else ""
    fig.suptitle(_title(result) + f"\nrank correlation of each figure with each parameter{reference}", fontsize=11)
    return fig


def panels_figure(result: SweepResult):
    """Small multiples: a line for a one-parameter grid, points otherwise (each point one set);
    with strategies, each strategy's points in its colour."""
    from matplotlib.figure import Figure

    from ..results.plots import DPI
    from .sweep_psa_plots import COLOURS

    plan = result.plan
    rows, cols = len(plan.report), len(plan.names)
    fig = Figure(figsize=(1.8 + 3.4 * cols, 1.6 + 2.4 * rows), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex="col", sharey="row")
    arms = [(s.name, COLOURS[j % len(COLOURS)]) for j, s in enumerate(plan.strategies)] or [("", BLUE)]
    line = plan.kind == "grid" and len(plan.names) == 1
    for i, key in enumerate(plan.report):
        label, unit = figure_label(key)
        values = np.array([r.figures[i] for r in result.sets], dtype=float)
        for j in range(cols):
            ax = axes[i][j]
            for name, colour in arms:
                pts = np.array([(r.values[j], r.figures[i]) for r in result.sets if r.strategy == name], dtype=float)
                order = np.argsort(pts[:, 0], kind="stable") if line else slice(None)
                style = dict(marker="o", linewidth=2) if line else dict(linestyle="none", marker="o", markersize=4,
                                                                          alpha=0.6)
                ax.plot(pts[order, 0], pts[order, 1], color=colour, label=name or None, **style)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=9)
            if i == rows - 1:
                ax.set_xlabel(plan.names[j].replace(".", ".\n", 1), fontsize=10)
        axes[i][0].set_ylabel("\n".join(textwrap.wrap(f"{label} ({unit})", 24)), fontsize=10)
        axes[i][0].set_ylim(*_honest_range(values, unit))  # shared along the row
        axes[i][0].ticklabel_format(axis="y", useOffset=False, style="plain")
    if plan.strategies:
        fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=len(arms), fontsize=10)
    fig.suptitle(_title(result), fontsize=12)
    return fig


def _title(result: SweepResult) -> str:
    plan, s = result.plan, result.plan.settings
    rows, cols = len(plan.report), len(plan.names)
    title = plan.question or f"Sensitivity of {rows} figure{'s' * (rows != 1)} to {cols} parameter{'s' * (cols != 1)}"
    return "\n".join(textwrap.wrap(title, 90)) + (f"\n{len(plan.sets):,} parameter sets ({plan.kind}), {s.patients:,} patients each, "
                               f"{s.weeks} weeks, seed {s.seed}")


def _honest_range(values, unit: str) -> tuple[float, float]:
    """A y range that shows a difference at its size: autoscaling would stretch 73.84% against
    73.86% over the whole axis. The range spans at least 10 points of a percentage, else a tenth
    of the values' size (at least 1), and stays within 0-100% and above zero where the values do."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = 1.1 * max(high - low, 10.0 if unit == "%" else max(0.1 * max(abs(low), abs(high)), 1.0))
    bottom = (low + high - span) / 2
    if low >= 0:
        bottom = max(bottom, 0.0)
    if unit == "%" and high <= 100:
        bottom = min(bottom, 100.0 - span) if span <= 100 else 0.0
        bottom = max(bottom, 0.0)
    return bottom, bottom + span
