"""Load a pathway directory: parse each file, check its shape, build the frozen spec.

Stages, each with its own errors: YAML → shape (unknown keys listed; `pathway.loading`, one module
per file) → objects → validation (cross-references, guard types, graph structure). All problems
are raised together. The safety requirements (safety.yaml) are read from the same folder but kept
apart: they travel with the spec as ``spec.safety``, outside its content hash.
"""

from __future__ import annotations

from pathlib import Path

from .cache import cached
from .errors import PathwayError, Problem, in_file_order
from .inputs import look_up
from .spec import PathwaySpec

FILES = ("pathway.yaml", "references.yaml", "findings.yaml", "conditions.yaml", "imaging.yaml", "states.yaml",
         "transitions.yaml", "safety.yaml")

STAY = "stay"  # `to: stay` keeps the patient in the state, on purpose (loading.transitions reads it)

__all__ = ["FILES", "STAY", "load_pathway"]


def load_pathway(path: str | Path) -> PathwaySpec:
    """Load and validate a pathway directory (or its ``pathway.yaml``); raise PathwayError listing every
    problem. A pathway loaded before, from the same files with the same bytes, comes from the cache."""
    folder = _folder(Path(path))
    return cached("pathway", str(folder), [folder / name for name in FILES], lambda: _load(folder))


def _load(folder: Path) -> PathwaySpec:
    from .validate import validate_spec  # validation reads the built spec

    problems: list[Problem] = []
    docs = {name: _document(folder / name, problems) for name in FILES}
    if any(doc is None for doc in docs.values()):
        raise PathwayError(problems)
    spec, terms = _build(folder, docs, problems)
    problems.extend(validate_spec(spec, terms))
    if problems:
        raise PathwayError(in_file_order(problems))
    return spec


def _folder(path: Path) -> Path:
    found = look_up(path)
    if found == "file" and path.name == "pathway.yaml":
        return path.parent
    if found == "folder":
        return path
    if found == "missing":
        raise PathwayError([Problem("", f"no such folder: {path}")], missing=True)
    said = "is a file, not a folder" if found == "file" else f"cannot be opened: {found}"
    raise PathwayError([Problem(str(path), f"{said}; a pathway is a folder holding " + ", ".join(FILES))], missing=True)


def _document(path: Path, problems: list[Problem]):
    from .yamlsource import read_yaml  # here: a pathway from the cache needs no YAML reader

    if not path.is_file():
        problems.append(Problem(str(path), "missing file: a pathway folder holds " + ", ".join(FILES)))
        return None
    data = read_yaml(path, problems)
    if data is None and not any(p.where.startswith(str(path)) for p in problems):
        problems.append(Problem(str(path), "file is empty"))
    return data


def _build(folder: Path, docs: dict, problems: list[Problem]) -> tuple[PathwaySpec, list]:
    from .loading.conditions import conditions  # here: a pathway from the cache needs none of them
    from .loading.imaging import imaging
    from .loading.safety import safety
    from .loading.states import states
    from .loading.transitions import transitions
    from .loading.vocabulary import findings, references
    from .yamlsource import Node

    def at(name: str) -> str:
        return str(folder / name)

    top = Node(docs["pathway.yaml"], at("pathway.yaml"), problems, what="pathway.yaml")
    top.keys(("name", "version", "initial", "description"))
    vocabulary, contradictions = findings(docs["findings.yaml"], at("findings.yaml"), problems)
    built_states = states(docs["states.yaml"], at("states.yaml"), problems)
    purposes, rules = imaging(docs["imaging.yaml"], at("imaging.yaml"), problems)
    requirements, terms = safety(docs["safety.yaml"], at("safety.yaml"), problems)
    spec = PathwaySpec(
        name=top.text("name") or "",
        version=str(top.raw("version", "")),
        description=top.text("description") or "",
        initial=top.text("initial") or "",
        findings=tuple(vocabulary),
        conditions=tuple(conditions(docs["conditions.yaml"], at("conditions.yaml"), problems)),
        states=tuple(built_states),
        transitions=tuple(sorted(transitions(docs["transitions.yaml"], at("transitions.yaml"), built_states, problems),
                                 key=lambda t: (t.source, t.order))),
        references=tuple(references(docs["references.yaml"], at("references.yaml"), problems)),
        purposes=tuple(purposes), imaging_rules=tuple(rules), contradictions=tuple(contradictions),
        source=str(folder), safety=requirements,
    )
    return spec, terms
