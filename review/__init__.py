"""The clinician review packet: one self-contained HTML file to sign a pathway version off.

    >>> from review import build_packet, render_page
    >>> html = render_page(build_packet(spec), command="sciatica report")
"""

from .packet import Packet, SimulationRequest, build_packet
from .page import render_page

__all__ = ["Packet", "SimulationRequest", "build_packet", "render_page"]
