"""A sensitivity sweep run and told: one cohort per parameter set (simulations.analyses.sweep reads the
plan), then the table, the CSV and the small-multiple plots, written together or not at all."""

from __future__ import annotations

import csv
import io
import math
import textwrap
from pathlib import Path

from ..results.summary import shown as figure_text
from .sweep_figures import figure_label
from .sweep_picture import sweep_figure
from .sweep_run import SetResult, SweepResult, run_sweep
from .sweep_words import number_text

WIDTH = 100  # console lines: tables split into blocks, legends wrapped


# -- outputs -------------------------------------------------------------------------------------

OUTPUTS = ("sweep.csv", "sweep.txt", "sweep.png")
TABLE = ("psa.csv", "psa.parquet", "codebook.json")  # with strategies
PSA = ("psa.json", "ce-plane.png", "ceac.png")  # with strategies, for a sample


def outputs(plan) -> tuple[str, ...]:
    """The files a sweep of this plan writes."""
    return OUTPUTS + (TABLE if plan.strategies else ()) + (PSA if plan.strategies and plan.kind == "sample" else ())


def write_sweep(result: SweepResult, out: str | Path) -> Path:
    """Write the plan's outputs into `out` (sweep.csv, sweep.txt and sweep.png; with strategies
    the tidy table and, for a sample, the PSA's), all together or none."""
    from ..results.folder import OutputFolder
    from ..results.plots import figure_bytes

    with OutputFolder(Path(out)) as folder:
        folder.write("sweep.csv", sweep_csv(result))
        folder.write("sweep.txt", sweep_text(result))
        folder.write("sweep.png", figure_bytes(sweep_figure(result), "png"))
        if result.plan.strategies:
            from .sweep_table import table_codebook, table_csv, table_parquet

            folder.write("psa.csv", table_csv(result))
            folder.write("psa.parquet", table_parquet(result))
            folder.write("codebook.json", table_codebook(result))
        if result.plan.strategies and result.plan.kind == "sample":
            from .sweep_psa import psa_json, psa_of
            from .sweep_psa_plots import ce_plane_figure, ceac_figure

            psa = psa_of(result)
            folder.write("psa.json", psa_json(psa))
            folder.write("ce-plane.png", figure_bytes(ce_plane_figure(psa), "png"))
            folder.write("ceac.png", figure_bytes(ceac_figure(psa), "png"))
    return Path(out)


def sweep_csv(result: SweepResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    arm = ("strategy",) if result.plan.strategies else ()
    writer.writerow(("set", *arm, *result.plan.names, *result.plan.report, "parameters_hash"))
    for row in result.sets:
        writer.writerow((row.number, *((row.strategy,) if arm else ()), *map(_csv_number, row.values),
                         *map(_csv_number, row.figures), row.parameters_hash))
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
        *_pathways(result),
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
        for name in [s.name for s in plan.strategies] or [""]:
            lines += [f"Across the {len(plan.sets):,} sets{f' ({name})' if name else ''}:", *_spread(result, name), ""]
    if plan.strategies and plan.kind == "sample":
        from .sweep_psa import psa_of, psa_text

        lines += [*psa_text(psa_of(result)), ""]
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
    columns = [("strategy", [r.strategy for r in result.sets])] if plan.strategies else []
    columns += [(f"p{j + 1}", [number_text(r.values[j], digits) for r in result.sets]) for j in range(len(plan.names))]
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


def _pathways(result: SweepResult) -> list[str]:
    """Which pathway ran: the one, or each strategy's."""
    if not result.plan.strategies:
        spec = result.spec
        return [f"pathway:    {spec.name} {spec.version} (sha256 {spec.content_hash})"]
    lines = ["strategies: (the same patients, each parameter set on each; the first is the reference)"]
    for s in result.plan.strategies:
        lines.append(f"  {s.name}: {s.folder} - {s.spec.name} {s.spec.version} (sha256 {s.spec.content_hash[:12]})")
    return lines


def _spread(result: SweepResult, strategy: str = "") -> list[str]:
    import numpy as np

    plan = result.plan
    width = max(len(k) for k in plan.report)
    lines = [f"  {'figure':<{width}}  {'mean':>10}  {'2.5%':>10}  {'97.5%':>10}  unit"]
    for i, key in enumerate(plan.report):
        unit = figure_label(key)[1]
        values = np.array([r.figures[i] for r in result.sets if r.strategy == strategy], dtype=float)
        values = values[~np.isnan(values)]
        if len(values):
            mean, low, high = float(values.mean()), *(float(q) for q in np.quantile(values, [0.025, 0.975]))
        else:
            mean = low = high = float("nan")
        lines.append(f"  {key:<{width}}  {figure_text(mean, unit):>10}  {figure_text(low, unit):>10}  {figure_text(high, unit):>10}  {unit}")
    return lines


def _csv_number(value: float) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
