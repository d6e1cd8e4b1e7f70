"""Exhaustive verification of a pathway: every property decided over every abstract patient.

    >>> from pathway.verify import check_pathway
    >>> report = check_pathway(spec)
    >>> report.holds, report.certificate()
"""

from .check import Report, check_pathway
from .properties import PROPERTIES, Model, Property
from .report import report_text
from .results import Failure, Overlap, Verdict
from .stories import Story, find_story, story_text

__all__ = [
    "PROPERTIES", "Failure", "Model", "Overlap", "Property", "Report", "Story", "Verdict", "check_pathway",
    "find_story", "report_text", "story_text",
]
