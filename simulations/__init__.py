"""Simulated patient cohorts: the natural history of sciatica as cited data, run through the
pathway engine.

    >>> from simulations import load_parameters
    >>> params = load_parameters()            # the shipped simulations/parameters.yaml
    >>> params.value("presentation.pain_below_knee")
    0.675

    from pathway import load_pathway, shipped_pathway
    from simulations import CohortSettings, simulate, summarise
    result = simulate(load_pathway(shipped_pathway()), params, CohortSettings(patients=1000, seed=1))
    summarise(result).value("mri_per_1000")   # from exact totals, folded in chunk by chunk
"""

from .analyses.comparison import compare_cohorts
from .engines.outcome import SimulationError
from .model.parameters import (
    Bounds, Parameter, ParameterError, Parameters, Target, load_parameters, shipped_parameters,
)
from .model.schema import SCHEMA, Kind
from .results.counts import Counts
from .results.summary import summarise
from .results.totals import Totals
from .running.chunk import Chunk
from .running.cohort import CohortResult, CohortSettings, simulate

__all__ = [
    "Chunk", "CohortResult", "CohortSettings", "Counts", "SimulationError", "Totals", "compare_cohorts", "simulate",
    "summarise",
    "Bounds", "Kind", "Parameter", "ParameterError", "Parameters", "SCHEMA", "Target",
    "load_parameters", "shipped_parameters",
]
