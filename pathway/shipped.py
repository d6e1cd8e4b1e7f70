"""Where the shipped pathway and example patients are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them inside the package; a source checkout (or editable install) at the top.
    installed = _PACKAGE / "_shipped" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def shipped_pathway() -> Path:
    """The folder of the shipped pathway: inside the installed package, or `states/` in a source checkout."""
    return _find("states")


def example_patients() -> list[Path]:
    """The example patient files (`examples/patients/*.json`), sorted by name."""
    return sorted((_find("examples") / "patients").glob("*.json"))
