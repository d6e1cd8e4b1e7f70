"""The `sciatica` command line.

Start-up is most of a small command's time, so each command imports what it needs when it runs
(the loader, the engine, ...), and the commands other packages register (and `init` and
`patient-template`) are imported only when one of them is run.
"""

from __future__ import annotations

import functools
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .errors import PathwayError

if TYPE_CHECKING:
    from .spec import PathwaySpec

PATHWAY_ARG = click.argument("pathway", required=False, type=click.Path(path_type=Path))
PATHWAY_OPT = click.option("--pathway", "pathway", type=click.Path(path_type=Path),
                           help="Pathway folder (default, or `shipped`: the installed sciatica pathway).")


def load_or_exit(pathway: Path | str | None, what: str = "the pathway", quiet: bool = False) -> PathwaySpec:
    """Load a pathway (none or `shipped`: the installed one) or exit 1, printing every problem as
    file:line: message; say which pathway was used, on standard error, unless ``quiet`` (a warning
    that a checkout's own `states/` is not the one used is said all the same)."""
    from .loader import load_pathway
    from .resolve import announce, checkout_warning, resolve

    folder = resolve(pathway)
    warning = checkout_warning(folder)
    if warning:
        click.echo(warning, err=True)
    try:
        spec = load_pathway(folder)
    except PathwayError as err:
        exit_with_problems(err, what)
    if not quiet:
        announce(spec)
    return spec


