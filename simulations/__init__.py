"""Simulated patient cohorts: the natural history of sciatica as cited data.

    >>> from simulations import load_parameters
    >>> params = load_parameters()            # the shipped simulations/parameters.yaml
    >>> params.value("presentation.pain_below_knee")
    0.675
"""

from .parameters import (
    Bounds, Parameter, ParameterError, Parameters, Target, load_parameters, shipped_parameters,
)
from .schema import SCHEMA, Kind

__all__ = [
    "Bounds", "Kind", "Parameter", "ParameterError", "Parameters", "SCHEMA", "Target",
    "load_parameters", "shipped_parameters",
]
