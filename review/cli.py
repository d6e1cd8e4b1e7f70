"""`sciatica report`, registered through the `sciatica.commands` entry point."""

from __future__ import annotations

import os
import sys
import shlex
from pathlib import Path

import click

from pathway.cli import PATHWAY_ARG, exit_with_problems, load_or_exit
from pathway.errors import PathwayError
from pathway.files import check_folder, fail, write_or_exit
from pathway.loader import load_pathway
from pathway.resolve import resolve
from simulations.cli_inputs import (
    CAPACITY_OPT, CATCHMENTS_OPT, PARAMETERS_OPT, SEED_OPT, WEEKS_OPT, capacity_or_exit, load_parameters_or_exit,
    settings_or_exit,
)
from simulations.cli_inputs import fail as fail_with_problems

from .packet import SimulationRequest, build_packet
from .page import render_page


# Exit statuses: 0 written and safe to sign; 1 nothing written (bad input or a failed run);
# 3 written, but NOT SAFE TO SIGN (a property fails, or a control's evidence broke).
NOT_SAFE_TO_SIGN = 3


@click.command()
@PATHWAY_ARG
@click.option("--simulate", "patients", type=click.IntRange(min=1), metavar="N",
              help="Add a simulated cohort of N patients: summary, cohort flow, plots, calibration.")
@SEED_OPT
@WEEKS_OPT
@PARAMETERS_OPT
@click.option("--against", "old", type=click.Path(path_type=Path),
              help="Add what changed since pathway OLD (a previous version), on the diagram and as text.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=Path("report.html"),
              show_default=True, help="The HTML file to write (atomically: all of it or nothing).")
@click.option("--quiet", is_flag=True, help="Do not say what is being done.")
@CAPACITY_OPT
@CATCHMENTS_OPT
def report(pathway: Path | None, patients: int | None, seed: int, weeks: int, parameters: Path | None,
           old: Path | None, out: Path, quiet: bool, capacity: Path | None, catchments: int) -> None:
    """One self-contained HTML file to review and sign off a pathway version (default: the shipped
    one). It opens anywhere, with no network: the clickable diagram (each state and arrow shows
    its guard in words, rationale, urgency, imaging and sources), the decision tables, the safety
    requirements it is proved against (flagged when they changed: they need sign-off), the
    exhaustive verification with its certificate and any counterexample stories, a simulated
    cohort (--simulate; with --capacity, waits from each resource's slots and whether the safety
    timescales still hold), the changes since a previous version (--against), a reproducibility
    block and a sign-off section. Exits 0 when written and safe to sign, 3 when written but NOT SAFE
    TO SIGN (a property fails, or the evidence of a hazard-log control broke), 1 when nothing was
    written.
    """
    _check_writable(out)  # before minutes of work, not after
    spec = load_or_exit(pathway)
    against = _load_against(old) if old is not None else None
    request = None
    if capacity is not None and patients is None:
        fail("--capacity needs --simulate N (it changes the simulated cohort's waits)")
    if patients is not None:
        settings = settings_or_exit(patients, seed, weeks)
        request = SimulationRequest(patients, seed, weeks, load_parameters_or_exit(parameters),
                                    capacity_or_exit(capacity, catchments, settings))
    say = (lambda step: None) if quiet else (lambda step: click.echo(f"{step}...", err=True))
    try:
        packet = build_packet(spec, request, against, progress=say)
    except PathwayError as err:  # SimulationError, WorkerLost: nothing is written
        fail_with_problems(err)
    page = render_page(packet, _command(pathway, patients, seed, weeks, parameters, old, capacity, catchments))
    write_or_exit(out, page.encode("utf-8"))
    verdict = "safe to sign" if packet.safe_to_sign else "NOT SAFE TO SIGN"
    click.echo(f"wrote {out} ({len(page) / 1e6:.1f} MB): {spec.name} {spec.version}, {verdict}")
    if not packet.safe_to_sign:
        sys.exit(NOT_SAFE_TO_SIGN)


def _check_writable(out: Path) -> None:
    check_folder(out)
    if not os.access(out.parent, os.W_OK | os.X_OK):
        fail(f"{out}: cannot write: the folder {out.parent} is not writable")


def _load_against(old: Path):
    try:
        return load_pathway(resolve(old))  # `shipped` names the installed pathway here too
    except PathwayError as err:
        exit_with_problems(err, f"the --against pathway {old}")


def _command(pathway, patients, seed, weeks, parameters, old, capacity=None, catchments=1) -> str:
    """The command that makes this packet again (without --out, which does not change it)."""
    words = ["sciatica", "report"] + ([str(pathway)] if pathway else [])
    if patients is not None:
        words += ["--simulate", str(patients), "--seed", str(seed), "--weeks", str(weeks)]
        words += ["--parameters", str(parameters)] if parameters else []
        if capacity is not None:
            words += ["--capacity"] + ([str(capacity)] if str(capacity) not in ("", ".") else [])
            words += ["--catchments", str(catchments)] if catchments != 1 else []
    words += ["--against", str(old)] if old else []
    return shlex.join(words)
