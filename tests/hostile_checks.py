"""The fuzz campaign's five kinds of input, each a strategy and a check (tests/hostile.py has the
mutations and the oracle). A check takes one drawn input and a scratch folder, and raises
hostile.Broken when the oracle fails."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import strategies as st

from hostile import REPO, Broken, Hang, mutated, only, originals, printable
from pathway import Engine, PathwayError, load_pathway, load_patient, shipped_pathway
from pathway.cli import main
from pathway.engine import FellThrough
from pathway.render import to_json, to_text
from pathway.yamlsource import read_yaml

STATES = shipped_pathway()
PATIENTS = REPO / "examples" / "patients"
PARAMETERS = REPO / "simulations" / "parameters.yaml"
SWEEPS = REPO / "simulations" / "sweeps"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# -- (a) pathway folders -----------------------------------------------------------------------------

def pathway_inputs():
    return mutated(originals(STATES, "*.yaml"))


def check_pathway(drawn: tuple[str, bytes], scratch: Path) -> None:
    """The file as the loader reads it; when it still reads as YAML, the whole folder loaded (a
    file that does not read fails the load with exactly its own problems: that part is quick)."""
    folder = scratch / "pathway"
    if not folder.is_dir():
        shutil.copytree(STATES, folder)
    name, data = drawn
    problems: list = []
    if only((), read_yaml, _write(folder, name, data), problems) is None:
        printable(PathwayError(problems or ["file is empty"]))
        shutil.copy(STATES / name, folder / name)
        return
    try:
        spec = only((PathwayError,), load_pathway, folder)
        if not isinstance(spec, PathwayError):
            only((), readers, spec)
    finally:
        shutil.copy(STATES / name, folder / name)


READ: set[str] = set()  # content hashes of the pathways read already: a change in a comment changes nothing


def readers(spec) -> None:
    """A pathway that loads is read by every command: each must manage it (an export may refuse
    ids its format cannot hold, with a ValueError the command reports), and its words must print."""
    if spec.content_hash in READ:
        return
    READ.add(spec.content_hash)
    from diagrams.dot import to_dot
    from diagrams.model import build_model
    from diagrams.tables import to_markdown
    from exports import FORMATS, export
    from pathway.verify import check_pathway

    to_markdown(spec).encode("utf-8")
    to_dot(build_model(spec)).encode("utf-8")
    for fmt in FORMATS:
        with contextlib.suppress(ValueError):
            export(spec, fmt).encode("utf-8")
    check_pathway(spec)
    engine = Engine(spec)
    for path in sorted(PATIENTS.glob("*.json")):
        with contextlib.suppress(PathwayError, FellThrough):
            to_text(engine.run(load_patient(path, spec)), spec).encode("utf-8")


# -- (b) patient files -----------------------------------------------------------------------------

SPEC = load_pathway(STATES)
ENGINE = Engine(SPEC)


def patient_inputs():
    return mutated(originals(PATIENTS, "*.json"), json_syntax=True)


def check_patient(drawn: tuple[str, bytes], scratch: Path) -> None:
    path = _write(scratch, "patient.json", drawn[1])
    patient = only((PathwayError,), load_patient, path, SPEC)
    if isinstance(patient, PathwayError):
        return
    trace = only((FellThrough,), ENGINE.run, patient)
    if not isinstance(trace, FellThrough):
        only((), lambda: (to_text(trace, SPEC).encode("utf-8"), json.dumps(to_json(trace, SPEC))))


# -- (c) parameter and sweep files -----------------------------------------------------------------

def parameter_inputs():
    return mutated({"parameters.yaml": PARAMETERS.read_bytes()})


def check_parameters(drawn: tuple[str, bytes], scratch: Path) -> None:
    from simulations import load_parameters
    from simulations.running.cohort import CohortSettings, simulate

    params = only((PathwayError,), load_parameters, _write(scratch, "parameters.yaml", drawn[1]))
    if not isinstance(params, PathwayError):  # accepted: then a small cohort must run, or say why not
        only((PathwayError,), simulate, SPEC, params, CohortSettings(4, 1, 12))


def sweep_inputs():
    return mutated(originals(SWEEPS, "*.yaml"))


def check_sweep(drawn: tuple[str, bytes], scratch: Path) -> None:
    from simulations import load_parameters
    from simulations.analyses.sweep import load_plan

    only((PathwayError,), load_plan, _write(scratch, "sweep.yaml", drawn[1]), load_parameters())


# -- (d) command-line arguments --------------------------------------------------------------------

# Paths: missing, empty, a folder where a file goes, a file where a folder goes, odd names. Paths to
# write to stay in the scratch folder (a command runs there, so "" and "." are in it too).
OUT_PATHS = ["{missing}", "", ".", "{scratch}", "{scratch}/ünï cödé ☃", "{scratch}/" + "a" * 300, "-", "--",
             "{scratch}/x\x1b[31m", "{scratch}/out.svg", "{scratch}/no/such/folder/out.html"]
PATHS = [*OUT_PATHS, str(REPO / "README.md"), str(PATIENTS / "01-improving-then-recovered.json"), str(STATES),
         str(STATES / "pathway.yaml"), str(PARAMETERS), str(SWEEPS / "psa.yaml"), "/dev/null"]
WRITES = {"--out", "--fit", "--diagram"}
# Numbers: negative, zero, past every limit, not numbers; never a large valid workload (that is work, not a hang).
NUMBERS = ["-1", "0", "1", "3", "-99999999999999999999", "99999999999999999999", str(2**63), "1e5", "x", "", "½",
           "0x10", " 2", "520", "521"]
COMMANDS = {
    "validate": ([], ["pathway"]),
    "assess": (["--json"], ["patient", "--pathway"]),
    "diagram": (["--format", "--out", "--trace", "--diff"], ["pathway"]),
    "tables": (["--format"], ["pathway"]),
    "check": (["--json", "--overlaps", "--stories", "--diagram"], ["pathway"]),
    "export": (["--format", "--out"], ["pathway"]),
    "diff": ([], ["pathway", "pathway"]),
    "simulate": (["--patients", "--seed", "--weeks", "--out", "--format", "--parameters", "--workers", "--chunk-size",
                  "--engine", "--resume", "--no-visits", "--scheduler", "--quiet"], ["pathway"]),
    "calibrate": (["--parameters", "--patients", "--seed", "--fit"], []),
    "sweep": (["--patients", "--weeks", "--seed", "--out", "--parameters", "--quiet"], ["sweep"]),
}
FLAGS = {"--json", "--overlaps", "--resume", "--no-visits", "--quiet"}
CHOICES = {"--format": ["svg", "png", "dot", "mermaid", "md", "html", "fhir", "bpmn", "csv", "jsonl", "parquet",
                        "", "SVG", "pdf"],
           "--engine": ["compiled", "reference", "", "fast"],
           "--scheduler": ["", "nonsense", "tcp://", "tcp://host:port", "ftp://x"]}
NUMBER_OPTIONS = {"--patients", "--seed", "--weeks", "--workers", "--chunk-size", "--stories"}
SMALL = {"--patients": ["1", "3", "40"], "--workers": ["1", "2"], "--chunk-size": ["1", "7", "1000"]}


@st.composite
def cli_inputs(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    options, arguments = COMMANDS[command]
    args = [command]
    for kind in arguments:
        if draw(st.booleans()):
            args.append(draw(st.sampled_from(PATHS)))
    for option in draw(st.lists(st.sampled_from(options), max_size=4, unique=True)) if options else []:
        args.append(option)
        if option in FLAGS:
            continue
        if option in CHOICES:
            args.append(draw(st.sampled_from(CHOICES[option])))
        elif option in NUMBER_OPTIONS:
            # a workload stays small: a number abusing the size of the work is one the command refuses
            pool = [n for n in NUMBERS if option not in SMALL or not (n.isdigit() and 0 < int(n) <= 10**12)]
            args.append(draw(st.sampled_from(pool + SMALL.get(option, []))))
        else:
            args.append(draw(st.sampled_from(OUT_PATHS if option in WRITES else PATHS)))
    if command in ("simulate", "calibrate", "sweep") and "--patients" not in args:
        args += ["--patients", "5"]
    return args


def check_cli(args: list[str], scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    args = [a.replace("{missing}", str(scratch / "missing")).replace("{scratch}", str(scratch)) for a in args]
    with contextlib.chdir(scratch):  # what a command writes by default lands in scratch
        result = only((), CliRunner().invoke, main, args)
    if isinstance(result.exception, Hang):
        raise Broken("hang", f"sciatica {' '.join(args)}: {result.exception}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise Broken("traceback", f"sciatica {' '.join(args)}: {type(result.exception).__name__}: {result.exception}")
    if result.exit_code not in (0, 1, 2) or "Traceback" in result.output:
        raise Broken("traceback", f"sciatica {' '.join(args)}: exit {result.exit_code}\n{result.output[-2000:]}")
    _outputs_whole_or_absent(args, result.exit_code, scratch)


# A file that starts as one of these formats must end as it does (a file's name may say otherwise).
FORMATS = {b"<svg": b"</svg>", b"<bpmn:definitions": b"</bpmn:definitions>", b"\x89PNG": b"IEND\xaeB`\x82",
           b"<!DOCTYPE html>": b"</html>"}


def _outputs_whole_or_absent(args: list[str], code: int, scratch: Path) -> None:
    """No temporary or staging file anywhere under the scratch folder, and every file there whole."""
    for path in scratch.rglob("*"):
        said = f"sciatica {' '.join(args)} (exit {code})"
        if path.name.endswith((".tmp", ".partial")) or path.name.startswith(".sciatica-partial-"):
            raise Broken("traceback", f"{said}: left {path}")
        data = path.read_bytes() if path.is_file() else b""
        if any(start in data[:400] and not data.rstrip().endswith(end) for start, end in FORMATS.items()):
            raise Broken("traceback", f"{said}: {path} is not whole")
        if data.startswith((b"{", b"[")) and path.suffix == ".json":
            json.loads(data)


KINDS = {  # kind -> (strategy, check, share of a long campaign's inputs)
    "pathway": (pathway_inputs, check_pathway, 0.3),
    "patient": (patient_inputs, check_patient, 0.3),
    "parameters": (parameter_inputs, check_parameters, 0.15),
    "sweep": (sweep_inputs, check_sweep, 0.1),
    "cli": (cli_inputs, check_cli, 0.15),
}
