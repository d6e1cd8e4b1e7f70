"""The compiled cohort engine: whole blocks of patients stepped a week at a time with NumPy,
held by the differential tests to the reference engine's per-patient traces."""

from .course import CompiledSimulator

__all__ = ["CompiledSimulator"]
