"""A sensitivity sweep run and told: one cohort per parameter set (simulations.sweep reads the
plan), then the table, the CSV and the small-multiple plots, written together or not at all."""

from __future__ import annotations

import csv
import io
import math
import textwrap
from pathlib import Path

from .summary import shown as figure_text
from .sweep_figures import figure_label
from .sweep_run import SetResult, SweepResult, run_sweep
from .sweep_words import number_text

WIDTH = 100  # console lines: tables split into blocks, legends wrapped


# -- outputs -------------------------------------------------------------------------------------

OUTPUTS = ("sweep.csv", "sweep.txt", "sweep.png")


def write_sweep(result: SweepResult, out: str | Path) -> Path:
    """Write sweep.csv, sweep.txt and sweep.png into `out`, all together or none."""
    from .folder import OutputFolder
    from .plots import figure_bytes

    with OutputFolder(Path(out)) as folder:
        folder.write("sweep.csv", sweep_csv(result))
        folder.write("sweep.txt", sweep_text(result))
        folder.write("sweep.png", figure_bytes(sweep_figure(result), "png"))
    return Path(out)


def sweep_csv(result: SweepResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("set", *result.plan.names, *result.plan.report, "parameters_hash"))
    for row in result.sets:
        writer.writerow((row.number, *map(_csv_number, row.values), *map(_csv_number, row.figures), row.parameters_hash))
    return buffer.getvalue()


def sweep_text(result: SweepResult) -> str:
    plan, spec, base = result.plan, result.spec, result.base
    s = plan.settings
    if plan.kind == "grid":
        sizes = " x ".join(str(len(v.values)) for v in plan.varied)
        design = f"grid of {sizes} = {len(plan.sets):,} parameter sets (every combination, in file order)"
    else:
        design = f"sample of {len(plan.sets):,} parameter sets (values drawn with sample_seed {plan.sample_seed})"
    lines = [
        f"Sensitivity sweep: {plan.question or Path(plan.source).name}",
        f"pathway:    {spec.name} {spec.version} (sha256 {spec.content_hash})",
        f"parameters: {Path(base.source).name} (sha256 {base.content_hash})",
        f"sweep:      {Path(plan.source).name}, {design}",
        f"cohort:     {s.patients:,} patients per set, {s.weeks} weeks, seed {s.seed} (the same patients in every set)",
        "",
        "Varied (base value in the parameter file):",
    ]
    for j, v in enumerate(plan.varied, 1):
        lines += textwrap.wrap(f"p{j}  {v.name}  {v.kind.value}, base {number_text(base.value(v.name))}: {v.text()}",
                               WIDTH, initial_indent="  ", subsequent_indent="        ")
    lines += ["", *_table(result), ""]
    if plan.kind == "sample":
        lines += [f"Across the {len(plan.sets):,} sets:", *_spread(result), ""]
    lines.append("Figures:")
    width = max(len(k) for k in plan.report)
    for i, key in enumerate(plan.report, 1):
        label, unit = figure_label(key)
        lines += textwrap.wrap(f"{'f' + str(i):<3} {key:<{width}}  {label} ({unit})", WIDTH, initial_indent="  ",
                               subsequent_indent="        ")
    return "\n".join(lines) + "\n"


def _table(result: SweepResult) -> list[str]:
    """One row per parameter set; columns headed p1.. (varied) and f1.. (figures), named in the
    legends above and below, and split into blocks so that no line passes 100 columns."""
    plan = result.plan
    digits = 4 if plan.kind == "sample" else 6
    sets = ("set", [str(r.number) for r in result.sets])
    columns = [(f"p{j + 1}", [number_text(r.values[j], digits) for r in result.sets]) for j in range(len(plan.names))]
    columns += [(f"f{i + 1}", [figure_text(r.figures[i], figure_label(key)[1]) for r in result.sets])
                for i, key in enumerate(plan.report)]
    columns.append(("parameters", [r.parameters_hash[:12] for r in result.sets]))
    lines: list[str] = []
    for block in _blocks([sets, *columns], sets):
        widths = [max(len(head), *(len(c) for c in cells)) for head, cells in block]
        lines += [*([""] if lines else []), "  ".join(f"{head:>{w}}" for (head, _), w in zip(block, widths))]
        lines += ["  ".join(f"{cells[i]:>{w}}" for (_, cells), w in zip(block, widths)) for i in range(len(result.sets))]
    return lines


