"""A region of patients in words a clinician can read: the answers it allows, finding by finding
("trend stuck or worse; weeks of conservative care 4 to 5"), with "no red flag" where none is
present. The words describe the region's hull; whether it is exact is said."""

from __future__ import annotations

import attrs

from ..spec import PathwaySpec
from .symbolic import Region, Symbolic


@attrs.frozen
class Box:
    answers: tuple[tuple[str, tuple[int, ...]], ...]  # (finding, the classes allowed) where constrained
    no_red_flag: bool
    exact: bool  # every patient the words describe is in the region


def box(sym: Symbolic, region: Region, calm: Region) -> Box:
    """The region's hull: for every finding, the classes some patient of the region has."""
    no_red_flag = sym.empty(region & ~calm)
    cells = {name: [i for i in range(len(d.cells)) if not sym.empty(region & sym.cell(name, i))]
             for name, d in sym.domains.items()}
    hull = sym.all_of(sym.any_of(sym.cell(name, i) for i in allowed) for name, allowed in cells.items())
    constrained = tuple((n, tuple(a)) for n, a in cells.items() if len(a) < len(sym.domains[n].cells))
    return Box(constrained, no_red_flag, hull & (calm if no_red_flag else sym.valid) == region & sym.valid)


def box_text(spec: PathwaySpec, sym: Symbolic, box: Box) -> str:
    """The box in words: the answers it allows, question by question."""
    flags = {f.name for f in spec.findings if f.red_flag}
    said = [_answer(spec, sym, name, cells) for name, cells in box.answers
            if not (box.no_red_flag and name in flags and cells == (0,))]
    if box.no_red_flag:
        said.append("no red flag")
    return "; ".join(said) or "every patient"


def _answer(spec: PathwaySpec, sym: Symbolic, name: str, cells: tuple[int, ...]) -> str:
    finding, domain = spec.finding.get(name), sym.domains[name]
    label = finding.label if finding else name
    if domain.finding.type == "boolean":
        return label if cells == (1,) else (domain.finding.when_false or f"no {label}")
    return f"{label} {' or '.join(domain.cells[i].text for i in cells)}"
