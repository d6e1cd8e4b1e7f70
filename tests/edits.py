"""Edits to a copy of the shipped pathway, shared by the tests of broken pathways.

Each edit is small and readable: a textual replacement (which must match exactly once), an
append, a whole file from tests/fixtures/broken/, or a deleted file.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pathway import shipped_pathway

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "broken"


@dataclass(frozen=True)
class Edit:
    """One change to one file of the copy: replace `old` (which must occur exactly once) by
    `new`, append text, replace the whole file by a fixture, or delete the file."""

    file: str
    old: str | None = None
    new: str = ""
    append: str = ""
    fixture: str | None = None
    delete: bool = False

    def apply(self, folder: Path) -> None:
        path = folder / self.file
        if self.delete:
            path.unlink()
            return
        text = (FIXTURES / self.fixture).read_text(encoding="utf-8") if self.fixture else path.read_text(encoding="utf-8")
        if self.old is not None:
            found = text.count(self.old)
            assert found == 1, f"the edit expects {self.old!r} once in {self.file}, found it {found} times"
            text = text.replace(self.old, self.new)
        if self.append:
            text = (text if text.endswith("\n") else text + "\n") + self.append
        path.write_text(text, encoding="utf-8")


def replace(file: str, old: str, new: str) -> Edit:
    return Edit(file, old=old, new=new)


def append(file: str, text: str) -> Edit:
    return Edit(file, append=text)


def use_fixture(file: str, fixture: str) -> Edit:
    return Edit(file, fixture=fixture)


def broken_copy(tmp_path: Path, *edits: Edit) -> Path:
    folder = tmp_path / "pathway"
    shutil.copytree(shipped_pathway(), folder)
    for edit in edits:
        edit.apply(folder)
    return folder


def line_of(path: Path, needle: str) -> int:
    """The line (from 1) where `needle`, which must occur once, starts in the file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text.count("\n", 0, text.index(needle)) + 1
