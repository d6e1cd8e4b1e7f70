"""The packet as one self-contained HTML page: a jinja2 template (autoescaped), with its style,
script, diagrams (inline SVG) and plots (PNG data URIs) inside, so it opens with no network."""

from __future__ import annotations

from collections import Counter

import jinja2

from .packet import Packet

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("review", "templates"),
    # The page is escaped; the style and script it includes are not HTML and are ours.
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,  # a misspelt field fails loudly instead of printing nothing
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["thousands"] = lambda n: f"{n:,}"


def render_page(packet: Packet, command: str) -> str:
    pictures = [packet.pathway, *(s.path for s in packet.verification.stories if s.path)]
    pictures += [packet.simulation.flow] if packet.simulation else []
    pictures += [packet.changes.picture] if packet.changes else []
    details = {key: info for p in pictures for key, info in p.details.items()}
    return _ENVIRONMENT.get_template("report.html").render(
        spec=packet.spec, pathway=packet.pathway, tables=packet.tables, safety=packet.safety,
        verification=packet.verification,
        simulation=packet.simulation, changes=packet.changes, reproducibility=packet.reproducibility,
        details=details, command=command, overlap_kinds=_overlap_kinds, pct=lambda x: f"{100 * x:.1f}%",
        case=packet.safety_case, safe_to_sign=packet.safe_to_sign,
    )


def render_hazards(spec, log, evidence, traces) -> str:
    """The hazard log and traceability matrix as one self-contained page."""
    from types import SimpleNamespace

    from pathway.verify import check_pathway

    case = SimpleNamespace(log=log, evidence=evidence, traces=traces)
    return _ENVIRONMENT.get_template("hazards.html").render(spec=spec, case=case,
                                                              certificate=check_pathway(spec).certificate())


def _overlap_kinds(verdict) -> list[tuple[str, int]]:
    return sorted(Counter(o.status for o in verdict.overlaps).items())
