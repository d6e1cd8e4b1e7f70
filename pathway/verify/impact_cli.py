"""`sciatica impact OLD [NEW]`: which patients a change routes differently, in words."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import click

from ..cli import two_versions
from ..compare import diff_pathways, version_warning
from ..files import fail
from ..render import finding_words
from .impact import Impact, VocabularyMismatch, box_text, example_visits, impact

NO_CHANGE = "No patient is routed differently."


@click.command("impact")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@click.option("--simulate", "patients", type=click.IntRange(min=1), metavar="N",
              help="Also run N simulated patients through both versions (the same patients in both) "
                   "and show the summary figures the change moves.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="Seed of the simulated patients.")
def impact_command(old: Path, new: Path | None, patients: int | None, seed: int) -> None:
    """Which patients pathway NEW routes differently from OLD (with one pathway: from the shipped
    one), at a visit from any state they can rest in: every case decided exactly, grouped for a
    reader, each group with its count and an example patient run through both versions."""
    before, after = two_versions(old, new)
    simulate = _simulator() if patients else None  # before the long work: a missing part fails at once
    try:
        result = impact(before, after)
    except VocabularyMismatch as err:
        fail(f"cannot compare the visits: {err}")
    warning = version_warning(before, after)
    if warning:
        click.echo(warning, err=True)
    click.echo(impact_text(result), nl=False)
    if simulate is not None:
        click.echo("\nSimulated consequence:")
        click.echo(simulate(before, after, patients, seed), nl=False)
    sys.exit(0)


def _simulator():
    """The simulated consequence, from the `simulations` package when it is installed."""
    found = [ep for ep in entry_points(group="sciatica.impact") if ep.name == "cohort"]
    if not found:
        fail("--simulate needs the simulator (the `simulations` package), which is not installed")
    return found[0].load()


def impact_text(result: Impact) -> str:
    old, new = result.old, result.new
    lines = [f"Impact of {new.name} {new.version} ({new.content_hash[:12]}) against "
             f"{old.name} {old.version} ({old.content_hash[:12]})"]
    if diff_pathways(old, new).requirements_changed:
        lines.append("The safety requirements changed too: see `sciatica diff`; that change needs sign-off.")
    if result.none:
        return "\n".join(lines + [NO_CHANGE]) + "\n"
    cases = sum(c.cases for c in result.changed)
    lines.append(f"{len(result.changed)} groups of patients are routed differently: {cases:,} of "
                 f"{result.cases:,} cases (each resting state with each patient class).")
    for n, changed in enumerate(result.changed, 1):
        lines += ["", *_group(result, changed, n)]
    return "\n".join(lines) + "\n"


def _group(result: Impact, changed, n: int) -> list[str]:
    old, new = result.old, result.new
    who = "exactly these patients" if changed.box.exact else "some of these patients (the example is one)"
    lines = [*textwrap.wrap(f"{n:>2}. {box_text(new, result.sym, changed.box)}", 100, subsequent_indent="    "),
             *textwrap.wrap("resting in: " + ", ".join(new.state[s].label for s in changed.starts), 96,
                            initial_indent="    ", subsequent_indent="      "),
             f"    {changed.cases:,} cases: {who}",
             f"    before: {changed.before.text(old)}",
             f"    after:  {changed.after.text(new)}"]
    example = changed.example
    said = "; ".join(finding_words(k, v, new) for k, v in example.items()
                     if k in new.finding and not new.finding[k].is_input and v is not False
                     and v != new.finding[k].default)
    lines += textwrap.wrap(f"for example, aged {example['age']} at week {example['week']}: {said or 'every answer calm'}",
                           100, initial_indent="    ", subsequent_indent="      ")
    for label, spec, visit in zip(("before", "after"), (old, new), example_visits(result, changed)):
        path = " -> ".join([spec.state[visit.start].label] + [spec.state[s].label for s in visit.entered]) or "stays"
        fired = ", ".join(s.transition for s in visit.steps)
        lines += textwrap.wrap(f"{label}: {path} [{fired}]", 100, initial_indent="      ", subsequent_indent="        ")
    return lines
