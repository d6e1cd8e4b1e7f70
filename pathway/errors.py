"""Problems found in pathway files and patient records, reported all at once."""

from __future__ import annotations

import attrs


@attrs.frozen(order=True)
class Problem:
    """One thing wrong, with where it is: ``file:line`` for YAML, a field path for JSON."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PathwayError(Exception):
    """Raised with every problem found in one pass, so a reviewer fixes them in one go."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], missing: bool = False):
        self.problems = tuple(problems)
        self.missing = missing  # the file or folder named does not exist: said so, not called invalid
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # from a worker process, with its problems as they were
        return type(self), (self.problems, self.missing)


class PatientError(PathwayError):
    """A patient record that cannot be assessed: every problem, by JSON field."""


def where(file: str, line: int | None) -> str:
    """``file:line`` (lines counted from 1), or just the file when the line is unknown."""
    return f"{file}:{line}" if line else file


def in_file_order(problems) -> list[Problem]:
    """Each problem once, by file, then line number (as a number), then message."""

    def key(problem: Problem):
        file, _, line = problem.where.rpartition(":")
        return (file, int(line), problem.message) if line.isdigit() else (problem.where, 0, problem.message)

    return sorted(set(problems), key=key)