def _blocks(columns: list, first, limit: int = WIDTH) -> list[list]:
    """The columns in blocks of at most `limit` characters a line, each block led by `first`."""
    def width(column) -> int:
        head, cells = column
        return max(len(head), *(len(c) for c in cells)) + 2

    blocks, current = [], [first]
    for column in columns[1:]:
        if len(current) > 1 and sum(map(width, current)) + width(column) > limit:
            blocks.append(current)
            current = [first]
        current.append(column)
    return [*blocks, current]


def _spread(result: SweepResult) -> list[str]:
    import numpy as np

    plan = result.plan
    width = max(len(k) for k in plan.report)
    lines = [f"  {'figure':<{width}}  {'mean':>10}  {'2.5%':>10}  {'97.5%':>10}  unit"]
    for i, key in enumerate(plan.report):
        unit = figure_label(key)[1]
        values = np.array([r.figures[i] for r in result.sets], dtype=float)
        values = values[~np.isnan(values)]
        if len(values):
            mean, low, high = float(values.mean()), *(float(q) for q in np.quantile(values, [0.025, 0.975]))
        else:
            mean = low = high = float("nan")
        lines.append(f"  {key:<{width}}  {figure_text(mean, unit):>10}  {figure_text(low, unit):>10}  {figure_text(high, unit):>10}  {unit}")
    return lines


def sweep_figure(result: SweepResult):
    """Small multiples: one row per reported figure, one column per varied parameter; a line for a
    one-parameter grid, points otherwise (each point one parameter set)."""
    import textwrap

    import numpy as np
    from matplotlib.figure import Figure

    from .plots import DPI

    plan = result.plan
    rows, cols = len(plan.report), len(plan.names)
    x = np.array([r.values for r in result.sets], dtype=float).reshape(len(result.sets), cols)
    y = np.array([r.figures for r in result.sets], dtype=float).reshape(len(result.sets), rows)
    fig = Figure(figsize=(min(1.8 + 3.4 * cols, 60), min(1.6 + 2.4 * rows, 60)), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex="col", sharey="row")
    line = plan.kind == "grid" and cols == 1
    for i, key in enumerate(plan.report):
        label, unit = figure_label(key)
        for j, name in enumerate(plan.names):
            ax = axes[i][j]
            if line:
                order = np.argsort(x[:, j], kind="stable")
                ax.plot(x[order, j], y[order, i], marker="o", color="#1565c0", linewidth=2)
            else:
                ax.plot(x[:, j], y[:, i], linestyle="none", marker="o", markersize=4, alpha=0.6, color="#1565c0")
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=9)
            if i == rows - 1:
                ax.set_xlabel(name.replace(".", ".\n", 1), fontsize=10)
            if j == 0:
                ax.set_ylabel("\n".join(textwrap.wrap(f"{label} ({unit})", 24)), fontsize=10)
        axes[i][0].set_ylim(*_honest_range(y[:, i], unit))  # shared along the row
        axes[i][0].ticklabel_format(axis="y", useOffset=False, style="plain")
    s = plan.settings
    title = plan.question or f"Sensitivity of {rows} figure{'s' * (rows != 1)} to {cols} parameter{'s' * (cols != 1)}"
    fig.suptitle("\n".join(textwrap.wrap(title, 90)) + f"\n{len(result.sets):,} parameter sets ({plan.kind}), "
                 f"{s.patients:,} patients each, {s.weeks} weeks, seed {s.seed}", fontsize=12)
    return fig


def _honest_range(values, unit: str) -> tuple[float, float]:
    """A y range that shows a difference at its size: autoscaling would stretch 73.84% against
    73.86% over the whole axis. The range spans at least 10 points of a percentage, else a tenth
    of the values' size (at least 1), and stays within 0-100% and above zero where the values do."""
    import numpy as np

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


def _csv_number(value: float) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
