"""queues.png: orders waiting at each resource at the end of each week (deterministic bytes, as
simulations.results.plots draws every plot)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..results.plots import DPI, SIZE, figure_bytes, label_axes
from .queues import BOOKED


def queues_figure(waiting: np.ndarray, labels: dict[str, str]) -> Figure:
    """A line per resource that ever had a queue: orders waiting at the end of each week."""
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    weeks = np.arange(waiting.shape[0])
    for r, name in enumerate(BOOKED):
        if waiting[:, r].any():
            ax.plot(weeks, waiting[:, r], linewidth=2, label=labels.get(name, name))
    ax.set(xlim=(0, max(1, weeks[-1])), ylim=(0, None))
    label_axes(ax, "Orders waiting at each resource, week by week", "Weeks since onset",
               "Orders waiting at the end of the week")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=10, frameon=False)
    return fig


def queues_png(result) -> bytes:
    labels = {name: r.label for name, r in result.capacity.resources.items()}
    return figure_bytes(queues_figure(result.totals.capacity.waiting, labels), "png")