def exit_with_problems(err: PathwayError, what: str) -> NoReturn:
    """Print every problem as file:line: message, then a count, and exit 1 (a file or folder that
    is not there is said to be missing, not invalid: no count)."""
    for problem in err.problems:
        click.echo(str(problem), err=True)
    if not err.missing:
        count = len(err.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; {what} is not valid.", err=True)
    sys.exit(1)


# Commands of this package imported only when run (as the registered ones are).
_OWN_LATER = {"init": "pathway.starting:init", "patient-template": "pathway.starting:patient_template_command"}


@functools.cache
def _registered() -> dict:
    """The commands other packages register, and this package's imported when run, by name (read
    once: scanning the metadata takes time)."""
    from importlib.metadata import EntryPoint, entry_points

    own = {name: EntryPoint(name, value, "sciatica.commands") for name, value in _OWN_LATER.items()}
    return {**own, **{ep.name: ep for ep in entry_points(group="sciatica.commands")}}


class _PluginGroup(click.Group):
    """Adds the commands other packages register under the `sciatica.commands` entry point
    (diagrams, simulations), so that the core never imports them."""

    def _plugins(self) -> dict:
        return _registered()

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:  # one of ours: no need to read the metadata
            return command
        plugin = self._plugins().get(name)
        return None if plugin is None else plugin.load()

    def format_commands(self, ctx, formatter):
        """The command list of `--help`, each plugin's line read from its source, not imported:
        importing every command (NumPy, the BDD library, ...) would take seconds."""
        from .plugin_help import plugin_help

        plugins, names = self._plugins(), self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)  # as click's own listing
        rows = []
        for name in names:
            command = super().get_command(ctx, name)
            rows.append((name, command.get_short_help_str(limit) if command is not None
                         else plugin_help(plugins[name], limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_PluginGroup)
@click.version_option(package_name="sciatica-pathway")
def main() -> None:
    """The sciatica care pathway as a validated, executable, explainable state machine."""


@main.command()
@PATHWAY_ARG
def validate(pathway: Path | None) -> None:
    """Check a pathway (default: the shipped one); list every problem as file:line: message."""
    spec = load_or_exit(pathway, quiet=True)  # it says which pathway itself
    escalations = sum(t.escalation for t in spec.transitions)
    screening = len({t.source for t in spec.transitions if t.escalation})
    click.echo(
        f"{spec.source}: valid - {spec.name} {spec.version}: {len(spec.states)} states ({len(spec.exits)} exits), "
        f"{len(spec.transitions)} transitions ({len(spec.red_flags)} red-flag escalations screening {screening} states, "
        f"{escalations} copies), {len(spec.findings)} findings, {len(spec.imaging_rules)} imaging rules\n"
        f"content hash {spec.content_hash}\n"
        f"safety requirements: {len(spec.safety.categories)} red-flag categories, safety.yaml sha256:{spec.safety.content_hash}"
    )


@main.command()
@click.argument("patient", type=click.Path(path_type=Path))
@PATHWAY_OPT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def assess(patient: Path, pathway: Path | None, as_json: bool) -> None:
    """Route one patient (a JSON file of visits, or FHIR: a QuestionnaireResponse or a Bundle of them,
    one per visit) through the pathway and explain each decision."""
    from .render import to_json, to_text

    spec = load_or_exit(pathway)
    trace = assess_or_exit(spec, patient)
    if as_json:
        click.echo(json.dumps(to_json(trace, spec), indent=2))
    else:
        click.echo(to_text(trace, spec), nl=False)


def assess_or_exit(spec: PathwaySpec, patient_file: Path):
    """Run one patient file through the pathway, or exit 1 naming every problem."""
    from .engine import Engine, FellThrough
    from .patients import load_patient

    try:
        return Engine(spec).run(load_patient(patient_file, spec))
    except PathwayError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except FellThrough as err:
        click.echo(f"{patient_file}: the pathway has a gap: {err}", err=True)
        sys.exit(1)


def two_versions(old: Path, new: Path | None) -> tuple[PathwaySpec, PathwaySpec]:
    """OLD and NEW as given; with one pathway only, it is NEW and OLD is the shipped one."""
    if new is None:
        old, new = None, old
    return load_or_exit(old), load_or_exit(new)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
def diff(old: Path, new: Path | None) -> None:
    """What changed from pathway OLD to NEW, as text. With one pathway, what changed from the
    shipped one (`shipped` names it anywhere a pathway is taken) to that one."""
    from .compare import diff_pathways, version_warning

    before, after = two_versions(old, new)
    warning = version_warning(before, after)
    if warning:
        click.echo(warning, err=True)
    click.echo(diff_pathways(before, after).text(), nl=False)


@main.command()
def demo() -> None:
    """A tour of the real thing on the shipped pathway, in about ten seconds: validate it, prove
    it safe (every red flag reaches the care it needs, from every state), route the ten example
    patients and tell one patient's story visit by visit with the guideline behind each step,
    then run a simulated cohort of 1,000 patients (imaging volumes, delays to urgent care,
    recovery). Each part names the command that does it in full."""
    from importlib.metadata import entry_points

    from .engine import Engine
    from .patients import load_patient
    from .render import to_text
    from .shipped import example_patients

    spec = load_or_exit(None)
    click.echo(f"Validated {spec.name} {spec.version}: {len(spec.states)} states, "
               f"{len(spec.transitions)} transitions, content hash {spec.content_hash[:12]}")
    from .verify import check_pathway  # the BDD library loads only for commands that check

    report = check_pathway(spec)
    mantissa, exponent = f"{report.cases:.1e}".split("e")
    click.echo(textwrap.fill(
        f"Safety check: {sum(v.holds for v in report.verdicts)} of {len(report.verdicts)} properties hold for "
        f"every combination of answers (about {mantissa}x10^{int(exponent)}), decided exhaustively in "
        f"{report.seconds:.2f} s (sciatica check for the detail)", 100) + "\n")
    engine = Engine(spec)
    traces = {path: engine.run(load_patient(path, spec)) for path in example_patients()}
    click.echo(f"{'example patient':40} {'most urgent':18} final state")
    for path, trace in traces.items():
        click.echo(_demo_row(path.stem, trace, spec))
    if traces:
        first, trace = next(iter(traces.items()))
        click.echo(f"\nThe story of {first.stem}:\n")
        click.echo(to_text(trace, spec), nl=False)
        click.echo("\nAssess your own: sciatica patient-template --out me.json, answer every question,\n"
                   "  then sciatica assess me.json\n"
                   "Edit a copy of the pathway: sciatica init mypathway, then give mypathway to any command\n"
                   "Review and sign off a version: sciatica report --simulate 10000 --out report.html\n"
                   "  (one HTML file: diagram, tables, proofs, cohort)")
    for section in entry_points(group="sciatica.demo"):  # e.g. a simulated cohort, from `simulations`
        click.echo("")
        section.load()(spec)


def _demo_row(name: str, trace, spec) -> str:
    """One example patient: the most urgent care any visit gave, where the patient rests, and the
    imaging ordered on the way (the last visit alone would hide an emergency already over)."""
    most = max(trace.visits, key=lambda v: v.urgency)
    urgent = f"{most.urgency.value} (week {most.week})" if most.urgency.value != "none" else "none"
    label = textwrap.wrap(spec.state[trace.final_state].label, 41)
    line = "\n".join([f"{name:40} {urgent:18} {label[0]}", *(f"{'':59} {more}" for more in label[1:])])
    ordered = [f"{v.imaging.words} (week {v.week})" for v in trace.visits if v.imaging.words != "no imaging"]
    return line + "".join(f"\n{'':41}imaging: {text}" for text in ordered)

