"""How a sweep's tables and messages show numbers, and what a sweep file gave where something
else was wanted."""

from __future__ import annotations

from ..model.values import is_number, shown


def number_text(value: float, digits: int = 6) -> str:
    """A number in at most `digits` significant digits (Python's `g` format)."""
    return f"{value:.{digits}g}"


def what_given(value) -> str:
    """What was given, saying so when a list or mapping is empty."""
    if isinstance(value, (list, dict)) and not value:
        return f"an empty {'list' if isinstance(value, list) else 'mapping'}"
    return shown(value)


def name_given(value) -> str:
    """A name as written, or what was there instead."""
    return f"`{value}`" if isinstance(value, str) else shown(value)


def list_given(value) -> str:
    """A list as its items, numbers shown short; anything else as `shown` says it."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number_text(v) if is_number(v) else str(v) for v in value) + "]"
    return shown(value)
