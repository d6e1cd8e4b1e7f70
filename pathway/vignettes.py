"""Clinical vignettes as data (examples/vignettes.yaml): short courses, each with the guideline it
follows and the decision expected at its last visit. The tests run them, and the hazard log and
the review packet cite them as live evidence: a vignette that no longer routes as its guideline
says shows as broken wherever it is cited.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .cache import cached
from .engine import Engine, FellThrough
from .errors import PathwayError, Problem
from .patients import parse_patient
from .spec import PathwaySpec
from .yamlsource import Node, item_line, read_yaml

EXPECTED = ("urgency", "imaging", "state")


@attrs.frozen
class Vignette:
    id: str
    theme: str
    citation: str
    age: int
    visits: tuple[tuple[int, dict], ...]  # (week, changes from the calm visit)
    expect: tuple[str, str, str]  # urgency, imaging (order id), resting state


@attrs.frozen
class Outcome:
    vignette: Vignette
    got: tuple[str, str, str] | None  # None: the course could not be run (see problem)
    problem: str = ""
    fired: tuple[str, ...] = ()  # every transition the course took (ids as written), in order

    @property
    def passed(self) -> bool:
        return self.got == self.vignette.expect


def shipped_vignettes() -> Path:
    from .shipped import _find

    return _find("examples") / "vignettes.yaml"


def load_vignettes(path: str | Path | None = None) -> tuple[dict, tuple[Vignette, ...]]:
    """The calm visit and the vignettes; raises PathwayError naming every problem (file:line).
    Vignettes read before, from the same bytes, come from the load cache (pathway.cache)."""
    path = Path(path or shipped_vignettes())
    return cached("vignettes", str(path), [path], lambda: _load(path))


def _load(path: Path) -> tuple[dict, tuple[Vignette, ...]]:
    problems: list[Problem] = []
    doc = read_yaml(path, problems)
    top = Node(doc, str(path), problems, what=path.name) if doc is not None else None
    if top is None or not top.keys(("calm", "vignettes")):
        raise PathwayError(problems or [Problem(str(path), "a vignettes file holds `calm` and `vignettes`")])
    raw = top.raw("vignettes") or []
    found = [_vignette(Node(v, str(path), problems, item_line(raw, i), what=f"vignette #{i + 1}")) for i, v in enumerate(raw)]
    if problems:
        raise PathwayError(problems)
    return dict(top.raw("calm")), tuple(v for v in found if v is not None)


def _vignette(node: Node) -> Vignette | None:
    if not node.keys(("id", "theme", "citation", "visits", "expect"), ("age",)):
        return None
    expect = node.raw("expect") or {}
    visits = tuple((int(v["week"]), dict(v.get("changes") or {})) for v in node.raw("visits") or [])
    return Vignette(str(node.raw("id")), node.text("theme") or "", node.text("citation") or "",
                    int(node.raw("age", 45)), visits, tuple(str(expect.get(k)) for k in EXPECTED))


def run_vignette(spec: PathwaySpec, engine: Engine, calm: dict, vignette: Vignette) -> Outcome:
    data = {"age": vignette.age, "visits": [{"week": w, "findings": {**calm, **changes}} for w, changes in vignette.visits]}
    try:
        trace = engine.run(parse_patient(data, spec, f"vignette {vignette.id}"))
    except (PathwayError, FellThrough) as err:
        return Outcome(vignette, None, str(err))
    last = trace.visits[-1]
    fired = tuple(step.transition.partition("@")[0] for visit in trace.visits for step in visit.steps)
    return Outcome(vignette, (last.urgency.value, last.imaging.id, trace.final_state), fired=fired)


def run_vignettes(spec: PathwaySpec, path: str | Path | None = None) -> tuple[Outcome, ...]:
    calm, vignettes = load_vignettes(path)
    engine = Engine(spec)
    return tuple(run_vignette(spec, engine, calm, v) for v in vignettes)
