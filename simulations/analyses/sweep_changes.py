"""A strategy written as changes to a pathway: the base folder (or `shipped`) and, for each
change, the pathway file, the exact text to replace and what it becomes. The changes are the
strategy: a reviewer reads what differs, and the strategy follows the base as it is edited.

    mri_at_4_weeks:
      from: shipped
      change:
        - {file: conditions.yaml, replace: "conservative_care_weeks >= 6 and", with: "conservative_care_weeks >= 4 and"}

Each `replace` must be found exactly once in its file (else the change is ambiguous or stale, and
is reported at its line). The changed pathway is written to a temporary folder, loaded and
checked like any other, and the folder removed.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pathway.errors import PathwayError, Problem
from pathway.yamlsource import Node, item_line

from .sweep_words import what_given

MAX_CHANGES = 50


def read_changes(node: Node, name: str) -> list[tuple[str, str, str]] | None:
    """The strategy's changes as (node, file, replace, with), the node to report a change's problems
    at; None (with problems on `node`) if any is bad."""
    changes = node.raw("change")
    if not isinstance(changes, CommentedSeq) or not 1 <= len(changes) <= MAX_CHANGES:
        node.problem("change", f"`change` of strategy `{name}` must list 1 to {MAX_CHANGES} changes, each "
                               f"{{file: ..., replace: ..., with: ...}}, not {what_given(changes)}")
        return None
    found, before = [], len(node.problems)
    for i, entry in enumerate(changes):
        item = Node(entry, node.file, node.problems, item_line(changes, i), what=f"change {i + 1} of strategy `{name}`")
        if item.ok and item.keys(("file", "replace", "with")):
            texts = [item.raw(k) for k in ("file", "replace", "with")]
            for key, value in zip(("file", "replace", "with"), texts):
                if not isinstance(value, str) or (key != "with" and not value):
                    item.problem(key, f"`{key}` of change {i + 1} of strategy `{name}` must be text"
                                      f"{'' if key == 'with' else ', not empty'}, not {what_given(value)}")
            found.append((item, *texts))
    return None if len(node.problems) > before else found


_LOADED: dict[str, object] = {}  # this process's changed pathways, by what made them (see _key)


def changed_pathway(base: Path, changes, name: str, problems: list[Problem]):
    """The base pathway with the changes made, loaded (a PathwaySpec), or None with problems added.
    A pathway made before in this process from the same files and changes is not made again."""
    key = _key(base, changes, name)
    if key not in _LOADED:
        spec = _make(base, changes, name, problems)
        if spec is None:
            return None
        if len(_LOADED) >= 8:  # a few at most: a sweep names up to 10 strategies, most unchanged
            _LOADED.clear()
        _LOADED[key] = spec
    return _LOADED[key]


def _key(base: Path, changes, name: str) -> str:
    """The bytes of the base pathway's files and the changes: what the changed pathway depends on."""
    digest = hashlib.sha256(f"{base}\n{name}\n{[c[1:] for c in changes]!r}\n".encode())
    for path in sorted(base.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _make(base: Path, changes, name: str, problems: list[Problem]):
    from pathway.loader import load_pathway

    with tempfile.TemporaryDirectory(prefix="sciatica-strategy-") as temp:
        folder = Path(temp) / name
        shutil.copytree(base, folder, ignore=shutil.ignore_patterns("*.json", "__pycache__"))
        before = len(problems)
        files = sorted(p.name for p in folder.glob("*.yaml"))  # a name, never a path: nothing outside is touched
        for item, file, replace, with_ in changes:
            path = folder / file
            text = path.read_text(encoding="utf-8") if file in files else None
            count = text.count(replace) if text is not None else 0
            if text is None:
                item.problem("file", f"`file` is `{file}`: not a file of the pathway at {base}; its files: "
                                     f"{', '.join(files)}")
            elif count != 1:
                item.problem("replace", f"`{replace}` is found {count} times in {file}; a change's text must be "
                                        "found exactly once (quote more of the line to tell its places apart)")
            else:
                path.write_text(text.replace(replace, with_), encoding="utf-8")
        if len(problems) > before:
            return None
        try:
            return load_pathway(folder)
        except PathwayError as err:
            first = str(err.problems[0]).replace(str(folder), f"{base} (changed)") if err.problems else ""
            raise PathwayError([f"the changed pathway is not valid: {first}"]) from None
