"""DOT text -> SVG, PNG or PDF bytes, laid out in-process by pygraphviz (its wheel bundles Graphviz,
so `pip install` alone renders; the `graphviz` package would need a separate `dot` program).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

FORMATS = ("svg", "png", "pdf")


class RendererMissing(RuntimeError):
    """pygraphviz is not installed: DOT and Mermaid text still work, pictures do not."""


def render(dot_source: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"cannot render `{fmt}`; choose one of {', '.join(FORMATS)}")
    agraph = _pygraphviz().AGraph(string=dot_source)
    with warnings.catch_warnings():
        # pygraphviz re-raises Graphviz's stderr chatter (font-config notices) as warnings.
        warnings.simplefilter("ignore", RuntimeWarning)
        return agraph.draw(format=fmt, prog="dot")


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file in the same folder, then os.replace."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
