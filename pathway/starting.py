"""Getting started: a copy of the shipped pathway to edit (`sciatica init`), and a patient file
to fill in (`sciatica patient-template`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from .files import fail, write_or_exit
from .shipped import example_patients, shipped_pathway
from .spec import PathwaySpec
from .validate import baseline


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
def init(folder: Path) -> None:
    """Copy the shipped pathway (every file: states, transitions, safety requirements, hazard log)
    into FOLDER to edit, with an example patient; then give FOLDER to any command."""
    if folder.exists() and any(folder.iterdir()):
        fail(f"{folder}: the folder exists and is not empty; give a new folder")
    if not folder.parent.is_dir():
        fail(f"{folder}: the folder {folder.parent} does not exist")
    shutil.copytree(shipped_pathway(), folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    example = example_patients()[0]
    shutil.copyfile(example, folder / f"example-patient-{example.name}")
    click.echo(f"copied the shipped pathway to {folder}. Next:\n"
               f"  sciatica validate {folder}        every problem, as file:line\n"
               f"  sciatica check {folder}           the safety properties, proved\n"
               f"  sciatica diff {folder}            what you changed from the shipped pathway\n"
               f"  sciatica impact {folder}          which patients your change routes differently\n"
               f"  sciatica assess {folder / ('example-patient-' + example.name)} --pathway {folder}")


def patient_template(spec: PathwaySpec) -> dict:
    """A patient file to fill in: one visit with every finding, the calm answer given for each
    question except the red-flag questions (left unanswered: a red flag is never assumed no), and
    each question in words under `_questions` (ignored when the file is read)."""
    calm = baseline(spec)
    asked = [f for f in spec.findings if not f.is_input]
    findings = {f.name: None if f.red_flag else calm[f.name] for f in asked}
    questions = {f.name: f"{f.question} ({f.domain_text()}{'; red flag: must be answered' if f.red_flag else ''})"
                 for f in asked}
    return {"_questions": questions, "age": None, "visits": [{"week": 0, "findings": findings}]}


@click.command("patient-template")
@click.option("--pathway", type=click.Path(path_type=Path), help="Pathway folder (default: the shipped one).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here (default: standard output).")
def patient_template_command(pathway: Path | None, out: Path | None) -> None:
    """A patient JSON file to fill in: every finding of one visit, calm answers filled in except the
    red-flag questions (null until answered), each question in words beside it under `_questions`."""
    from .cli import load_or_exit

    text = json.dumps(patient_template(load_or_exit(pathway)), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        write_or_exit(out, text.encode("utf-8"))
        click.echo(f"wrote {out}: fill in the age, the week and every red-flag answer, then `sciatica assess {out}`",
                   err=True)
