"""DOT text -> SVG, PNG or PDF bytes, laid out in-process by pygraphviz (its wheel bundles Graphviz,
so `pip install` alone renders; the `graphviz` package would need a separate `dot` program).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings

from pathway.files import write_atomic  # noqa: F401  (kept here: diagrams.write_atomic is public)

FORMATS = ("svg", "png", "pdf")


class RendererMissing(RuntimeError):
    """pygraphviz is not installed: DOT and Mermaid text still work, pictures do not."""


def render(dot_source: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"cannot render `{fmt}`; choose one of {', '.join(FORMATS)}")
    agraph = _pygraphviz().AGraph(string=dot_source)
    with warnings.catch_warnings(), _without_fontconfig_notices():
        # pygraphviz re-raises Graphviz's stderr chatter (font-config notices) as warnings.
        warnings.simplefilter("ignore", RuntimeWarning)
        return agraph.draw(format=fmt, prog="dot")


@contextlib.contextmanager
def _without_fontconfig_notices():
    """The Fontconfig bundled in pygraphviz's wheel is older than many systems' configuration and
    writes `Fontconfig warning: ... unknown element "reset-dirs"` straight to the process's
    stderr (the C library's, out of Python's reach) on the first render. Catch that stream while
    rendering and pass on every line but Fontconfig's."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode(errors="replace").splitlines(keepends=True):
                if not line.startswith("Fontconfig "):
                    sys.stderr.write(line)


def _pygraphviz():
    try:
        import pygraphviz
    except ImportError as err:
        raise RendererMissing(
            "Rendering SVG, PNG or PDF needs pygraphviz, whose wheel bundles Graphviz. Install it with:\n"
            "    pip install pygraphviz\n"
            "DOT and Mermaid text need no renderer: sciatica diagram --format dot (or --format mermaid)."
        ) from err
    return pygraphviz
