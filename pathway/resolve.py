"""Which pathway a command uses, said out loud: the shipped one by default (or named `shipped`),
else the folder given; and a warning when a checkout's own `states/` differs from the installed
copy, because an edit there would otherwise be silently ignored."""

from __future__ import annotations

from pathlib import Path

import click

from .shipped import shipped_pathway
from .spec import PathwaySpec

SHIPPED = "shipped"  # the name of the installed pathway wherever a pathway is taken


def resolve(pathway: Path | str | None) -> Path:
    """The folder a pathway argument names: none or `shipped` is the installed pathway."""
    if pathway is None or (str(pathway) == SHIPPED and not Path(SHIPPED).exists()):
        return shipped_pathway()
    return Path(pathway)


def announce(spec: PathwaySpec) -> None:
    """One line on standard error: which pathway this command uses."""
    click.echo(f"pathway: {spec.source} - {spec.name} {spec.version} (sha256:{spec.content_hash[:12]})", err=True)


def checkout_warning(folder: Path) -> str | None:
    """A warning when the shipped pathway is used but the current checkout's `states/` differs."""
    if folder.resolve() != shipped_pathway().resolve():
        return None
    here = _checkout_states(Path.cwd())
    if here is None or here.resolve() == folder.resolve():
        return None
    files = sorted(p.name for p in folder.glob("*.yaml"))
    import filecmp  # here: only in a checkout

    same = all((here / name).is_file() and filecmp.cmp(here / name, folder / name, shallow=False) for name in files)
    if same and sorted(p.name for p in here.glob("*.yaml")) == files:
        return None
    return (f"warning: {here} differs from the installed pathway this command uses ({folder}); to use your edits, "
            f"give the folder (e.g. `sciatica check {here}`), or `pip install .` again")


def _checkout_states(start: Path) -> Path | None:
    """The `states/` of a sciatica-pathway checkout at or above ``start``."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if (folder / "states" / "pathway.yaml").is_file() and pyproject.is_file() \
                and 'name = "sciatica-pathway"' in pyproject.read_text(encoding="utf-8", errors="replace"):
            return folder / "states"
    return None
